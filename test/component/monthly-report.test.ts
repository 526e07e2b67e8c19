// The monthly report end to end on both databases: tickets filed and worked in November through the real service;
// on 1 December 09:00 two instances run the report job and each managers' group and head office get the summary and
// the chart exactly once; a month missed while every instance was down goes at the next start, marked 补发; and
// `npm run report` writes the same month's ledger, summary and chart to a folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganisation } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Service } from '../../src/service.js';
import { mpPost, openMpReply, post } from '../support/callbacks.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService, TEST_KEYS } from '../support/service.js';
import { addConsoleUser, ConsoleClient } from '../support/console.js';

const org = loadOrganisation('config/organisation.json');
const xfl = { ...org.projects[0]!, alerts: { robotKey: 'robot-xfl' } };
const organisation = { ...org, projects: [xfl], reports: { headOfficeRobotKey: 'robot-hq' } };

describe.each(DB_KINDS)('monthly report on %s', (kind) => {
  let a: Service;
  let b: Service;
  let platform: FakePlatform;
  const database = databaseFor(kind, 'reports');
  const clock = new ManualClock(new Date('2026-11-18T10:00:00+08:00'));
  const ts = () => String(Math.floor(clock.now().getTime() / 1000));
  const say = async (from: string, text: string) =>
    openMpReply((await post(a.url, mpPost({ from, text, createTime: ts() }, 'safe', { timestamp: ts() }))).text, 'safe')
      .Content ?? '';
  const robot = (key: string) =>
    platform
      .callsTo('/cgi-bin/webhook/send')
      .filter((c) => c.query.key === key)
      .map((c) => c.body);
  const wx01 = { type: 'staff' as const, userId: 'wx01' };

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    const opts = { platformUrl: platform.url, clock, database, config: { organisation } };
    a = await startTestService(kind, 'reports', { ...opts, instanceId: 'a' });
    b = await startTestService(kind, 'reports', { ...opts, instanceId: 'b' });
    const no = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
    const lamp = no(await say('o-r1', '我是赵敏，电话13812345678，2栋1单元202，楼道的灯坏了好几天了'));
    const leak = no(await say('o-r2', '我是钱多，3栋502，卫生间天花板漏水'));
    no(await say('o-r3', '我是孙丽，5栋101，门口垃圾没人清'));
    clock.advance(30 * 60_000);
    await a.tickets.accept(wx01, lamp);
    clock.advance(60 * 60_000);
    await a.tickets.complete(wx01, lamp, '已更换灯管');
    await a.tickets.accept(wx01, leak);
    clock.set(new Date('2026-11-19T10:00:00+08:00'));
    await say('o-r1', '满意');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await platform?.stop();
  });

  it('when it is 1 December 09:00, then each group gets November once, text and chart, on one instance', async () => {
    // Before 09:00 the latest due month is October, which had no ticket: recorded, nothing sent.
    clock.set(new Date('2026-12-01T08:59:00+08:00'));
    expect(await a.scheduler.runOnce('periodic-reports')).toBe(0);
    clock.set(new Date('2026-12-01T09:00:00+08:00'));
    expect(await a.scheduler.runOnce('periodic-reports')).toBe(4); // two groups × (summary + chart)
    // The other instance, once the lease is free, finds November sent.
    clock.set(new Date('2026-12-01T09:20:00+08:00'));
    expect(await b.scheduler.runOnce('periodic-reports')).toBe(0);
    await a.scheduler.runOnce('robot-alerts');
    await b.scheduler.runOnce('robot-alerts');
    for (const key of ['robot-xfl', 'robot-hq']) {
      const sent = robot(key);
      expect(sent.map((m) => m.msgtype)).toEqual(['markdown', 'image']);
      expect(Buffer.from(sent[1].image.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    }
    const text: string = robot('robot-xfl')[0].markdown.content;
    expect(text).toContain('幸福里花园 2026年11月 客户服务月报');
    expect(text).toContain('受理 <font color="info">3</font> 单');
    expect(text).not.toContain('赵敏');
    expect(text).not.toContain('13812345678');
  });

  it('when every instance was down on 1 January, then December goes at the next run, marked late', async () => {
    clock.set(new Date('2026-12-02T10:00:00+08:00'));
    await say('o-r4', '我是周亮，6栋303，电梯按钮失灵');
    clock.set(new Date('2027-01-03T11:00:00+08:00'));
    expect(await b.scheduler.runOnce('periodic-reports')).toBe(4);
    await b.scheduler.runOnce('robot-alerts');
    const text: string = robot('robot-hq').at(-2)!.markdown.content;
    expect(text).toContain('2026年12月');
    expect(text).toContain('补发');
  });

  it.runIf(kind === 'sqlite')(
    'when an operator runs the report command, then the month lands in a folder',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'kf-report-'));
      const env = {
        ...process.env,
        SQLITE_PATH: database.type === 'sqlite' ? database.path : '',
        PII_KEYS: TEST_KEYS.keys,
        PII_INDEX_KEY: TEST_KEYS.indexKey,
        LOG_LEVEL: 'silent',
      };
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/report.ts', '--month', '2026-11', '--project', 'XFL', '--out', out],
        { env, encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('客户服务月报');
      expect(readFileSync(join(out, 'kpi.png')).subarray(1, 4).toString()).toBe('PNG');
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(join(out, 'ledger.xlsx'));
      const sheet = book.getWorksheet('2026年11月')!;
      expect(sheet.rowCount).toBe(4); // header + three tickets
      const names = [2, 3, 4].map((r) => String(sheet.getRow(r).getCell(4).value));
      expect(names.sort()).toEqual(['孙*', '赵*', '钱*']);
    },
  );

  it('when a manager opens the month in the console, then the figures, chart and masked ledger are there', async () => {
    await addConsoleUser(a, 'li', ['manager'], { projects: ['XFL'] });
    await addConsoleUser(a, 'wang', ['handler'], { projects: ['XFL'] });
    const li = await new ConsoleClient(a.url).signIn('li');
    const page = await li.get('/console/reports/2026-11');
    expect(page.status).toBe(200);
    expect(page.text).toContain('幸福里花园');
    expect(page.text).toContain('按时响应率');
    const chart = await fetch(`${a.url}/console/reports/2026-11/chart.png?project=XFL`, {
      headers: { cookie: `kf_console=${li.sessionCookie()}` },
    });
    expect(chart.headers.get('content-type')).toBe('image/png');
    const book = new ExcelJS.Workbook();
    const ledger = await fetch(`${a.url}/console/reports/2026-11/ledger.xlsx`, {
      headers: { cookie: `kf_console=${li.sessionCookie()}` },
    });
    await book.xlsx.load(await ledger.arrayBuffer());
    const sheet = book.getWorksheet('2026年11月')!;
    const names = [2, 3, 4].map((r) => String(sheet.getRow(r).getCell(4).value)).sort();
    expect(names).toEqual(['孙*', '赵*', '钱*']);
    // The full ledger needs a reason and lands in the audit log; a handler has no reports at all.
    expect((await li.get('/console/reports/2026-11/ledger.xlsx?full=1')).status).toBe(400);
    const full = await li.get(`/console/reports/2026-11/ledger.xlsx?full=1&reason=${encodeURIComponent('年度审计')}`);
    expect(full.status).toBe(200);
    const audit: { action: string; reason: string }[] = await a.ds.query(
      "SELECT action, reason FROM audit_log WHERE action = 'ledger_full'",
    );
    expect(audit.map((x) => x.reason)).toEqual(['2026-11：年度审计']);
    const wang = await new ConsoleClient(a.url).signIn('wang');
    expect((await wang.get('/console/reports/2026-11')).status).toBe(403);
  });
});
