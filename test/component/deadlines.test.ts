// Deadlines driven by a fake clock through whole scenarios: a night emergency, a hot event over 国庆, the escalation
// chain, alerts held for working hours, two scheduler instances, a crashed lease holder, a robot answering 45009/5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Organisation } from '../../src/organisation/index.js';
import type { Service } from '../../src/service.js';
import { OutboxEntity } from '../../src/db/schema.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { databaseFor, DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';

const ROBOT = 'robot-key-managers';

function organisationWithRobot(): Organisation {
  const org = loadOrganisation('config/organisation.json');
  return {
    ...org,
    projects: org.projects.map((p) => ({
      ...p,
      alerts: { robotKey: ROBOT },
      people: { ...p.people, supervisor: ['zg01'] },
    })),
  };
}

const MINUTE = 60_000;

describe.each(DB_KINDS)('deadlines and alerts on %s', (kind) => {
  let a: Service;
  let b: Service;
  let platform: FakePlatform;
  const clock = new ManualClock(new Date('2026-11-23T02:00:00+08:00')); // Monday, 02:00
  const ts = () => String(Math.floor(clock.now().getTime() / 1000));
  const say = async (from: string, text: string) =>
    openWecomReply((await post(a.url, wecomPost({ from, text, createTime: ts() }, { timestamp: ts() }))).text)
      .Content ?? '';
  const admin = async (path: string) =>
    json(await fetch(`${a.url}${path}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const ticketNo = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
  const robotMessages = () =>
    platform
      .callsTo('/cgi-bin/webhook/send')
      .filter((c) => c.query.key === ROBOT)
      .map((c) => c.body.markdown.content as string);
  /** One scheduler round: scan what is due, then let the robot job send. */
  const round = async (svc: Service = a) => {
    await svc.scheduler.runOnce('deadline-scan');
    await svc.scheduler.runOnce('robot-alerts');
  };
  const deadlines = async (no: string) =>
    (await admin(`/api/tickets/${no}`)).deadlines.items as {
      kind: string;
      dueAt: string;
      stage: string;
      escalationStep: number;
    }[];

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    const database = databaseFor(kind, 'deadlines');
    const opts = { platformUrl: platform.url, clock, database, config: { organisation: organisationWithRobot() } };
    a = await startTestService(kind, 'deadlines', { ...opts, instanceId: 'instance-a' });
    b = await startTestService(kind, 'deadlines', { ...opts, instanceId: 'instance-b' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await platform?.stop();
  });

  const pipeBurstsAtNight =
    'when a pipe bursts at 02:00, ' +
    'then the deadlines are set and the response warning reaches the managers group at night';
  it(pipeBurstsAtNight, async () => {
    const no = ticketNo(await say('night-1', '我是李娜，3栋2单元502，家里水管爆了，水漫到客厅了'));
    const d = await deadlines(no);
    expect(d.map((x) => x.kind).sort()).toEqual(
      ['lead_report', 'resolution', 'response', 'upgrade_hot', 'upgrade_major'].sort(),
    );
    expect(new Date(d.find((x) => x.kind === 'response')!.dueAt).getTime()).toBe(clock.now().getTime() + 30 * MINUTE);
    await round();
    // At once: the emergency reaches the managers' group, calling on the night handler, the duty officer and the lead.
    const [emergency] = robotMessages();
    expect(robotMessages()).toHaveLength(1);
    expect(emergency).toContain(`紧急</font>** ${no}`);
    for (const who of ['<@wx02>', '<@zb02>', '<@xm01>']) expect(emergency).toContain(who);
    platform.calls.length = 0;
    clock.advance(16 * MINUTE); // 02:16: the 15-minute warning is due
    await round();
    const [warning] = robotMessages();
    expect(warning).toContain('临近时限');
    expect(warning).toContain(no);
    expect(warning).toContain('<@wx02>'); // the night handler is called on
    await round();
    expect(robotMessages()).toHaveLength(1); // a second run sends nothing twice
  });

  const responseDeadlineMissed =
    'when the response deadline is missed, then the alert climbs the escalation chain until someone acts';
  it(responseDeadlineMissed, async () => {
    const no = ticketNo(await say('night-2', '我是王强，3栋1单元101，家里没电了，全屋都黑了'));
    platform.calls.length = 0;
    clock.advance(31 * MINUTE); // missed (the warning folds into the same digest as the miss of the earlier ticket)
    await round();
    const missed = robotMessages().join('\n');
    expect(missed).toContain('已超时');
    expect(missed).toContain(no);
    platform.calls.length = 0;
    clock.advance(61 * MINUTE); // an hour after: the supervisor
    await round();
    expect(robotMessages().join('\n')).toMatch(/<@zg01>/);
    expect((await deadlines(no)).find((x) => x.kind === 'response')!.escalationStep).toBe(1);
    // The handler takes the ticket: the chain stops there.
    await a.ds.query(`UPDATE ticket SET status = 'assigned' WHERE no = '${no}'`);
    platform.calls.length = 0;
    clock.advance(4 * 60 * MINUTE);
    await round();
    expect(robotMessages().join('\n')).not.toContain(`${no} · 响应`);
    expect((await deadlines(no)).find((x) => x.kind === 'response')!.stage).toBe('met');
  });

  const twoSchedulersAtOnce =
    'when two instances run the scheduler at once, then exactly one holds the job and nothing is sent twice';
  it(twoSchedulersAtOnce, async () => {
    await say('night-3', '我是赵敏，3栋1单元707，厨房燃气味很重');
    clock.advance(20 * MINUTE);
    platform.calls.length = 0;
    const results = await Promise.all([a.scheduler.runOnce('deadline-scan'), b.scheduler.runOnce('deadline-scan')]);
    expect(results.filter((r) => r === null)).toHaveLength(1);
    await Promise.all([a.scheduler.runOnce('robot-alerts'), b.scheduler.runOnce('robot-alerts')]);
    const sent = robotMessages();
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it('when the lease holder crashes, then the other instance takes the job over once the lease runs out', async () => {
    const holder = (await a.scheduler.runOnce('deadline-scan')) !== null ? a : b;
    const other = holder === a ? b : a;
    // The holder stops without releasing (a crash); the other is refused until the lease expires.
    expect(await other.scheduler.runOnce('deadline-scan')).toBeNull();
    clock.advance(91_000);
    expect(await other.scheduler.runOnce('deadline-scan')).not.toBeNull();
    expect(await holder.scheduler.runOnce('deadline-scan')).toBeNull();
  });

  it('when a non-urgent deadline is missed at night, then its alert waits for working hours', async () => {
    clock.set(new Date('2026-11-23T16:30:00+08:00'));
    const no = ticketNo(await say('day-1', '我是孙丽，3栋2单元202，卫生间的水龙头有点滴水'));
    await round();
    platform.calls.length = 0;
    clock.set(new Date('2026-11-23T18:40:00+08:00')); // response (2 h) missed after closing time
    await round();
    expect(robotMessages().join('\n')).not.toContain(no);
    clock.set(new Date('2026-11-24T08:31:00+08:00'));
    await round();
    expect(robotMessages().join('\n')).toContain(no);
  });

  const hotEventBeforeNationalDay =
    'when a hot event is reported before 国庆, ' +
    'then its 3-working-day report to the quality department falls on the make-up Saturday';
  it(hotEventBeforeNationalDay, async () => {
    clock.set(new Date('2026-09-30T10:00:00+08:00'));
    const no = ticketNo(await say('holiday-1', '我是周杰，3栋1单元909，楼道灯坏了一个月，我们单元5户都在摸黑上楼'));
    const quality = (await deadlines(no)).find((x) => x.kind === 'quality_report')!;
    expect(new Date(quality.dueAt).toISOString()).toBe(new Date('2026-10-10T17:30:00+08:00').toISOString());
    platform.calls.length = 0;
    clock.set(new Date('2026-10-10T13:31:00+08:00'));
    await round();
    expect(robotMessages().join('\n')).toMatch(new RegExp(`${no} · 通报品质部[\\s\\S]*<@pz01>`));
  });

  const unresolvedForAWeek =
    'when a ticket stays unresolved for a week, then it is upgraded to hot with its notices and its own new deadline';
  it(unresolvedForAWeek, async () => {
    clock.set(new Date('2026-11-02T10:00:00+08:00'));
    const no = ticketNo(await say('week-1', '我是吴婷，3栋2单元1001，阳台推拉门关不严，漏风'));
    clock.set(new Date('2026-11-09T10:01:00+08:00'));
    await round();
    const d = await admin(`/api/tickets/${no}`);
    expect(d.ticket.level).toBe('hot');
    expect(
      d.timeline.some(
        (e: { type: string; data: { reasons?: string[] } }) =>
          e.type === 'graded' && e.data.reasons?.[0] === '一周未解决升级为热点事件',
      ),
    ).toBe(true);
    expect((d.deadlines.items as { kind: string }[]).map((x) => x.kind)).toContain('quality_report');
  });

  const robotRetriedWithBackoff =
    'when the group robot answers 45009 and then 5xx, then the digest is retried with backoff and arrives once';
  it(robotRetriedWithBackoff, async () => {
    clock.set(new Date('2026-11-25T10:00:00+08:00'));
    const no = ticketNo(await say('robot-1', '我是钱多多，3栋1单元1201，家里跳闸了全屋没电'));
    let refusals = 0;
    platform.overrides.push((call) => {
      if (call.path !== '/cgi-bin/webhook/send' || refusals >= 2) return undefined;
      refusals++;
      return refusals === 1 ? { json: { errcode: 45009, errmsg: 'api freq out of limit' } } : { status: 502, json: {} };
    });
    platform.calls.length = 0;
    clock.advance(16 * MINUTE);
    await round();
    expect(robotMessages().filter((m) => m.includes(no))).toHaveLength(1); // refused
    await a.scheduler.runOnce('robot-alerts');
    expect(robotMessages().filter((m) => m.includes(no))).toHaveLength(1); // backoff: not yet
    clock.advance(10_000);
    await a.scheduler.runOnce('robot-alerts'); // 5xx
    clock.advance(30_000);
    await a.scheduler.runOnce('robot-alerts'); // delivered
    expect(robotMessages().filter((m) => m.includes(no))).toHaveLength(3);
    // The payload is sealed, so the row is found by what it says once opened.
    const rows = await a.ds.getRepository(OutboxEntity).findBy({ channel: 'wecom_robot' });
    const row = rows.find((r) => JSON.stringify(r.payload).includes(no));
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    platform.overrides.length = 0;
  });

  const deadlineInUnofficialYear =
    'when a deadline falls in 2027, which has no official calendar yet, ' +
    'then it says so on the ticket, in the admin API and once to the managers group';
  it(deadlineInUnofficialYear, async () => {
    clock.set(new Date('2026-12-28T10:00:00+08:00'));
    platform.calls.length = 0;
    const first = ticketNo(await say('ny-1', '我是郑一，3栋1单元111，卫生间墙面渗水'));
    await say('ny-2', '我是郑二，3栋1单元112，卧室墙面有裂缝');
    const t = await admin(`/api/tickets/${first}`);
    expect(t.timeline.find((e: { actor: string }) => e.actor === 'calendar').data.warning).toContain(
      '2027 年，尚未载入官方节假日安排',
    );
    expect(t.timeline.find((e: { actor: string }) => e.actor === 'calendar').data.warning).toContain(
      '暂按《全国年节及纪念日放假办法》推算法定节假日',
    );
    // Deadlines that count days of 2027 say so; the promised response (due today) does not.
    const byKind = new Map(t.deadlines.items.map((d: { kind: string; provisional: boolean }) => [d.kind, d]));
    expect(byKind.get('response')).toMatchObject({ provisional: false });
    expect(t.deadlines.items.some((d: { provisional: boolean }) => d.provisional)).toBe(true);
    await round();
    expect(robotMessages().filter((m) => m.includes('工作日历缺失'))).toHaveLength(1);
    const status = await admin('/api/calendar');
    expect(status.projects[0].warning).toContain('2027');
    expect(status.projects[0].years).toContainEqual({ year: 2026, official: true, provisional: false });
    expect(status.projects[0].years).toContainEqual({ year: 2027, official: false, provisional: true });
  });

  const robotLeasePassesOn =
    'when the robot lease passes to another instance within a minute of 20 sends, ' +
    'then the new holder waits for the window';
  it(robotLeasePassesOn, async () => {
    clock.set(new Date('2026-12-30T10:00:00+08:00'));
    // Instance a sent 20 messages to the managers' group ten seconds ago (as its robot job records them).
    await a.ds.query('INSERT INTO send_log (target, sent_ms, messages) VALUES (?, ?, ?)', [
      ROBOT,
      clock.now().getTime() - 10_000,
      20,
    ]);
    platform.calls.length = 0;
    const no = ticketNo(await say('handover-1', '我是冯一，3栋1单元121，家里水管爆了，水漫到客厅了'));
    await round(b); // b takes the robot lease (a's expired days ago)
    expect(robotMessages().filter((m) => m.includes(no))).toHaveLength(0);
    clock.advance(51_000); // the 20 have left the window
    await b.scheduler.runOnce('robot-alerts');
    expect(robotMessages().filter((m) => m.includes(no))).toHaveLength(1);
    const [logged] = await b.ds.query('SELECT COUNT(*) AS n FROM send_log WHERE target = ? AND sent_ms >= ?', [
      ROBOT,
      clock.now().getTime(),
    ]);
    expect(Number(logged.n)).toBe(1);
  });
});
