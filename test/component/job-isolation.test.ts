// Background jobs isolate their items: a deadline (or outbox row) whose handling throws is marked and logged, the
// others still go out. Outbox rows are fenced by their lease: only the holder records what became of a row, a slow
// send keeps its lease, and slow LLM reviews run beside staff notices, not in front of them.
import { Writable } from 'node:stream';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseConfig } from '../../src/config/load-config.js';
import { createOutboxRepo } from '../../src/db/outbox-repo.js';
import { OutboxEntity, type OutboxRow } from '../../src/db/schema.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { OutboxDispatcher } from '../../src/notifications/outbox-dispatcher.js';
import type { Service } from '../../src/service.js';
import { databaseFor, DB_KINDS, type DbKind, MARIADB_URL_BASE, testMariadbUrl } from '../support/databases.js';
import { FakeLlm } from '../support/fake-llm.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';
import { webVisitors } from '../support/web-visitor.js';

const NOW = new Date('2026-11-18T10:00:00+08:00'); // a Wednesday, in working hours
const MINUTE = 60_000;

/** A database of this file's own, created afresh (the shared list in support/databases.ts is not ours to extend). */
async function freshDatabase(kind: DbKind, name: string): Promise<DatabaseConfig> {
  if (kind === 'sqlite') return databaseFor('sqlite', name);
  const conn = await mysql.createConnection(`${MARIADB_URL_BASE}/`);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`kf_test_${name}\``);
    await conn.query(`CREATE DATABASE \`kf_test_${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
  return { type: 'mariadb', url: testMariadbUrl(name) };
}

/** A logger whose lines the test can read. */
function capturedLog() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

const visitors = new WeakMap<Service, ReturnType<typeof webVisitors>>();
async function say(svc: Service, name: string, text: string): Promise<string> {
  if (!visitors.has(svc))
    visitors.set(
      svc,
      webVisitors(() => svc.url),
    );
  const { status, replies, body } = await (await visitors.get(svc)!(name)).say(text);
  if (status !== 200) throw new Error(`web chat answered ${status}: ${JSON.stringify(body)}`);
  return replies.join('\n');
}
const ticketNo = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;

describe.each(DB_KINDS)('deadline scan, one bad row among many, on %s', (kind) => {
  let svc: Service;
  const clock = new ManualClock(NOW);
  const log = capturedLog();
  const ticketId = async (no: string) => Number((await svc.ds.query('SELECT id FROM ticket WHERE no = ?', [no]))[0].id);
  const responseOf = async (no: string) => {
    const [row] = await svc.ds.query(
      'SELECT id, stage, scan_failures, scan_error FROM ticket_deadline WHERE ticket_id = ? AND kind = ?',
      [await ticketId(no), 'response'],
    );
    return { ...row, id: Number(row.id), scan_failures: Number(row.scan_failures) };
  };
  const alertsOf = async (deadlineId: number) =>
    (await svc.ds.query('SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE ?', [`deadline:${deadlineId}:%`])) as {
      dedupe_key: string;
    }[];
  const nextCheck = async (deadlineId: number) =>
    new Date(
      (await svc.ds.getRepository('TicketDeadline').findOneByOrFail({ id: deadlineId })).nextCheckAt as Date,
    ).getTime();

  beforeAll(async () => {
    svc = await startTestService(kind, 'jobs_scan', {
      database: await freshDatabase(kind, 'jobs_scan'),
      clock,
      logger: log.logger,
    });
  });
  afterAll(async () => svc?.close());

  const handlerThrowsForOne =
    'when one due deadline makes its handler throw, ' +
    'then the other alerts still go out and the bad one is marked, logged and retried later';
  it(handlerThrowsForOne, async () => {
    const numbers = [
      ticketNo(await say(svc, 'visitor-scan-1', '我是孙丽，3栋1单元101，厨房水龙头坏了，关不紧')),
      ticketNo(await say(svc, 'visitor-scan-2', '我是钱多多，3栋1单元102，卫生间灯不亮了')),
      ticketNo(await say(svc, 'visitor-scan-3', '我是赵敏，3栋1单元103，阳台门锁坏了')),
    ];
    const [bad, ...good] = await Promise.all(numbers.map(responseOf));
    // Data its handler cannot work with: the roles to notify are not a list.
    await svc.ds.query('UPDATE ticket_deadline SET notify = ? WHERE id = ?', ['{"role":"handler"}', bad!.id]);
    clock.set(new Date(NOW.getTime() + 3 * 60 * MINUTE)); // every response deadline (2 h) has been missed
    expect(await svc.scheduler.runOnce('deadline-scan')).toBeGreaterThanOrEqual(3);

    for (const [i, d] of good.entries()) {
      expect((await alertsOf(d.id)).some((a) => a.dedupe_key.startsWith(`deadline:${d.id}:missed:0`))).toBe(true);
      expect(await responseOf(numbers[i + 1]!)).toMatchObject({ stage: 'missed', scan_failures: 0 });
    }
    expect(await alertsOf(bad!.id)).toEqual([]);
    const marked = await responseOf(numbers[0]!);
    expect(marked).toMatchObject({ stage: 'pending', scan_failures: 1 });
    expect(marked.scan_error).toMatch(/iterable|not a function/);
    expect(await nextCheck(bad!.id)).toBe(clock.now().getTime() + MINUTE);
    const logged = log.lines.find((l) => l.deadlineId === bad!.id);
    expect(logged).toMatchObject({ level: 50, ticketId: await ticketId(numbers[0]!), kind: 'response', failures: 1 });
    expect(logged!.err).toMatch(/iterable|not a function/);
    // The operator sees it with the ticket's deadlines.
    const admin = await json(
      await fetch(`${svc.url}/api/tickets/${numbers[0]}`, { headers: { authorization: 'Bearer test-admin-token' } }),
    );
    expect(admin.deadlines.items.find((d: { kind: string }) => d.kind === 'response')).toMatchObject({
      scanFailures: 1,
      scanError: marked.scan_error,
    });

    // Not looked at again before its backoff; after it, once more (and the backoff doubles).
    clock.advance(30_000);
    await svc.scheduler.runOnce('deadline-scan');
    expect((await responseOf(numbers[0]!)).scan_failures).toBe(1);
    clock.advance(31_000);
    await svc.scheduler.runOnce('deadline-scan');
    expect((await responseOf(numbers[0]!)).scan_failures).toBe(2);
    expect(await nextCheck(bad!.id)).toBe(clock.now().getTime() + 2 * MINUTE);

    // Once the data is put right, the next look after the backoff sends its alert and clears the marks.
    await svc.ds.query('UPDATE ticket_deadline SET notify = ? WHERE id = ?', ['["handler"]', bad!.id]);
    clock.advance(2 * MINUTE);
    await svc.scheduler.runOnce('deadline-scan');
    expect((await alertsOf(bad!.id)).length).toBeGreaterThan(0);
    expect(await responseOf(numbers[0]!)).toMatchObject({ stage: 'missed', scan_failures: 0, scan_error: null });
  });

  const brokenRow =
    'when a due deadline row cannot even be read (its JSON is broken), then it is set aside and the rest go out';
  it(brokenRow, async () => {
    const numbers = [
      ticketNo(await say(svc, 'visitor-scan-4', '我是周强，3栋1单元104，厨房下水道堵了')),
      ticketNo(await say(svc, 'visitor-scan-5', '我是吴刚，3栋1单元105，客厅插座没电了')),
    ];
    const [bad, good] = await Promise.all(numbers.map(responseOf));
    await svc.ds.query('UPDATE ticket_deadline SET notify = ? WHERE id = ?', ['not json{', bad!.id]);
    clock.advance(3 * 60 * MINUTE);
    await svc.scheduler.runOnce('deadline-scan');
    expect((await alertsOf(good!.id)).some((a) => a.dedupe_key.startsWith(`deadline:${good!.id}:missed:0`))).toBe(true);
    const marked = await responseOf(numbers[0]!);
    expect(marked).toMatchObject({ stage: 'pending', scan_failures: 1 });
    expect(marked.scan_error).toMatch(/cannot be read/);
    // The ORM cannot read the row either: check as stored that its next look was pushed past the missed due time.
    const pushed = 'SELECT COUNT(*) AS n FROM ticket_deadline WHERE id = ? AND next_check_at > due_at';
    const [{ n }] = await svc.ds.query(pushed, [bad!.id]);
    expect(Number(n)).toBe(1);
    expect(log.lines.some((l) => l.deadlineId === bad!.id && /cannot be read/.test(String(l.err)))).toBe(true);
  });

  const raisingOneIncidentThrows =
    'when raising one incident to its level throws, ' +
    'then the scan still raises the others and logs the one it could not';
  it(raisingOneIncidentThrows, async () => {
    const incidentOf = async (no: string) =>
      Number((await svc.ds.query('SELECT incident_id FROM ticket WHERE no = ?', [no]))[0].incident_id);
    const pair = async (building: string, first: [string, string], second: [string, string]) => {
      const no = ticketNo(await say(svc, first[0], `我是${first[1]}，${building}栋1单元101，单元门坏了关不上`));
      await say(svc, first[0], '跳过');
      expect(await say(svc, second[0], `我是${second[1]}，${building}栋2单元202，单元门关不上了`)).toContain(
        '2 位业主反映',
      );
      return { no, incident: await incidentOf(no) };
    };
    const broken = await pair('9', ['visitor-door-1', '何平'], ['visitor-door-2', '何安']);
    const sound = await pair('10', ['visitor-door-3', '何丽'], ['visitor-door-4', '何静']);
    // What concurrent joins leave behind: three residents counted, the level judged on two.
    await svc.ds.query('UPDATE incident SET residents = 3 WHERE id IN (?, ?)', [broken.incident, sound.incident]);
    // A member ticket of the first incident that cannot be read back: its raise throws.
    await svc.ds.query('UPDATE ticket SET images = ? WHERE no = ?', ['[not json', broken.no]);
    await svc.scheduler.runOnce('deadline-scan');
    const level = async (id: number) => (await svc.ds.query('SELECT level FROM incident WHERE id = ?', [id]))[0].level;
    expect(await level(sound.incident)).toBe('hot');
    expect(await level(broken.incident)).not.toBe('hot');
    expect(log.lines.find((l) => l.incidentId === broken.incident && l.level === 50)?.err).toMatch(/JSON/);
    // Put right, the next scan raises it too.
    await svc.ds.query('UPDATE ticket SET images = ? WHERE no = ?', ['[]', broken.no]);
    await svc.scheduler.runOnce('deadline-scan');
    expect(await level(broken.incident)).toBe('hot');
  });
});

describe.each(DB_KINDS)('outbox leases and lanes on %s', (kind) => {
  let a: Service;
  let b: Service;
  let platform: FakePlatform;
  const llm = new FakeLlm('sk-jobs');
  const clock = new ManualClock(NOW);
  const logA = capturedLog();
  const logB = capturedLog();
  // The classifier is unsure of this one (its review goes to the LLM); sure of the neighbour's noise.
  const UNSURE = '我是李娜，3栋2单元502，你们的人来看过了还是不行';
  const SURE = '我是王强，3栋1单元101，楼上邻居天天半夜唱歌，吵得睡不着';
  const REVIEW = {
    answer: {
      kind: 'complaint',
      category: 'service',
      trade: null,
      urgency: 'normal',
      confidence: 0.85,
      reason: '反映的是员工工作质量',
    },
  };
  const row = async (id: number) => a.ds.getRepository(OutboxEntity).findOneByOrFail({ id });
  /** Read without parsing the payload (some rows here are deliberately unreadable). */
  const rawRow = async (id: number) => {
    const [r] = await a.ds.query('SELECT status, attempts, locked_by, last_error FROM outbox WHERE id = ?', [id]);
    return { ...r, attempts: Number(r.attempts) } as {
      status: string;
      attempts: number;
      locked_by: string | null;
      last_error: string;
    };
  };
  const reviewOf = async (no: string) =>
    a.ds.getRepository(OutboxEntity).findOneByOrFail({ channel: 'llm', recipient: no });
  const staffNoticesOf = (no: string) =>
    platform.callsTo('/cgi-bin/message/send').filter((c) => JSON.stringify(c.body).includes(no));
  let keySeq = 0;
  const insertRow = async (r: Pick<OutboxRow, 'channel' | 'recipient'> & { payload: Record<string, unknown> }) =>
    Number(
      (
        await a.ds.getRepository(OutboxEntity).insert({
          dedupeKey: `jobs-test:${++keySeq}`,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: clock.now(),
          createdAt: clock.now(),
          ...r,
        })
      ).identifiers[0]!.id,
    );

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    const base = await llm.start();
    const database = await freshDatabase(kind, 'jobs_outbox');
    const opts = {
      platformUrl: platform.url,
      clock,
      database,
      env: {
        OPENAI_BASE_URL: base,
        OPENAI_API_KEY: 'sk-jobs',
        OPENAI_MODEL: 'deepseek-chat',
        OPENAI_TIMEOUT_MS: '8000',
      },
    };
    a = await startTestService(kind, 'jobs_outbox', { ...opts, instanceId: 'instance-a', logger: logA.logger });
    b = await startTestService(kind, 'jobs_outbox', { ...opts, instanceId: 'instance-b', logger: logB.logger });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await llm.stop();
    await platform?.stop();
  });

  it('when an LLM review is slow, then a staff notice due after it goes out without waiting for it', async () => {
    llm.behaviours = [{ delayMs: 3_000, ...REVIEW }];
    const slow = ticketNo(await say(a, 'visitor-lane-slow', UNSURE));
    const quick = ticketNo(await say(a, 'visitor-lane-quick', SURE));
    expect((await reviewOf(slow)).status).toBe('pending');
    const pass = a.dispatcher.tick();
    await vi.waitFor(() => expect(staffNoticesOf(quick)).toHaveLength(1), { timeout: 1_500, interval: 20 });
    expect((await reviewOf(slow)).status).toBe('pending'); // the model is still thinking
    await pass;
    expect(await reviewOf(slow)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  const lateOutcomeAfterLostLease =
    "when A's lease ran out during a slow review and B claimed the row, " +
    "then A's late outcome is not recorded and B's is";
  it(lateOutcomeAfterLostLease, async () => {
    llm.behaviours = [
      { delayMs: 500, ...REVIEW },
      { delayMs: 2_500, ...REVIEW },
    ];
    const no = ticketNo(await say(a, 'visitor-fence-1', UNSURE.replace('李娜，3栋2单元502', '张敏，5栋1单元301')));
    const asked = llm.requests.length;
    const passA = a.dispatcher.tick();
    await vi.waitFor(() => expect(llm.requests.length).toBe(asked + 1), { interval: 10 });
    clock.advance(61_000); // A's 60 s lease has run out (its renewal, every 20 s, has not come round)
    const passB = b.dispatcher.tick();
    await vi.waitFor(() => expect(llm.requests.length).toBe(asked + 2), { interval: 10 });
    await passA; // A's review is answered first: its markSent finds the row B's
    const { id } = await reviewOf(no);
    expect(await row(id)).toMatchObject({ status: 'pending', lockedBy: 'instance-b', attempts: 0 });
    expect(logA.lines.some((l) => l.outboxId === id && /lease lost/.test(l.msg))).toBe(true);
    expect(logA.lines.some((l) => l.outboxId === id && l.msg === 'outbox message sent')).toBe(false);
    await passB;
    expect(await row(id)).toMatchObject({ status: 'sent', lockedBy: null, attempts: 1 });
    expect(logB.lines.some((l) => l.outboxId === id && l.msg === 'outbox message sent')).toBe(true);
  });

  const notTheLeaseHolder =
    'when a row is no longer its lease holder, ' +
    'then the repository refuses to mark, fail or postpone it for anyone else';
  it(notTheLeaseHolder, async () => {
    const repo = createOutboxRepo(a.ds);
    const id = await insertRow({ channel: 'test_fence', recipient: 'nobody', payload: { text: '测试' } });
    expect((await repo.claimDue(clock.now(), 5, 'owner-a', 60_000, { only: ['test_fence'] })).map((m) => m.id)).toEqual(
      [id],
    );
    clock.advance(61_000);
    expect((await repo.claimDue(clock.now(), 5, 'owner-b', 60_000, { only: ['test_fence'] })).map((m) => m.id)).toEqual(
      [id],
    );
    expect(await repo.markSent(id, 'owner-a', clock.now())).toBe(false);
    expect(await repo.markFailed(id, 'owner-a', 1, 'late', clock.now())).toBe(false);
    expect(await repo.postpone(id, 'owner-a', clock.now())).toBe(false);
    expect(await repo.renew([id], 'owner-a', clock.now())).toEqual(new Set());
    expect(await row(id)).toMatchObject({ status: 'pending', lockedBy: 'owner-b', attempts: 0, lastError: null });
    expect(await repo.markSent(id, 'owner-b', clock.now())).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'sent', lockedBy: null, attempts: 1 });
  });

  const sendOutlastsLease =
    'when a send outlasts its lease, then its dispatcher renews the lease and no other instance sends the row';
  it(sendOutlastsLease, async () => {
    const repo = createOutboxRepo(a.ds);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sends: string[] = [];
    const slow = {
      send: async (recipient: string) => {
        sends.push(recipient);
        await gate;
      },
    };
    const deps = {
      repo,
      senders: { test_slow: slow },
      isPermanent: () => false,
      clock,
      logger: logA.logger,
      pollMs: 60_000,
      channels: { only: ['test_slow'] },
      leaseMs: 300, // renewed every 100 ms
    };
    const first = new OutboxDispatcher({ ...deps, owner: 'slow-a' });
    const second = new OutboxDispatcher({ ...deps, owner: 'slow-b' });
    const id = await insertRow({ channel: 'test_slow', recipient: 'someone', payload: { text: '慢' } });
    const pass = first.tick();
    await vi.waitFor(() => expect(sends).toHaveLength(1), { interval: 10 });
    clock.advance(61_000); // by the clock, the claim's lease has run out (the default one as well)
    await vi.waitFor(
      async () => expect((await row(id)).lockedUntil!.getTime()).toBeGreaterThan(clock.now().getTime()),
      { timeout: 2_000, interval: 20 },
    );
    expect(await second.tick()).toBe(0);
    release();
    expect(await pass).toBe(1);
    expect(sends).toEqual(['someone']);
    expect(await row(id)).toMatchObject({ status: 'sent', lockedBy: null, attempts: 1 });
  });

  const senderThrowsAtOnce =
    'when a sender throws at once on a payload, ' +
    'then that row is failed with the reason and the next row still goes out';
  it(senderThrowsAtOnce, async () => {
    // This held before (the send is awaited inside the try); pinned here with the rest of the bad-row cases.
    const sent: string[] = [];
    const dispatcher = new OutboxDispatcher({
      repo: createOutboxRepo(a.ds),
      senders: {
        test_sync: {
          send: (_to, payload) => {
            if (!payload.card) throw new TypeError('payload.card is required');
            return Promise.resolve();
          },
        },
        test_ok: { send: async (to) => void sent.push(to) },
      },
      isPermanent: () => false,
      clock,
      logger: logA.logger,
      owner: 'sync-a',
      pollMs: 60_000,
      channels: { only: ['test_sync', 'test_ok'] },
    });
    const bad = await insertRow({ channel: 'test_sync', recipient: 'x', payload: { text: '没有卡片' } });
    const ok = await insertRow({ channel: 'test_ok', recipient: 'y', payload: { text: '正常' } });
    expect(await dispatcher.tick()).toBe(2);
    expect(await rawRow(bad)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'payload.card is required' });
    expect(await rawRow(ok)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent).toEqual(['y']);
    expect(logA.lines.some((l) => l.outboxId === bad && l.err === 'payload.card is required')).toBe(true);
  });

  const badRows =
    'when rows are bad (unknown channel, unreadable or empty payload, a digest without text), ' +
    'then each is dead with its reason and the good one still goes out';
  it(badRows, async () => {
    const fax = await insertRow({ channel: 'fax', recipient: '010-1234', payload: { text: '传真' } });
    const unreadable = await insertRow({ channel: 'wecom_app', recipient: 'kf01', payload: { text: '坏' } });
    await a.ds.query('UPDATE outbox SET payload = ? WHERE id = ?', ['{"text": "坏', unreadable]);
    const empty = await insertRow({ channel: 'wecom_app', recipient: 'kf01', payload: { text: '空' } });
    await a.ds.query('UPDATE outbox SET payload = ? WHERE id = ?', ['null', empty]);
    const textless = await insertRow({ channel: 'wecom_appchat', recipient: 'chat-1', payload: { card: {} } });
    const good = await insertRow({ channel: 'wecom_app', recipient: 'kf01', payload: { text: '好的通知 JOBS-GOOD' } });
    while ((await a.dispatcher.tick()) > 0);
    expect(await rawRow(good)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(platform.callsTo('/cgi-bin/message/send').some((c) => c.body.text?.content === '好的通知 JOBS-GOOD')).toBe(
      true,
    );
    const reasons = {
      [fax]: 'channel fax is not configured for sending',
      [unreadable]: 'payload is not valid JSON',
      [empty]: 'payload is not an object',
      [textless]: 'payload has no text to send',
    };
    for (const [id, reason] of Object.entries(reasons)) {
      const r = await rawRow(Number(id));
      expect(r).toMatchObject({ status: 'dead', attempts: 1, locked_by: null });
      expect(r.last_error).toContain(reason);
      expect(logA.lines.some((l) => l.outboxId === Number(id) && l.level === 50 && l.reason?.includes(reason))).toBe(
        true,
      );
    }
  });
});
