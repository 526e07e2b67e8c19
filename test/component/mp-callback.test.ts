// Official Account: plain, compatible and safe modes, and a reply that misses the 5-second window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Service } from '../../src/service.js';
import { MP, mpPost, nowTs, openMpReply, post, type MpMode } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';
import mysql from 'mysql2/promise';
import { testMariadbUrl } from '../support/databases.js';

describe.each(DB_KINDS)('Official Account callback on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'mp', { platformUrl: platform.url });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  it('when WeChat verifies the server, then echostr is echoed unchanged', async () => {
    const ts = nowTs();
    const sig = createHash('sha1').update([MP.token, ts, '42'].sort().join('')).digest('hex');
    const res = await fetch(`${svc.url}/mp/callback?signature=${sig}&timestamp=${ts}&nonce=42&echostr=abc%2B123`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('abc+123');
  });

  it.each<MpMode>(['plain', 'compatible', 'safe'])(
    'when a resident writes in %s mode, then the reply comes back in that mode',
    async (mode) => {
      const from = `o_${mode}_${kind}`;
      const r = await post(svc.url, mpPost({ from, text: '我是3栋2单元502的李娜，电话13812345678，楼道灯坏了' }, mode));
      expect(r.status).toBe(200);
      if (mode === 'safe') expect(r.text).not.toContain('<Content>');
      const reply = openMpReply(r.text, mode);
      expect(reply).toMatchObject({ ToUserName: from, FromUserName: MP.ghId, MsgType: 'text' });
      expect(reply.Content).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
      expect(reply.Content).not.toContain('请留一个联系电话');
    },
  );

  it('when there is nothing to say (unsubscribe), then the answer is "success"', async () => {
    const r = await post(
      svc.url,
      mpPost({ from: 'o_leaver', msgType: 'event', extra: { Event: 'unsubscribe' } }, 'safe'),
    );
    expect(r).toEqual({ status: 200, text: 'success' });
  });

  it('when a voice message arrives without recognition text, then the resident is asked to type', async () => {
    const r = await post(
      svc.url,
      mpPost({ from: 'o_voice', msgType: 'voice', extra: { MediaId: 'media1', Format: 'amr' } }, 'safe'),
    );
    expect(openMpReply(r.text, 'safe').Content).toContain('请用文字描述');
  });

  it('when a voice message carries the recognition text, then it files the report the resident spoke', async () => {
    const voice = (id: string, said: string) =>
      mpPost({ from: 'o_speaker', msgType: 'voice', extra: { MediaId: id, Format: 'amr', Recognition: said } }, 'safe');
    const heard = openMpReply((await post(svc.url, voice('v1', '卫生间的灯不亮了。'))).text, 'safe').Content;
    expect(heard).toContain('语音已转文字：“卫生间的灯不亮了。”');
    expect(heard).toContain('怎么称呼');
    const filed = openMpReply((await post(svc.url, voice('v2', '我是9栋1单元301的王秀英。'))).text, 'safe').Content;
    expect(filed).toContain('已为您登记工单');
    const [row] = await svc.ds.query(`SELECT content FROM ticket WHERE user_id = 'o_speaker'`);
    expect(row.content).toContain('卫生间的灯不亮了');
  });

  it('when a menu button is clicked, then its configured action answers', async () => {
    const click = (key: string) =>
      mpPost({ from: 'o_menu', msgType: 'event', extra: { Event: 'CLICK', EventKey: key } }, 'safe');
    expect(openMpReply((await post(svc.url, click('REPAIR'))).text, 'safe').Content).toContain('什么问题');
    expect(openMpReply((await post(svc.url, click('HELP'))).text, 'safe').Content).toContain('我可以帮您');
  });

  it('when an image comes before the description, then it is kept on the ticket', async () => {
    await post(
      svc.url,
      mpPost({ from: 'o_img', msgType: 'image', extra: { MediaId: 'MEDIA_42', PicUrl: 'http://x/p.jpg' } }, 'safe'),
    );
    const r = await post(svc.url, mpPost({ from: 'o_img', text: '阳台墙面开裂了，我是9栋1单元202周杰' }, 'safe'));
    expect(openMpReply(r.text, 'safe').Content).toContain('已为您登记工单');
    const [row] = await svc.ds.query(`SELECT images FROM ticket WHERE user_id = 'o_img'`);
    expect(JSON.parse(row.images)).toEqual(['MEDIA_42']);
  });
});

describe('Official Account reply that misses the passive window (mariadb)', () => {
  let svc: Service;
  let platform: FakePlatform;
  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService('mariadb', 'mp_late', {
      platformUrl: platform.url,
      env: { REPLY_DEADLINE_MS: '150' },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  const slowDatabase =
    'when the database is slow, ' +
    'then the edge answers "success" in time and the reply follows as a customer-service message';
  it(slowDatabase, async () => {
    await post(svc.url, mpPost({ from: 'o_late', text: '你好' }, 'safe'));
    // Another connection holds the resident's session row, as a slow or busy database would.
    const blocker = await mysql.createConnection(testMariadbUrl('mp_late'));
    await blocker.query('START TRANSACTION');
    await blocker.query(`SELECT * FROM dialogue_session WHERE user_id = 'o_late' FOR UPDATE`);
    const started = performance.now();
    const r = await post(svc.url, mpPost({ from: 'o_late', text: '电梯坏了，按钮没反应' }, 'safe'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r).toEqual({ status: 200, text: 'success' });
    await new Promise((res) => setTimeout(res, 300));
    await blocker.query('COMMIT');
    await blocker.end();

    let sent = platform.callsTo('/cgi-bin/message/custom/send');
    for (let i = 0; i < 100 && sent.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 30));
      await svc.dispatcher.tick();
      sent = platform.callsTo('/cgi-bin/message/custom/send');
    }
    expect(platform.callsTo('/cgi-bin/stable_token')[0]?.body).toMatchObject({
      grant_type: 'client_credential',
      appid: MP.appId,
      force_refresh: false,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      touser: 'o_late',
      msgtype: 'text',
      text: { content: expect.stringContaining('怎么称呼') },
    });
  });
});
