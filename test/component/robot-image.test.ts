// A group robot gets a report as its text digest and then its chart as an image message ({base64, md5}); a group
// chat, which cannot take a picture by value, gets the caption.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wecomRobotSender } from '../../src/channels/platform-api/senders.js';
import { FakePlatform } from '../support/fake-platform.js';

describe('robot pictures', () => {
  let platform: FakePlatform;
  beforeAll(async () => {
    platform = await new FakePlatform().start();
  });
  afterAll(async () => platform?.stop());

  it('when a digest holds a chart, then the texts go first and the picture after, checked by its MD5', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const image = { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') };
    const sent = await wecomRobotSender(platform.url).sendDigest('key-1', [
      { text: '**11 月月报** 受理 120 单' },
      { text: '图：各类别工单数', image },
    ]);
    expect(sent).toBe(2);
    const calls = platform.callsTo('/cgi-bin/webhook/send').map((c) => c.body);
    expect(calls.map((b) => b.msgtype)).toEqual(['markdown', 'image']);
    expect(calls[0].markdown.content).toBe('**11 月月报** 受理 120 单');
    expect(calls[1].image).toEqual(image);
    // A wrong checksum is the platform's error, not a silent success.
    await expect(
      wecomRobotSender(platform.url).send('key-1', { text: 'x', image: { ...image, md5: '0'.repeat(32) } }),
    ).rejects.toThrow(/md5/);
  });
});
