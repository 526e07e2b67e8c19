// TypeORM implementation of the intake store.
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { ChannelName } from '../../dialogue/inbound.js';
import type { Profile } from '../../dialogue/index.js';
import { ConcurrencyError, type IntakeStore, type IntakeTx, type OutboxItem } from '../../intake/ports.js';
import {
  buildingOf,
  type Incident,
  type NewDeadline,
  type NewTicket,
  type Ticket,
  type TicketEvent,
} from '../../tickets/index.js';
import { isRetryable, isUniqueViolation } from '../errors.js';
import {
  type OutboxRow,
  ApprovalEntity,
  CounterEntity,
  DeadlineEntity,
  IncidentEntity,
  InboundEntity,
  OutboxEntity,
  ResidentEntity,
  TicketEntity,
  TicketEventEntity,
} from '../schema.js';
import { insertedId, rowCodec, type Statement } from './fast-rows.js';
import { serialized } from '../sqlite-lock.js';
import { mysqlTicketSequence, type TicketSequence } from './ticket-sequence.js';
import { PROFILE_UPSERT, profileRow, readAhead } from './read-ahead.js';
import { roundTrips } from './round-trips.js';
import { keepIncidents, reportReads } from './same-fault-reads.js';
import { takeAll } from './take-all.js';

export function createIntakeStore(ds: DataSource): IntakeStore & { close(): Promise<void> } {
  const url = ds.options.type === 'better-sqlite3' ? undefined : (ds.options as { url?: string }).url;
  const sequence = url ? mysqlTicketSequence(url) : undefined;
  // SQLite has one writer at a time (see sqlite-lock.ts): nothing to lock row by row.
  const locking = ds.options.type !== 'better-sqlite3';
  return {
    close: async () => sequence?.close(),
    transaction: (fn, options) => {
      const run = async (m: EntityManager) => {
        const tx = intakeTx(m, sequence, locking);
        const result = await fn(tx);
        await tx.flush();
        return result;
      };
      const work =
        options?.batch && locking
          ? () => groupCommit(ds, (m) => intakeTx(m, sequence, locking, OPEN_READ_COMMITTED), fn)
          : () => ds.transaction(run);
      return serialized(ds, work).catch((err: unknown) => {
        if (isRetryable(err)) throw new ConcurrencyError(`retryable database conflict: ${(err as Error).message}`);
        // A conversation's rows are written at commit: another instance that wrote the same message id or first
        // session in between meets the unique key there, and running the messages again reads what it wrote.
        if (options?.batch && isUniqueViolation(err))
          throw new ConcurrencyError(`written concurrently: ${(err as Error).message}`);
        throw err;
      });
    },
    async findInboundReply(channel, dedupeKey) {
      const row = await ds.getRepository(InboundEntity).findOneBy({ channel, dedupeKey });
      return row ? { reply: row.reply } : undefined;
    },
  };
}

// A group commit opens its transaction in the packet of its first read and commits in the packet of its writes:
// a lone message costs two round trips plus what its ticket needs.
const OPEN_READ_COMMITTED: Statement[] = [
  ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', []],
  ['START TRANSACTION', []],
];
const COMMIT: Statement = ['COMMIT', []];

type IntakeTxImpl = IntakeTx & { flush(closing?: Statement): Promise<void>; drain(): Promise<void> };

async function groupCommit<T>(
  ds: DataSource,
  open: (m: EntityManager) => IntakeTxImpl,
  fn: (tx: IntakeTx) => Promise<T>,
): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const tx = open(qr.manager);
    const result = await fn(tx);
    await tx.flush(COMMIT);
    return result;
  } catch (err) {
    // A statement that fails stops the rest of its packet, COMMIT included.
    await qr.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await qr.release();
  }
}

/**
 * Timeline events, deadlines and outbox rows are write-only inside a transaction: they are buffered and written with
 * one multi-row statement each just before commit (a ticket writes about ten of them; one statement each was the
 * largest share of the webhook's CPU). After `prefetch` (a group commit), the batch's sessions, profiles and message
 * ids are buffered the same way.
 */
function intakeTx(
  m: EntityManager,
  sequence: TicketSequence | undefined,
  locking: boolean,
  opening: Statement[] = [],
): IntakeTxImpl {
  const events: TicketEvent[] = [];
  const deadlines: NewDeadline[] = [];
  const outbox = new Map<string, Omit<OutboxRow, 'id'>>();
  const link = roundTrips(m, locking, opening);
  const ahead = readAhead(m, locking, link);
  // Incidents read or written in this transaction (the candidates' query brings theirs along).
  const incidents = new Map<number, Incident>();
  // Residents who joined incidents in this transaction, added at commit in incident order: batches that join the
  // same incidents then lock them in one order (updating each as its report came deadlocked busy batches).
  const headCounts = new Map<number, { added: number; at: Date }>();
  // Ticket numbers taken ahead for this batch, per counter scope, in order.
  const reserved = new Map<string, number[]>();
  /** The ORM for the statements it builds itself: what is still pending goes first, so every read sees it. */
  const orm = async () => {
    await link.drain();
    return m;
  };
  return {
    drain: link.drain,
    async flush(closing) {
      // With the writes still pending, and COMMIT for a group commit, in one packet on MySQL.
      const writes: Statement[] = [...headCountWrites(m, headCounts), ...ahead.writes()];
      if (events.length) writes.push(...rowCodec(m, TicketEventEntity).insertMany(events.splice(0)));
      // A kind the ticket already has keeps its clock (a later grade adds deadlines, never restarts one).
      if (deadlines.length)
        writes.push(...rowCodec(m, DeadlineEntity).insertMany(deadlines.splice(0), { ignore: true }));
      // The dedupe key is unique: enqueuing an effect already recorded (by an earlier transaction) is a no-op.
      if (outbox.size)
        writes.push(...rowCodec(m, OutboxEntity).insertMany(takeAll(outbox) as Partial<OutboxRow>[], { ignore: true }));
      await link.runMany(closing ? [...writes, closing] : writes);
    },
    prefetch: (messages) => ahead.load(messages),
    // One session model: a conversation is read ahead (and locked) by prefetch and written back at commit.
    async recordInbound(channel, dedupeKey, userId, reply, now) {
      const buffered = ahead.recordInbound({ channel, dedupeKey, userId, reply, receivedAt: now });
      if (buffered === undefined) throw new Error(`message ${channel}:${dedupeKey} was not read ahead (prefetch)`);
      return buffered;
    },
    async loadSession(channel, userId) {
      const cached = ahead.session(channel, userId);
      if (cached === undefined) throw new Error(`session ${channel}:${userId} was not read ahead (prefetch)`);
      return cached?.session;
    },
    async saveSession(channel, userId, session, now) {
      const before = ahead.session(channel, userId);
      if (before === undefined) throw new Error(`session ${channel}:${userId} was not read ahead (prefetch)`);
      ahead.saveSession({ channel, userId, state: session, version: (before?.version ?? 0) + 1, updatedAt: now });
    },
    async loadProfile(channel, userId) {
      const cached = ahead.profile(channel, userId);
      if (cached !== undefined) return cached ?? undefined;
      await link.drain();
      const row = await m.findOneBy(ResidentEntity, { channel, userId });
      return row ? { name: row.name, room: row.room, phone: row.phone, projectCode: row.projectCode } : undefined;
    },
    async saveProfile(channel: ChannelName, userId: string, p: Profile, now: Date) {
      if (ahead.saveProfile(profileRow(channel, userId, p, now))) return;
      // One upsert on the (channel, user_id) unique key; created_at stays as first written.
      await link.runMany(rowCodec(m, ResidentEntity).insertMany([profileRow(channel, userId, p, now)], PROFILE_UPSERT));
    },
    async reserveTicketSeqs(scope, count) {
      // SQLite: numbers come from the counter row inside the transaction; nothing to gain.
      if (!sequence || count < 2) return;
      const last = await sequence.take(scope, count);
      reserved.set(scope, [
        ...(reserved.get(scope) ?? []),
        ...Array.from({ length: count }, (_, i) => last - count + 1 + i),
      ]);
    },
    async nextTicketSeq(scope) {
      const ready = reserved.get(scope)?.shift();
      if (ready !== undefined) return ready;
      if (sequence) return sequence.take(scope, 1);
      // SQLite: one writer at a time anyway, so the counter lives in the transaction.
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await m
          .createQueryBuilder()
          .update(CounterEntity)
          .set({ seq: () => 'seq + 1' })
          .where('scope = :scope', { scope })
          .execute();
        if (r.affected === 0) {
          try {
            await m.insert(CounterEntity, { scope, seq: 1 });
            return 1;
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            continue;
          }
        }
        const row = await m.findOneByOrFail(CounterEntity, { scope });
        return row.seq;
      }
      throw new ConcurrencyError(`could not allocate a ticket number in ${scope}`);
    },
    async insertTicket(t: NewTicket) {
      const id = insertedId(await link.run(rowCodec(m, TicketEntity).insert(stored(t))));
      return { ...t, id } as Ticket;
    },
    async updateTicket(id, patch) {
      await link.later(rowCodec(m, TicketEntity).updateByIds([id], stored(patch)));
    },
    async updateTickets(ids, patch) {
      await link.later(rowCodec(m, TicketEntity).updateByIds(ids, stored(patch)));
    },
    async findTicket(no) {
      const t = rowCodec(m, TicketEntity);
      const [row] = (await link.run([`${t.select()} WHERE ${t.c.no} = ?`, [no]])) as Record<string, unknown>[];
      return row ? t.hydrate(row) : undefined;
    },
    async listTicketsOf(channel, userId, limit) {
      const t = rowCodec(m, TicketEntity);
      const rows = (await link.run([
        `${t.select()} WHERE ${t.c.channel} = ? AND ${t.c.userId} = ? ORDER BY ${t.c.id} DESC LIMIT ?`,
        [channel, userId, limit],
      ])) as Record<string, unknown>[];
      return rows.map((r) => t.hydrate(r));
    },
    async addEvent(e: TicketEvent) {
      events.push(e);
    },
    async insertDeadlines(rows) {
      // Write-only inside a transaction, like events: the scan reads them in transactions of its own.
      deadlines.push(...rows);
    },
    async dueDeadlines(now, limit) {
      const d = rowCodec(m, DeadlineEntity);
      const rows = (await link.run([
        `${d.select()} WHERE ${d.c.nextCheckAt} <= ? ORDER BY ${d.c.nextCheckAt}, ${d.c.id} LIMIT ?`,
        [d.param('nextCheckAt', now), limit],
      ])) as Record<string, unknown>[];
      // Each row on its own: one whose JSON is broken must not hide the others from the scan.
      return rows.map((raw) => {
        try {
          return d.hydrate(raw);
        } catch (err) {
          const unreadable = `stored row cannot be read: ${(err as Error).message}`;
          return { id: Number(raw['id']), ticketId: Number(raw['ticket_id']), unreadable };
        }
      });
    },
    async updateDeadline(id, patch) {
      const db = await orm();
      await db.update(DeadlineEntity, { id }, patch);
    },
    async advanceDeadline(d) {
      const db = await orm();
      const r = await db
        .createQueryBuilder()
        .update(DeadlineEntity)
        .set({ dueAt: d.dueAt, warnAt: d.warnAt, nextCheckAt: d.nextCheckAt, urgent: d.urgent, stage: 'pending' })
        .where(
          'ticket_id = :ticketId AND kind = :kind AND met_at IS NULL' +
            " AND stage IN ('pending', 'warned') AND due_at > :dueAt",
          { ticketId: d.ticketId, kind: d.kind, dueAt: d.dueAt },
        )
        .execute();
      return (r.affected ?? 0) > 0;
    },
    async findTicketById(id) {
      const db = await orm();
      return (await db.findOneBy(TicketEntity, { id })) ?? undefined;
    },
    async insertApproval(a) {
      const db = await orm();
      const r = await db.insert(ApprovalEntity, a);
      return { ...a, id: Number(r.identifiers[0]?.id) };
    },
    async approvalsOf(ticketId) {
      const db = await orm();
      return db.find(ApprovalEntity, { where: { ticketId }, order: { id: 'ASC' } });
    },
    async findApproval(id) {
      const db = await orm();
      return (await db.findOneBy(ApprovalEntity, { id })) ?? undefined;
    },
    async updateApproval(id, patch) {
      const db = await orm();
      await db.update(ApprovalEntity, { id }, patch);
    },
    async lastHandledBy(userId) {
      const db = await orm();
      return (
        (await db.findOne(TicketEntity, { where: { handler: userId }, order: { updatedAt: 'DESC', id: 'DESC' } })) ??
        undefined
      );
    },
    async awaitingRating(channel, userId) {
      const db = await orm();
      return (
        (await db.findOne(TicketEntity, {
          where: { channel, userId, status: 'resolved', rating: IsNull() },
          order: { completedAt: 'DESC', id: 'DESC' },
        })) ?? undefined
      );
    },
    async insertTicketAmongReports(t, f, limit) {
      const reads = reportReads(m, f, limit);
      const { c, table } = rowCodec(m, TicketEntity);
      const mine: Statement = [
        `SELECT ${c.incidentId} AS id FROM ${table}` +
          ` WHERE ${c.channel} = ? AND ${c.userId} = ? AND ${c.incidentId} IS NOT NULL`,
        [t.channel, t.userId],
      ];
      const [inserted, ...found] = await link.runMany([rowCodec(m, TicketEntity).insert(stored(t)), ...reads, mine]);
      const reporterIncidents = new Set((found.pop() as { id: number | string }[]).map((r) => Number(r.id)));
      const ticket = { ...t, id: insertedId(inserted) } as Ticket;
      return {
        ticket,
        recent: keepIncidents(m, incidents, found as Record<string, unknown>[][], limit),
        reporterIncidents,
      };
    },
    async insertIncident(i) {
      const incident = { ...i, id: insertedId(await link.run(rowCodec(m, IncidentEntity).insert(i))) };
      incidents.set(incident.id, incident);
      return { ...incident };
    },
    async findIncident(id) {
      const seen = incidents.get(id);
      if (seen) return { ...seen };
      const i = rowCodec(m, IncidentEntity);
      const [row] = (await link.run([`${i.select()} WHERE ${i.c.id} = ?`, [id]])) as Record<string, unknown>[];
      return row ? i.hydrate(row) : undefined;
    },
    async updateIncident(id, patch) {
      const seen = incidents.get(id);
      if (seen) incidents.set(id, { ...seen, ...patch });
      await link.later(rowCodec(m, IncidentEntity).updateByIds([id], patch));
    },
    async lockIncidentLinks(ticketIds, incidentId) {
      const ids = [...ticketIds].sort((x, y) => x - y);
      const list = ids.map(() => '?').join(', ');
      // SKIP LOCKED: a report another transaction is linking right now is left to it; waiting for it instead made
      // concurrent batches deadlock (each locks its candidates report by report).
      const skipLocked = locking ? ' FOR UPDATE SKIP LOCKED' : '';
      const t = rowCodec(m, TicketEntity);
      const inc = rowCodec(m, IncidentEntity);
      const c = t.c;
      const sql = `SELECT ${c.id} AS id, ${c.incidentId} AS i FROM ${t.table} WHERE ${c.id} IN (${list})${skipLocked}`;
      const lockIncident = `SELECT ${inc.c.id} FROM ${inc.table} WHERE ${inc.c.id} = ? FOR UPDATE`;
      const first: Statement[] = locking && incidentId !== undefined ? [[lockIncident, [incidentId]]] : [];
      const counted: Statement[] =
        incidentId === undefined
          ? []
          : [
              [
                `SELECT DISTINCT o.${c.channel} AS channel, o.${c.userId} AS u` +
                  ` FROM ${t.table} n JOIN ${t.table} o` +
                  ` ON o.${c.channel} = n.${c.channel} AND o.${c.userId} = n.${c.userId}` +
                  ` WHERE n.${c.id} IN (${list}) AND o.${c.incidentId} = ?`,
                [...ids, incidentId],
              ],
            ];
      const results = await link.runMany([...first, [sql, ids], ...counted]);
      const rows = results[first.length] as { id: number | string; i: number | string | null }[];
      const already = (counted.length ? results.at(-1) : []) as { channel: string; u: string }[];
      return {
        links: new Map(rows.map((r) => [Number(r.id), r.i === null ? null : Number(r.i)])),
        counted: new Set(already.map((r) => `${r.channel}:${r.u}`)),
      };
    },
    async joinIncident(id, ticketIds, newResidents, now) {
      const seen = incidents.get(id);
      if (seen) incidents.set(id, { ...seen, residents: seen.residents + newResidents, updatedAt: now });
      await link.later(rowCodec(m, TicketEntity).updateByIds(ticketIds, { incidentId: id }));
      const before = headCounts.get(id);
      headCounts.set(id, { added: (before?.added ?? 0) + newResidents, at: now });
    },
    async openIncidentsFrom(residents) {
      const i = rowCodec(m, IncidentEntity);
      const rows = (await link.run([
        `${i.select()} WHERE ${i.c.status} = 'open' AND ${i.c.residents} >= ?` +
          ` ORDER BY ${i.c.id}${locking ? ' FOR UPDATE' : ''}`,
        [residents],
      ])) as Record<string, unknown>[];
      return rows.map((r) => i.hydrate(r));
    },
    async ticketsOfIncident(id) {
      const t = rowCodec(m, TicketEntity);
      const rows = (await link.run([
        `${t.select()} WHERE ${t.c.incidentId} = ? ORDER BY ${t.c.id} ASC`,
        [id],
      ])) as Record<string, unknown>[];
      return rows.map((r) => t.hydrate(r));
    },
    async enqueue(item: OutboxItem, now: Date, notBefore?: Date) {
      if (outbox.has(item.dedupeKey)) return;
      outbox.set(item.dedupeKey, {
        dedupeKey: item.dedupeKey,
        channel: item.channel,
        recipient: item.recipient,
        payload: item.payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: notBefore && notBefore > now ? notBefore : now,
        lockedBy: null,
        lockedUntil: null,
        lastError: null,
        createdAt: now,
        sentAt: null,
      });
    },
  };
}

/** A ticket (or a change to one) as written: the building follows the room (see TicketRow). */
function stored<T extends Partial<Ticket>>(t: T): T & { building?: string } {
  return t.room === undefined ? t : { ...t, building: buildingOf(t.room) };
}

function headCountWrites(m: EntityManager, added: Map<number, { added: number; at: Date }>): Statement[] {
  const i = rowCodec(m, IncidentEntity);
  const { residents, updatedAt, id: idCol } = i.c;
  const sql = `UPDATE ${i.table} SET ${residents} = ${residents} + ?, ${updatedAt} = ? WHERE ${idCol} = ?`;
  const writes = [...added]
    .sort(([a], [b]) => a - b)
    .map(([id, h]): Statement => [sql, [h.added, i.param('updatedAt', h.at), id]]);
  added.clear();
  return writes;
}
