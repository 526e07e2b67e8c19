// Group commit: messages arriving together share a transaction, yet each resident gets exactly the reply and the
// ticket they would get alone — also when two instances take the same messages at once and their batches collide.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { mpPost, nextMsgId, openMpReply, openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { startTestService } from '../support/service.js';
import { outboxRows, payloadSays } from '../support/stored.js';

const GIVEN = [...'伟芳娜敏静丽强磊军洋艳勇杰娟涛明超秀霞平'];
const resident = (i: number) => ({
  name: `王${GIVEN[i % GIVEN.length]}${GIVEN[(i * 7 + 3) % GIVEN.length]}`,
  room: `${1 + (i % 9)}-${1 + (i % 3)}-${101 + i}`,
});
const report = (i: number) => {
  const r = resident(i);
  const [b, u, f] = r.room.split('-');
  return `我是${b}栋${u}单元${f}的${r.name}，${i % 2 ? '厨房水龙头一直滴水' : '客厅的灯不亮了'}`;
};

describe.each(DB_KINDS)('group commit on %s', (kind) => {
  let a: Service;
  let b: Service;
  const count = async (sql: string) => Number((await a.ds.query(sql))[0].n);
  /** Each incident's head count, kept by increments as tickets join, against the distinct residents of its tickets. */
  const headCounts = async () => {
    const kept = (await a.ds.query('SELECT id, residents FROM incident')) as {
      id: number | string;
      residents: number | string;
    }[];
    const members = (await a.ds.query(
      'SELECT incident_id AS id, channel, user_id AS u FROM ticket WHERE incident_id IS NOT NULL',
    )) as { id: number | string; channel: string; u: string }[];
    return kept.map((i) => ({
      id: Number(i.id),
      kept: Number(i.residents),
      actual: new Set(members.filter((t) => Number(t.id) === Number(i.id)).map((t) => `${t.channel}:${t.u}`)).size,
    }));
  };
  beforeAll(async () => {
    const database = databaseFor(kind, kind === 'mariadb' ? 'batch' : 'x');
    a = await startTestService(kind, 'batch', { database });
    b = await startTestService(kind, 'batch', { database });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const fortyResidentsAtOnce =
    'when 40 residents report at the same moment, ' +
    'then their messages share transactions and each gets their own ticket';
  it(fortyResidentsAtOnce, async () => {
    const before = a.intakeStats();
    const res = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(a.url, mpPost({ from: `gc_${i}`, text: report(i), msgId: nextMsgId() }, 'safe')),
      ),
    );
    const stats = a.intakeStats();
    expect(stats.messages - before.messages).toBe(40);
    if (kind === 'mariadb') {
      // Fewer transactions than messages: the later arrivals waited for one shared commit. (SQLite answers each
      // message synchronously before the next request is even read: there is nothing to wait for.)
      expect(stats.batches - before.batches).toBeLessThan(40);
      expect(stats.largestBatch).toBeGreaterThan(1);
    }
    const numbers = res.map((r, i) => {
      expect(r.status).toBe(200);
      const text = openMpReply(r.text, 'safe').Content!;
      expect(text).toContain(`${resident(i).room} ${resident(i).name}`);
      return /工单 (KF-\d{8}-\d{4})/.exec(text)![1];
    });
    expect(new Set(numbers).size).toBe(40);
    const rows = (await a.ds.query(`SELECT no, user_id AS u, room FROM ticket WHERE user_id LIKE 'gc%'`)) as {
      no: string;
      u: string;
      room: string;
    }[];
    expect(rows).toHaveLength(40);
    for (const row of rows) {
      const i = Number(row.u.slice(3));
      expect(row.no).toBe(numbers[i]);
      expect(row.room).toBe(resident(i).room);
    }
    expect(await count(`SELECT COUNT(*) AS n FROM inbound_message WHERE user_id LIKE 'gc%'`)).toBe(40);
    expect(await count(`SELECT COUNT(*) AS n FROM dialogue_session WHERE user_id LIKE 'gc%'`)).toBe(40);
    expect(await count(`SELECT COUNT(*) AS n FROM resident WHERE user_id LIKE 'gc%'`)).toBe(40);
    // Numbers taken ahead per batch match the tickets filed: nothing rolled back, so no number was wasted.
    const scope = numbers[0]!.slice(0, 11);
    expect(await count(`SELECT seq AS n FROM ticket_counter WHERE scope = '${scope}'`)).toBe(
      await count(`SELECT COUNT(*) AS n FROM ticket WHERE no LIKE '${scope}-%'`),
    );
    // Neighbours with the same fault joined incidents inside shared transactions; each head count is exact.
    const incidents = await headCounts();
    expect(incidents.length).toBeGreaterThan(0);
    for (const i of incidents) expect(i.kept, `incident ${i.id}`).toBe(i.actual);
  });

  const sameMessagesOnTwoInstances =
    'when the same 30 messages reach two instances at once, then each has one effect and both answer the same';
  it(sameMessagesOnTwoInstances, async () => {
    const reqs = Array.from({ length: 30 }, (_, i) =>
      wecomPost({ from: `twin_${i}`, text: report(100 + i), msgId: nextMsgId() }),
    );
    const [onA, onB] = await Promise.all([
      Promise.all(reqs.map((r) => post(a.url, r))),
      Promise.all(reqs.map((r) => post(b.url, r))),
    ]);
    for (let i = 0; i < 30; i++) {
      expect(openWecomReply(onA[i]!.text).Content).toBe(openWecomReply(onB[i]!.text).Content);
      expect(openWecomReply(onA[i]!.text).Content).toMatch(/已为您登记工单/);
    }
    expect(await count(`SELECT COUNT(*) AS n FROM ticket WHERE user_id LIKE 'twin%'`)).toBe(30);
    expect(await count(`SELECT COUNT(*) AS n FROM inbound_message WHERE user_id LIKE 'twin%'`)).toBe(30);
    const told = (await outboxRows(a.ds)).filter(
      (r) => payloadSays(r, '王') && r.recipient === 'kf01' && r.dedupeKey.startsWith('ticket:'),
    );
    expect(told.length).toBeGreaterThanOrEqual(30);
    // Batches of two instances joined the same incidents at once: increments add up, none is lost or counted twice.
    for (const i of await headCounts()) expect(i.kept, `incident ${i.id}`).toBe(i.actual);
  });

  const oneResidentTwoMessagesAndRetry =
    'when one resident sends two messages at once and a platform retry of the first, then they are taken in turn';
  it(oneResidentTwoMessagesAndRetry, async () => {
    const first = mpPost({ from: 'duo', text: '卫生间天花板在滴水', msgId: nextMsgId() }, 'safe');
    const second = mpPost({ from: 'duo', text: '我是6栋1单元601的赵敏', msgId: nextMsgId() }, 'safe');
    const [r1, r2, retry] = await Promise.all([post(a.url, first), post(a.url, second), post(a.url, first)]);
    expect(openMpReply(retry.text, 'safe').Content).toBe(openMpReply(r1.text, 'safe').Content);
    // Whichever came first, the second completed the report: one ticket with both parts.
    expect([openMpReply(r1.text, 'safe').Content, openMpReply(r2.text, 'safe').Content].join('\n')).toMatch(
      /已为您登记工单/,
    );
    const rows = (await a.ds.query(`SELECT room, content FROM ticket WHERE user_id = 'duo'`)) as {
      room: string;
      content: string;
    }[];
    expect(rows).toEqual([{ room: '6-1-601', content: expect.stringContaining('滴水') }]);
  });

  const batchWithABadMessage =
    'when one message of a batch cannot be handled, ' +
    'then the batch runs again message by message and the others are not lost';
  it(batchWithABadMessage, async () => {
    // A session row that no longer parses makes that resident's message fail wherever it runs.
    await a.ds.query(
      'INSERT INTO dialogue_session (channel, user_id, state, version, updated_at) ' +
        "VALUES ('mp', 'broken', '{not json', 1, '2026-01-01 00:00:00.000')",
    );
    const before = a.intakeStats();
    const good = Array.from({ length: 12 }, (_, i) =>
      post(a.url, mpPost({ from: `fb${i}`, text: report(200 + i), msgId: nextMsgId() }, 'safe')),
    );
    const bad = post(a.url, mpPost({ from: 'broken', text: report(300), msgId: nextMsgId() }, 'safe'));
    const res = await Promise.all(good);
    for (const r of res) expect(openMpReply(r.text, 'safe').Content).toMatch(/已为您登记工单/);
    expect((await bad).status).toBe(500);
    expect(await count(`SELECT COUNT(*) AS n FROM ticket WHERE user_id LIKE 'fb%'`)).toBe(12);
    expect(await count(`SELECT COUNT(*) AS n FROM inbound_message WHERE user_id = 'broken'`)).toBe(0);
    if (kind === 'mariadb') expect(a.intakeStats().fallbacks).toBeGreaterThan(before.fallbacks);
  });
});
