// The retention job (policy 004 §四.4: complaint records are kept at least two years; RETENTION_DAYS, 730 days by
// default). A finished ticket older than the keeping period loses everything that tells who reported it or where
// they live, and keeps everything the monthly KPI reports count: its number, project, labels, status, people on the
// staff side, rating, times and deadlines. Its timeline keeps its shape (type, time, staff actors) without the data,
// and the resident's profile goes once nothing recent is left of them.
//
// Like the re-encrypt job: bounded rows per run, keyset paging on the primary key, one transaction per ticket, and
// each change re-checks what made the row due, so a run that stops half-way, a rerun, or a second instance holding
// the lease late changes nothing twice and nothing that is no longer due.
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import type { Logger } from '../lib/logger.js';
import { maskPersonalText } from '../lib/masking.js';
import { buildingOf } from '../tickets/index.js';
import { serialized } from './sqlite-lock.js';
import {
  ApprovalEntity,
  DeadlineEntity,
  OutboxEntity,
  ResidentEntity,
  SessionEntity,
  TicketEntity,
  TicketEventEntity,
  type TicketRow,
} from './schema.js';

/** What an anonymised ticket says instead of the resident's name, and instead of a room that is not a building's. */
export const ANONYMISED_NAME = '已匿名';
/** Stands for the platform user id: the ticket no longer leads to the resident's account (nor they to it). */
export const ANONYMISED_USER = 'anonymised';
/** Stands for the resident's words: masked at filing, they may still describe the home and the people in it. */
export const ANONYMISED_TEXT = '（已超过保存期限，内容已匿名）';

const FINISHED = ['resolved', 'closed', 'cancelled'];
/** Outbox rows that will not be sent again; a pending one is left to the dispatcher. */
const DELIVERED = ['sent', 'dead'];
const BATCH = 200;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Anonymises up to `limit` finished tickets whose creation (or completion, when later) is more than `keepDays` before
 * `now`, then forgets up to `limit` resident profiles nothing recent is left of; returns how many tickets it
 * anonymised (0: none is due).
 */
export async function anonymiseExpiredTickets(
  ds: DataSource,
  now: Date,
  keepDays: number,
  limit = 2000,
  o: RetentionOptions = {},
): Promise<number> {
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS);
  let budget = limit;
  let anonymised = 0;
  let failed = 0;
  // A ticket that could not be anonymised this run (it failed, or changed under us) is passed by id, not retried.
  let after = 0;
  while (budget > 0) {
    const ids = await expiredTicketIds(ds, cutoff, Math.min(BATCH, budget), after);
    if (!ids.length) break;
    for (const id of ids) {
      try {
        anonymised += await anonymiseTicket(ds, id, cutoff, now);
      } catch (err) {
        // One ticket's trouble (a key no longer in the keyring, a lock conflict) is logged; the others go on.
        failed++;
        o.logger?.warn({ err, ticketId: id }, 'retention: ticket not anonymised; the next run tries again');
      }
    }
    budget -= ids.length;
    after = ids.at(-1)!;
    if (ids.length < BATCH) break;
  }
  const forgotten = await forgetResidents(ds, cutoff, limit);
  // SQLite keeps the values just overwritten in WAL frames until the WAL starts over; copy it back and empty it
  // (secure_delete has zeroed the freed space in the file itself).
  if (anonymised + forgotten > 0 && ds.options.type === 'better-sqlite3')
    await serialized(ds, () => ds.query('PRAGMA wal_checkpoint(TRUNCATE)'));
  o.logger?.info({ anonymised, failed, residentsForgotten: forgotten, cutoff }, 'retention run done');
  return anonymised;
}

const isExpired = (t: Pick<TicketRow, 'status' | 'createdAt' | 'completedAt' | 'anonymisedAt'>, cutoff: Date) =>
  !t.anonymisedAt &&
  FINISHED.includes(t.status) &&
  t.createdAt < cutoff &&
  (t.completedAt === null || t.completedAt < cutoff);

async function expiredTicketIds(ds: DataSource, cutoff: Date, limit: number, after: number): Promise<number[]> {
  const rows = await ds
    .getRepository(TicketEntity)
    .createQueryBuilder('t')
    .select('t.id', 'id')
    .where('t.anonymised_at IS NULL')
    .andWhere('t.created_at < :cutoff', { cutoff })
    .andWhere('t.status IN (:...finished)', { finished: FINISHED })
    .andWhere('(t.completed_at IS NULL OR t.completed_at < :cutoff)', { cutoff })
    .andWhere('t.id > :after', { after })
    .orderBy('t.id', 'ASC')
    .limit(limit)
    .getRawMany<{ id: number | string }>();
  return rows.map((r) => Number(r.id));
}

/** One ticket with its timeline and delivered notices, in one transaction; 1 when it was anonymised. */
function anonymiseTicket(ds: DataSource, id: number, cutoff: Date, now: Date): Promise<number> {
  const locking = ds.options.type !== 'better-sqlite3';
  return serialized(ds, () =>
    ds.transaction(async (m) => {
      const tickets = m.getRepository(TicketEntity);
      // Read (and on MySQL lock) the ticket as it is now: reopened or anonymised since the scan, it is left alone.
      const t = await tickets.findOne({ where: { id }, ...(locking ? { lock: { mode: 'pessimistic_write' } } : {}) });
      if (!t || !isExpired(t, cutoff)) return 0;
      const who = { name: t.residentName, phone: t.phone };
      const room = keptRoom(t.room);
      // Written through the entity, so the sealed columns get sealed placeholders and the JSON ones JSON.
      // updated_at stays: it orders a member of staff's "latest ticket", which an old ticket must not become.
      await tickets.update(id, {
        userId: ANONYMISED_USER,
        residentName: ANONYMISED_NAME,
        phone: null,
        location: null,
        phoneIndex: null,
        phoneTailIndex: null,
        nameIndex: null,
        room,
        building: buildingOf(room),
        content: ANONYMISED_TEXT,
        summary: ANONYMISED_TEXT,
        images: [],
        // The complaint ledger's handling notes are staff-written and the ledger needs them; only the resident's name
        // and phone numbers in them are masked, as the resident's own words were at filing.
        causeAnalysis: masked(t.causeAnalysis, who),
        correctiveAction: masked(t.correctiveAction, who),
        handlingOpinion: masked(t.handlingOpinion, who),
        leaderInstruction: masked(t.leaderInstruction, who),
        anonymisedAt: now,
      });
      await anonymiseTimeline(m, t);
      await deleteDeliveredNotices(m, ds, t);
      return 1;
    }),
  );
}

/** "3-2-502" → "3": the building alone is shared by too many homes to point at one; anything else goes. */
const keptRoom = (room: string) => (room.includes('-') && buildingOf(room) ? buildingOf(room) : ANONYMISED_NAME);

const masked = (text: string | null, who: { name: string; phone: string | null }) =>
  text === null ? null : maskPersonalText(text, who);

/**
 * Events keep their type, time and actor — the ticket's history as the KPI and the ledger read it — but not their
 * data (notes, notice texts, edits of the name or room, label corrections — so the ticket also leaves the training
 * data of `npm run train -- --with-corrections`, its text being gone). The resident's own actor label carries their
 * platform id, so it goes with the ticket's.
 */
async function anonymiseTimeline(m: EntityManager, t: TicketRow): Promise<void> {
  const events = m.getRepository(TicketEventEntity);
  await events.update({ ticketId: t.id }, { data: null });
  await events.update(
    { ticketId: t.id, actor: `${t.channel}:${t.userId}` },
    { actor: `${t.channel}:${ANONYMISED_USER}` },
  );
}

/**
 * The ticket's delivered notices: to the resident, to staff about it, about its deadlines and approvals, and the
 * resolution of its incident (each kind keyed by the ticket's number or one of its rows, tickets/notify.ts).
 */
async function deleteDeliveredNotices(m: EntityManager, ds: DataSource, t: TicketRow): Promise<void> {
  const deadlines = await m.getRepository(DeadlineEntity).find({ select: { id: true }, where: { ticketId: t.id } });
  const approvals = await m.getRepository(ApprovalEntity).find({ select: { id: true }, where: { ticketId: t.id } });
  const prefixes = [
    `ticket:${t.no}:`,
    ...deadlines.map((d) => `deadline:${d.id}:`),
    ...approvals.map((a) => `approval:${a.id}:`),
  ];
  const keys = t.incidentId === null ? [] : [`incident:${t.incidentId}:resolved:${t.no}`];
  await m
    .createQueryBuilder()
    .delete()
    .from(OutboxEntity)
    .where('status IN (:...delivered)', { delivered: DELIVERED })
    .andWhere(
      new Brackets((b) => {
        prefixes.forEach((p, i) =>
          b.orWhere(startsWith(ds, 'dedupe_key', `p${i}`), { [`p${i}`]: prefixPattern(ds, p) }),
        );
        if (keys.length) b.orWhere('dedupe_key IN (:...keys)', { keys });
      }),
    )
    .execute();
}

/**
 * A prefix match the unique index on the key can answer: SQLite's LIKE ignores case and so cannot use a binary index,
 * its GLOB can; MySQL's LIKE with a fixed prefix reads an index range.
 */
const startsWith = (ds: DataSource, column: string, param: string) =>
  ds.options.type === 'better-sqlite3' ? `${column} GLOB :${param}` : `${column} LIKE :${param}`;

const prefixPattern = (ds: DataSource, prefix: string) =>
  ds.options.type === 'better-sqlite3'
    ? `${prefix.replace(/[*?[]/g, '[$&]')}*`
    : `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Profiles (name, room, phone kept to greet a returning resident) of residents with no ticket left that is not
 * anonymised — all their tickets are past the keeping period, or they have none — and no conversation within it.
 * The profile and its stale conversation go together; both conditions are checked again by the DELETE itself, so a
 * resident who wrote meanwhile keeps them.
 */
async function forgetResidents(ds: DataSource, cutoff: Date, limit: number): Promise<number> {
  let budget = limit;
  let forgotten = 0;
  let after = 0;
  while (budget > 0) {
    const n = Math.min(BATCH, budget);
    const candidates = await ds
      .getRepository(ResidentEntity)
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .addSelect('r.channel', 'channel')
      .addSelect('r.user_id', 'userId')
      .where('r.updated_at < :cutoff', { cutoff })
      .andWhere('r.id > :after', { after })
      .andWhere(
        'NOT EXISTS (SELECT 1 FROM ticket t WHERE t.channel = r.channel AND t.user_id = r.user_id ' +
          'AND t.anonymised_at IS NULL)',
      )
      .andWhere(
        'NOT EXISTS (SELECT 1 FROM dialogue_session s WHERE s.channel = r.channel AND s.user_id = r.user_id ' +
          'AND s.updated_at >= :cutoff)',
        { cutoff },
      )
      .orderBy('r.id', 'ASC')
      .limit(n)
      .getRawMany<{ id: number | string; channel: string; userId: string }>();
    if (!candidates.length) break;
    for (const r of candidates) forgotten += await forgetResident(ds, Number(r.id), r.channel, r.userId, cutoff);
    budget -= candidates.length;
    after = Number(candidates.at(-1)!.id);
    if (candidates.length < n) break;
  }
  return forgotten;
}

function forgetResident(ds: DataSource, id: number, channel: string, userId: string, cutoff: Date): Promise<number> {
  const who = { channel, userId, cutoff };
  return serialized(ds, () =>
    ds.transaction(async (m) => {
      const deleted = await m
        .createQueryBuilder()
        .delete()
        .from(ResidentEntity)
        .where('id = :id AND updated_at < :cutoff', { id, cutoff })
        .andWhere(
          'NOT EXISTS (SELECT 1 FROM ticket t WHERE t.channel = :channel AND t.user_id = :userId ' +
            'AND t.anonymised_at IS NULL)',
          who,
        )
        .andWhere(
          'NOT EXISTS (SELECT 1 FROM dialogue_session s WHERE s.channel = :channel AND s.user_id = :userId ' +
            'AND s.updated_at >= :cutoff)',
          who,
        )
        .execute();
      if (!deleted.affected) return 0;
      // The conversation's draft may still hold the name and phone; it is as old as the profile's last use.
      await m
        .createQueryBuilder()
        .delete()
        .from(SessionEntity)
        .where('channel = :channel AND user_id = :userId AND updated_at < :cutoff', who)
        .execute();
      return 1;
    }),
  );
}
