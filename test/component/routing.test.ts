// Routing and notices through the real service: an emergency at night, and reloading the rule packs.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';

describe.each(DB_KINDS)('routing and rule reload on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const configDir = mkdtempSync(join(tmpdir(), 'kf-config-'));
  const residential = join(configDir, 'rules', 'residential.yaml');
  // 02:00 on a Monday night in Shanghai: only the night shift is on.
  const clock = new ManualClock(new Date('2026-11-23T02:00:00+08:00'));
  const ts = () => String(Math.floor(clock.now().getTime() / 1000));
  const say = async (from: string, text: string) =>
    openWecomReply((await post(svc.url, wecomPost({ from, text, createTime: ts() }, { timestamp: ts() }))).text)
      .Content ?? '';
  const admin = (path: string, method = 'GET') =>
    fetch(`${svc.url}${path}`, { method, headers: { authorization: 'Bearer test-admin-token' } });
  /** The upgrade the rules asked the project lead to approve, if any. */
  const proposed = async (no: string): Promise<string | undefined> =>
    (await json(await admin(`/api/tickets/${no}`))).timeline.find(
      (e: { type: string }) => e.type === 'approval_requested',
    )?.data.question;
  const ticketNo = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;

  beforeAll(async () => {
    cpSync('config', configDir, { recursive: true });
    // This project has no group robot; its alerts go to a WeCom app group chat.
    const orgFile = join(configDir, 'organisation.json');
    const org = JSON.parse(readFileSync(orgFile, 'utf8'));
    org.projects[0].alerts = { chatId: 'wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAAA' };
    writeFileSync(orgFile, JSON.stringify(org));
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'routing', {
      platformUrl: platform.url,
      clock,
      env: { CONFIG_DIR: configDir },
      config: { organisation: loadOrganisation(join(configDir, 'organisation.json')) },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  const pipeBurstsAtNight =
    'when a pipe bursts at 02:00, then the night handler, the duty officer and the project lead are told at once';
  it(pipeBurstsAtNight, async () => {
    const reply = await say('night-owner', '我是李娜，3栋2单元502，家里水管爆了，水漫到客厅了！');
    expect(reply).toContain('紧急');
    const no = ticketNo(reply);
    const d = await json(await admin(`/api/tickets/${no}`));
    expect(d.ticket).toMatchObject({ urgency: 'emergency', department: 'maintenance', handler: 'wx02' });
    while ((await svc.dispatcher.tick()) > 0);
    const told = platform.callsTo('/cgi-bin/message/send').map((c) => c.body.touser as string);
    expect(new Set(told)).toEqual(new Set(['wx02', 'zb02', 'xm01', 'kf01']));
    const toLead = platform.callsTo('/cgi-bin/message/send').find((c) => c.body.touser === 'xm01')!;
    expect(toLead.body.text.content).toContain('紧急情况立即通知值班与项目负责人（立即）');
    expect(toLead.body.text.content).toContain('派单：维修班 / wx02');
  });

  const responseWarningAtNight =
    'when the response deadline comes near at night, then the warning goes to the app group chat as markdown';
  it(responseWarningAtNight, async () => {
    platform.calls.length = 0;
    clock.advance(16 * 60_000);
    expect(await svc.scheduler.runOnce('deadline-scan')).toBeGreaterThan(0);
    while ((await svc.dispatcher.tick()) > 0);
    const [chat] = platform.callsTo('/cgi-bin/appchat/send');
    expect(chat!.body).toMatchObject({ chatid: 'wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAAA', msgtype: 'markdown' });
    expect(chat!.body.markdown.content).toContain('临近时限');
    expect(chat!.body.markdown.content).toContain('<@wx02>');
  });

  const brokenPackOnReload =
    'when a pack is broken, then reload is refused with file, line and reason and the old rules stay in force';
  it(brokenPackOnReload, async () => {
    const good = readFileSync(residential, 'utf8');
    writeFileSync(
      residential,
      good.replace('level: hot\n    reason: 可能引起诉讼', 'level: hott\n    reason: 可能引起诉讼'),
    );
    try {
      const res = await admin('/api/rules/reload', 'POST');
      expect(res.status).toBe(422);
      const body = await json(res);
      expect(body.message).toMatch(/residential\.yaml:\d+ .*未定义的等级 hott/);
      const reply = await say('reload-1', '我是王五，1栋1单元101，不修好我就起诉你们，楼道灯坏了');
      expect(await proposed(ticketNo(reply))).toBe('升级为热点事件并通报品质部？');
    } finally {
      writeFileSync(residential, good);
    }
  });

  it('when an operator adds a word to a pack and reloads, then the next ticket is graded by it', async () => {
    const before = await say('reload-2', '我是赵六，1栋1单元102，楼道灯坏了，我要写信给蓝鲸号');
    expect(await proposed(ticketNo(before))).toBeUndefined();
    const good = readFileSync(residential, 'utf8');
    writeFileSync(residential, good.replace("patterns: ['媒体', '记者',", "patterns: ['蓝鲸号', '媒体', '记者',"));
    const res = await admin('/api/rules/reload', 'POST');
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.packs).toContain('residential');
    const after = await say('reload-3', '我是钱七，1栋1单元103，楼道灯坏了，我要写信给蓝鲸号');
    expect(await proposed(ticketNo(after))).toBe('升级为热点事件并通报品质部？');
  });
});
