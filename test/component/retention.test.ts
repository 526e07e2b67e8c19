// The retention job: finished tickets past the keeping period (two years by default) lose whatever identifies the
// resident — on disk too, SQLite file and WAL or a MariaDB dump — and keep everything the KPI reports count; open and
// recent tickets stay as they are, profiles go once nothing recent is left of the resident, and a rerun does nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymiseExpiredTickets } from '../../src/db/retention.js';
import {
  DeadlineEntity,
  OutboxEntity,
  ResidentEntity,
  SessionEntity,
  TicketEntity,
  TicketEventEntity,
  type TicketRow,
} from '../../src/db/schema.js';
import type { Service } from '../../src/service.js';
import type { Actor } from '../../src/tickets/index.js';
import { mpSay, ticketNoIn } from '../support/callbacks.js';
import { TEST_NOW, testClock } from '../support/clock.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';
import { outboxRows, ticketRows, storedBytes } from '../support/stored.js';

const DAY = 86_400_000;
const manager: Actor = { type: 'console', userId: 'li', roles: ['manager'], projects: ['XFL'] };
/** When the job runs: two years and a day after the tickets were filed. */
const LATER = new Date(TEST_NOW.getTime() + 731 * DAY);

const A = { user: 'o-ret-a', name: '欧阳丽娜', phone: '13812345678' }; // resolved and rated: expired
const B = { user: 'o-ret-b', name: '司马建国', phone: '13900002222' }; // cancelled: expired
const C = { user: 'o-ret-c', name: '上官婉儿', phone: '13700003333' }; // still open: kept
const D = { user: 'o-ret-d', name: '诸葛明亮', phone: '13600004444' }; // completed a year later: kept
const E = { user: 'o-ret-e', name: '孙秀英', phone: '13500005555' }; // expired, but wrote again this year

/** What the monthly KPI reports read: none of it may change. */
const KPI_FIELDS = [
  'id',
  'no',
  'projectCode',
  'channel',
  'kind',
  'category',
  'trade',
  'urgency',
  'level',
  'confidence',
  'status',
  'department',
  'handler',
  'receiver',
  'rating',
  'rulePack',
  'incidentId',
  'commonArea',
  'createdAt',
  'completedAt',
  'responseDueAt',
  'updatedAt',
] as const;
const kpiOf = (t: TicketRow) => Object.fromEntries(KPI_FIELDS.map((f) => [f, t[f]]));

describe.each(DB_KINDS)('retention of finished tickets on %s', (kind) => {
  let svc: Service;
  const database = databaseFor(kind, 'retention');
  const no: Record<string, string> = {};
  let before: TicketRow[] = [];
  let deadlinesBefore: unknown[] = [];
  let countsBefore: unknown[] = [];
  /** Raw stored values (ciphertexts, blind indexes) of what must be gone from disk after the run. */
  let secrets: string[] = [];
  let kept: string[] = [];

  const say = (who: { user: string }, text: string) => mpSay(svc.url, who.user, text);
  const file = async (who: { user: string }, text: string) => {
    const reply = await say(who, text);
    expect(reply).toMatch(/已为您登记工单/);
    return ticketNoIn(reply);
  };
  const admin = async (path: string) =>
    json(await fetch(`${svc.url}${path}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const byNo = (rows: TicketRow[], key: string) => rows.find((t) => t.no === no[key])!;
  const everythingStored = () => storedBytes(database);
  const raw = async (sql: string, params: unknown[]) =>
    ((await svc.ds.query(sql, params)) as Record<string, unknown>[]).flatMap((r) =>
      Object.values(r).filter((v): v is string => typeof v === 'string' && v.length > 0),
    );
  const rawOfTicket = async (id: number) => [
    ...(await raw(
      'SELECT resident_name, phone, location, phone_index, phone_tail_index, name_index FROM ticket WHERE id = ?',
      [id],
    )),
    ...(await raw('SELECT data FROM ticket_event WHERE ticket_id = ?', [id])),
  ];
  const rawOfResident = (user: string) => raw('SELECT name, phone FROM resident WHERE user_id = ?', [user]);
  const countsByLabel = () =>
    svc.ds
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .select(['t.category AS category', 't.level AS level', 't.status AS status', 't.rating AS rating'])
      .addSelect('COUNT(*)', 'n')
      .groupBy('t.category')
      .addGroupBy('t.level')
      .addGroupBy('t.status')
      .addGroupBy('t.rating')
      .orderBy('category')
      .addOrderBy('level')
      .addOrderBy('status')
      .addOrderBy('rating')
      .getRawMany()
      .then((rows) => rows.map((r) => ({ ...r, n: Number(r.n) })));

  beforeAll(async () => {
    testClock.set(TEST_NOW);
    svc = await startTestService(kind, 'retention', { database });
    // Filed through the real webhook, two years before the job runs.
    no.a = await file(A, `我是${A.name}，3栋2单元502，卫生间天花板在滴水`);
    await say(A, A.phone);
    no.b = await file(B, `我是${B.name}，12号楼1803，楼道的灯坏了好几天了`);
    await say(B, B.phone);
    expect(await say(B, '取消')).toContain('已撤销');
    no.c = await file(C, `我是${C.name}，5栋1单元301，小区门口的道闸坏了`);
    await say(C, C.phone);
    no.d = await file(D, `我是${D.name}，7栋3单元1201，厨房水龙头一直漏水`);
    await say(D, D.phone);
    no.e = await file(E, `我是${E.name}，B座1203，电梯按钮不亮了`);
    await say(E, E.phone);
    // Staff work: notes naming the resident (the ledger keeps them, masked), completion, the resident's rating.
    const notes = { causeAnalysis: `${A.name}家楼上防水层老化，已电话${A.phone}联系业主` };
    expect((await svc.tickets.addHandlingNotes(manager, no.a, notes)).kind).toBe('done');
    expect((await svc.tickets.complete(manager, no.a, '更换了防水层')).kind).toBe('done');
    expect((await svc.tickets.complete(manager, no.e, '更换了按钮')).kind).toBe('done');
    await say(A, '满意');
    const tickets = svc.ds.getRepository(TicketEntity);
    await tickets.update({ no: no.a }, { images: ['MEDIA_RET_1'], location: { lat: 30.1, lng: 120.2, label: '3栋' } });
    // A year later: D's ticket is only completed now, and E writes in again.
    testClock.set(new Date(TEST_NOW.getTime() + 400 * DAY));
    expect((await svc.tickets.complete(manager, no.d, '更换了阀芯')).kind).toBe('done');
    await say(E, '你好');
    // Every notice so far went out, except one of A's that is still waiting.
    await svc.ds.getRepository(OutboxEntity).createQueryBuilder().update().set({ status: 'sent' }).execute();
    const [waiting] = (await outboxRows(svc.ds)).filter((r) => r.dedupeKey.startsWith(`ticket:${no.a}:`));
    await svc.ds.getRepository(OutboxEntity).update(waiting!.id, { status: 'pending' });

    before = await ticketRows(svc.ds);
    expect(byNo(before, 'a')).toMatchObject({ status: 'resolved', rating: 'satisfied', phone: A.phone });
    expect(byNo(before, 'b').status).toBe('cancelled');
    expect(byNo(before, 'c').status).toBe('open');
    deadlinesBefore = await svc.ds.getRepository(DeadlineEntity).find({ order: { id: 'ASC' } });
    countsBefore = await countsByLabel();
    const expired = ['a', 'b', 'e'].map((k) => byNo(before, k));
    secrets = [
      ...(await Promise.all(expired.map((t) => rawOfTicket(t.id)))).flat(),
      ...(await rawOfResident(A.user)),
      ...(await rawOfResident(B.user)),
      ...(await raw('SELECT payload FROM outbox WHERE dedupe_key LIKE ? AND status = ?', [`ticket:${no.b}:%`, 'sent'])),
    ];
    kept = await rawOfTicket(byNo(before, 'c').id);
    testClock.set(LATER);
  });
  afterAll(async () => {
    testClock.set(TEST_NOW);
    await svc?.close();
  });

  it('when the job may do one ticket, then it anonymises exactly one, the oldest due', async () => {
    expect(await anonymiseExpiredTickets(svc.ds, LATER, 730, 1)).toBe(1);
    const done = (await ticketRows(svc.ds)).filter((t) => t.anonymisedAt);
    expect(done.map((t) => t.no)).toEqual([no.a]);
  });

  it('when the nightly job runs two years on, then expired tickets lose the resident and keep the KPI', async () => {
    expect(await svc.scheduler.runOnce('anonymise-expired-tickets')).toBe(2);
    const after = await ticketRows(svc.ds);
    for (const k of ['a', 'b', 'e']) {
      const t = byNo(after, k);
      expect(t, k).toMatchObject({
        userId: 'anonymised',
        residentName: '已匿名',
        phone: null,
        location: null,
        phoneIndex: null,
        phoneTailIndex: null,
        nameIndex: null,
        content: '（已超过保存期限，内容已匿名）',
        summary: '（已超过保存期限，内容已匿名）',
        images: [],
      });
      expect(t.anonymisedAt, k).toBeInstanceOf(Date);
      expect(kpiOf(t), k).toEqual(kpiOf(byNo(before, k)));
    }
    // Only the building is left of the room; the handling notes stay for the ledger, the resident masked in them.
    expect(['a', 'b', 'e'].map((k) => byNo(after, k).room)).toEqual(['3', '12', 'B']);
    expect(byNo(after, 'a')).toMatchObject({
      causeAnalysis: '欧***家楼上防水层老化，已电话138****5678联系业主',
      handlingOpinion: '更换了防水层',
    });
    // The open ticket, and the one completed within the keeping period, are exactly as they were.
    expect(byNo(after, 'c')).toEqual(byNo(before, 'c'));
    expect(byNo(after, 'd')).toEqual(byNo(before, 'd'));
    expect(await svc.ds.getRepository(DeadlineEntity).find({ order: { id: 'ASC' } })).toEqual(deadlinesBefore);
    expect(await countsByLabel()).toEqual(countsBefore);
  });

  it('when a ticket is anonymised, then its timeline keeps its shape without data or the resident', async () => {
    const events = svc.ds.getRepository(TicketEventEntity);
    const a = byNo(before, 'a');
    const timeline = await events.find({ where: { ticketId: a.id }, order: { id: 'ASC' } });
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'completed', 'rated']));
    for (const e of timeline) {
      expect(e.data).toBeNull();
      expect(e.actor).not.toContain(A.user);
    }
    expect(timeline.find((e) => e.type === 'completed')!.actor).toBe('console:li');
    const open = await events.find({ where: { ticketId: byNo(before, 'c').id } });
    expect(open.some((e) => e.data !== null)).toBe(true);
  });

  it('when a ticket is anonymised, then staff cannot find it by the resident and its sent notices go', async () => {
    for (const q of [A.phone, '5678', A.name, B.phone, E.name])
      expect((await admin(`/api/tickets?resident=${encodeURIComponent(q)}`)).total, q).toBe(0);
    expect((await admin(`/api/tickets?resident=${C.phone}`)).items.map((t: { no: string }) => t.no)).toEqual([no.c]);
    const outbox = await outboxRows(svc.ds);
    const ofTicket = (k: string) => outbox.filter((r) => r.dedupeKey.startsWith(`ticket:${no[k]}:`));
    expect(ofTicket('a').map((r) => r.status)).toEqual(['pending']); // not delivered yet: left to the dispatcher
    expect(ofTicket('b')).toEqual([]);
    expect(ofTicket('e')).toEqual([]);
    expect(ofTicket('c').length).toBeGreaterThan(0);
    expect(ofTicket('d').length).toBeGreaterThan(0);
  });

  it('when nothing recent is left of a resident, then their profile and conversation go; others stay', async () => {
    const profiles = await svc.ds.getRepository(ResidentEntity).find({ order: { id: 'ASC' } });
    expect(profiles.map((r) => r.userId).sort()).toEqual([C.user, D.user, E.user]);
    const sessions = await svc.ds.getRepository(SessionEntity).find();
    expect(sessions.map((s) => s.userId).sort()).toEqual([C.user, D.user, E.user]);
  });

  it('when the job has run, then no trace of the expired residents is left on disk', async () => {
    const stored = everythingStored();
    expect(stored).toContain(kept[0]!); // the open ticket's sealed name is there: we are reading the right data
    for (const s of [...secrets, A.name, A.phone, B.name, B.phone, E.name, E.phone])
      expect(stored.includes(s), s).toBe(false);
  });

  it('when the job runs again, then it has nothing left to do and changes nothing', async () => {
    const snapshot = await ticketRows(svc.ds);
    expect(await svc.scheduler.runOnce('anonymise-expired-tickets')).toBe(0);
    expect(await anonymiseExpiredTickets(svc.ds, LATER, 730)).toBe(0);
    expect(await ticketRows(svc.ds)).toEqual(snapshot);
  });
});
