// TypeORM implementation of the intake store.
import type { DataSource, EntityManager } from 'typeorm';
import { ConcurrencyError, type IntakeStore, type IntakeTx, type OutboxItem } from '../../intake/ports.js';
import type { Incident, NewDeadline, TicketEvent } from '../../tickets/index.js';
import { isRetryable, isUniqueViolation } from '../errors.js';
import {
  type OutboxRow,
  DeadlineEntity,
  IncidentEntity,
  InboundEntity,
  OutboxEntity,
  TicketEventEntity,
} from '../schema.js';
import { rowCodec, type Statement } from './fast-rows.js';
import { serialized } from '../sqlite-lock.js';
import { mysqlTicketSequence, type TransactionNumbers, transactionNumbers } from './ticket-sequence.js';
import { readAhead } from './read-ahead.js';
import { roundTrips } from './round-trips.js';
import { takeAll } from './take-all.js';
import type { Unit } from './unit.js';
import { conversationRows } from './conversation-rows.js';
import { ticketRows } from './ticket-rows.js';
import { incidentRows } from './incident-rows.js';
import { deadlineAndApprovalRows } from './deadline-rows.js';
import { webFilingRows } from './web-filing-rows.js';

export function createIntakeStore(ds: DataSource): IntakeStore & { close(): Promise<void> } {
  const url = ds.options.type === 'better-sqlite3' ? undefined : (ds.options as { url?: string }).url;
  const sequence = url ? mysqlTicketSequence(url) : undefined;
  // SQLite has one writer at a time (see sqlite-lock.ts): nothing to lock row by row.
  const locking = ds.options.type !== 'better-sqlite3';
  return {
    close: async () => sequence?.close(),
    transaction: (fn, options) => {
      const numbers = sequence && transactionNumbers(sequence);
      const run = async (m: EntityManager) => {
        const tx = intakeTx(m, numbers, locking);
        const result = await fn(tx);
        await tx.flush();
        return result;
      };
      const work =
        options?.batch && locking
          ? () => groupCommit(ds, (m) => intakeTx(m, numbers, locking, OPEN_READ_COMMITTED), fn)
          : () => ds.transaction(run);
      const settled = async () => {
        try {
          const result = await work();
          numbers?.settle(true);
          return result;
        } catch (err) {
          numbers?.settle(false);
          throw err;
        }
      };
      return serialized(ds, settled).catch((err: unknown) => {
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
  numbers: TransactionNumbers | undefined,
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
  /** The ORM for the statements it builds itself: what is still pending goes first, so every read sees it. */
  const orm = async () => {
    await link.drain();
    return m;
  };
  const u: Unit = {
    m,
    link,
    ahead,
    orm,
    locking,
    numbers,
    events,
    deadlines,
    outbox,
    incidents,
    headCounts,
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

    ...conversationRows(u),
    ...ticketRows(u),
    ...incidentRows(u),
    ...deadlineAndApprovalRows(u),
    ...webFilingRows(u),
  };
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
