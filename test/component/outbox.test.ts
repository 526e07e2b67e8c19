// The outbox under failure: retries with backoff on a fake clock, dead letters that stay visible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { backoffMs, MAX_ATTEMPTS } from '../../src/notifications/outbox-dispatcher.js';
import { post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';
import { TEST_NOW, testClock } from '../support/clock.js';

describe('backoff', () => {
  it('doubles from 5 s and caps at an hour, with jitter inside ±20 %', () => {
    expect(backoffMs(1, () => 0.5)).toBe(5_000);
    expect(backoffMs(3, () => 0.5)).toBe(20_000);
    expect(backoffMs(30, () => 0.5)).toBe(3_600_000);
    expect(backoffMs(2, () => 0)).toBe(8_000);
    expect(backoffMs(2, () => 1)).toBe(12_000);
  });
});

describe.each(DB_KINDS)('outbox delivery on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  // The suite's fixed clock, which the signed callbacks share (a wall-clock service refused them as stale).
  const clock = testClock;
  const rows = () => svc.ds.query(`SELECT status, attempts, last_error FROM outbox ORDER BY id`);

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    clock.set(TEST_NOW);
    svc = await startTestService(kind, 'outbox', { platformUrl: platform.url, clock });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  const wecomFailsThenSends =
    'when WeCom answers 5xx and then busy (-1), then the message waits for its backoff and is sent on the third try';
  it(wecomFailsThenSends, async () => {
    let failures = 0;
    platform.overrides = [
      (c) => (c.path === '/cgi-bin/message/send' && failures++ === 0 ? { status: 502, json: {} } : undefined),
      (c) =>
        c.path === '/cgi-bin/message/send' && failures === 2
          ? { json: { errcode: -1, errmsg: 'system busy' } }
          : undefined,
    ];
    clock.set(TEST_NOW);
    const r = await post(
      svc.url,
      wecomPost({
        from: 'ob_user',
        text: '我是3栋1单元101的周华，水龙头坏了，电话13600001234',
        createTime: String(Math.floor(clock.now().getTime() / 1000)),
      }),
    );
    expect(r.status).toBe(200);

    expect(await svc.dispatcher.tick()).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, last_error: 'HTTP 502' })]);
    expect(await svc.dispatcher.tick()).toBe(0);

    clock.advance(7_000);
    expect(await svc.dispatcher.tick()).toBe(1);
    expect(await rows()).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 2, last_error: 'system busy' }),
    ]);

    clock.advance(13_000);
    expect(await svc.dispatcher.tick()).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'sent', attempts: 3 })]);
    expect(platform.callsTo('/cgi-bin/message/send')).toHaveLength(3);
  });

  const unknownStaffMember =
    'when the staff member does not exist in WeCom, then the message is dead at once and visible with its reason';
  it(unknownStaffMember, async () => {
    platform.overrides = [
      (c) =>
        c.path === '/cgi-bin/message/send'
          ? { json: { errcode: 81013, errmsg: 'user & party & tag all invalid' } }
          : undefined,
    ];
    await post(
      svc.url,
      wecomPost({
        from: 'ob_user2',
        text: '我是3栋1单元102的吴刚，窗户关不上，电话13600001235',
        createTime: String(Math.floor(clock.now().getTime() / 1000)),
      }),
    );
    await svc.dispatcher.tick();
    const last = (await rows()).at(-1);
    expect(last).toMatchObject({ status: 'dead', attempts: 1 });
    expect(last.last_error).toContain('invalid');
  });

  it(`when a send keeps failing, then it stops after ${MAX_ATTEMPTS} attempts`, async () => {
    platform.overrides = [(c) => (c.path === '/cgi-bin/message/send' ? { status: 503 } : undefined)];
    await post(
      svc.url,
      wecomPost({
        from: 'ob_user3',
        text: '我是3栋1单元103的郑爽，灯坏了，电话13600001236',
        createTime: String(Math.floor(clock.now().getTime() / 1000)),
      }),
    );
    for (let i = 0; i < MAX_ATTEMPTS + 3; i++) {
      await svc.dispatcher.tick();
      clock.advance(3_600_000 * 1.3);
    }
    expect((await rows()).at(-1)).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    platform.overrides = [];
  });
});
