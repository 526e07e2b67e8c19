// The KPIs' reads: one month's facts (kpi/facts.ts) in five statements, each on an index — the month's tickets by
// created_at; by the range of their ids, their deadlines folded to one row a ticket (a GROUP BY in the order of
// uq_deadline_ticket_kind) and their reopen events (ix_event_type, 0013); the same-problem reports around the month
// by created_at again; the month's incidents by ix_incident_created (0013). Only plain columns are read: never the
// sealed name, phone or location (db/personal-data.ts) — the figures do not need them, and reading them would decrypt
// every row.
//
// The statements are not one snapshot: on MySQL they run side by side on the pool. A ticket acted on between two of
// them may show its new state in one and its old in another, which a monthly figure can bear; the next load is whole.
import type { DataSource, EntitySchema, ObjectLiteral } from 'typeorm';
import {
  type DeadlineFacts,
  type IncidentFacts,
  type MonthFacts,
  monthRange,
  PROBLEM_KINDS,
  type ProblemFiling,
  REPEAT_WINDOW_DAYS,
  type TicketFacts,
} from '../kpi/index.js';
import { rowCodec } from './intake-uow/fast-rows.js';
import { ANONYMISED_USER } from './retention.js';
import type { Rating, TicketStatus } from '../tickets/index.js';
import { DeadlineEntity, IncidentEntity, TicketEntity, TicketEventEntity } from './schema.js';

export interface KpiQueries {
  /** The facts of a calendar month ('YYYY-MM', Asia/Shanghai) as they stand at `asOf`. */
  monthFacts(month: string, asOf: Date): Promise<MonthFacts>;
}

const WINDOW_MS = REPEAT_WINDOW_DAYS * 86_400_000;

const TICKET_COLUMNS = [
  'id',
  'no',
  'projectCode',
  'channel',
  'userId',
  'kind',
  'category',
  'trade',
  'level',
  'status',
  'handler',
  'rating',
  'incidentId',
  'createdAt',
  'completedAt',
] as const;
const FILING_COLUMNS = ['id', 'channel', 'userId', 'kind', 'category', 'trade', 'createdAt'] as const;
const INCIDENT_COLUMNS = [
  'id',
  'projectCode',
  'category',
  'trade',
  'level',
  'residents',
  'status',
  'createdAt',
] as const;

/** The month's tickets by id: the range that holds them, and which of the range are the month's. */
interface IdRange {
  first: number;
  last: number;
  month: Set<number>;
}

/** Channel and platform user: who the resident is for the same-problem checks; nobody once anonymised. */
const residentOf = (channel: string, userId: string) => (userId === ANONYMISED_USER ? null : `${channel}:${userId}`);

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** TypeORM's datetime text on SQLite: UTC, 'YYYY-MM-DD HH:MM:SS.SSS'. */
const SQLITE_DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;
const digits = (s: string, at: number, n: number) => {
  let v = 0;
  for (let k = at; k < at + n; k++) v = v * 10 + s.charCodeAt(k) - 48;
  return v;
};

/**
 * The reads map raw rows themselves rather than through the row codec's hydrate: strings and integers come from both
 * drivers as they are, and only datetimes need converting — mysql2 gives Dates already (timezone 'Z'), SQLite gives
 * the UTC text above, read here digit by digit; anything else goes through the driver's own conversion. On SQLite
 * the codec's generic per-value path was a third of the load of a month (40,000 tickets, 200,000 dates).
 */
function dateReader(ds: DataSource, entity: EntitySchema<ObjectLiteral>, prop: string) {
  const column = ds.getMetadata(entity).findColumnWithPropertyName(prop)!;
  return (v: unknown): Date | null => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return v;
    if (typeof v === 'string' && SQLITE_DATETIME.test(v)) {
      const year = digits(v, 0, 4);
      const month = digits(v, 5, 2) - 1;
      const day = digits(v, 8, 2);
      return new Date(
        Date.UTC(year, month, day, digits(v, 11, 2), digits(v, 14, 2), digits(v, 17, 2), digits(v, 20, 3)),
      );
    }
    return ds.driver.prepareHydratedValue(v, column) as Date;
  };
}

/** The columns' names as the raw rows carry them (unquoted), by property. */
function rawNames<P extends string>(ds: DataSource, entity: EntitySchema<ObjectLiteral>, props: readonly P[]) {
  const meta = ds.getMetadata(entity);
  return Object.fromEntries(props.map((p) => [p, meta.findColumnWithPropertyName(p)!.databaseName])) as Record<
    P,
    string
  >;
}

export function createKpiQueries(ds: DataSource): KpiQueries {
  const m = ds.manager;
  const t = rowCodec(m, TicketEntity);
  const d = rowCodec(m, DeadlineEntity);
  const e = rowCodec(m, TicketEventEntity);
  const i = rowCodec(m, IncidentEntity);
  const tn = rawNames(ds, TicketEntity, TICKET_COLUMNS);
  const inc = rawNames(ds, IncidentEntity, INCIDENT_COLUMNS);
  const ticketDate = dateReader(ds, TicketEntity, 'createdAt');
  const deadlineDate = dateReader(ds, DeadlineEntity, 'dueAt');
  const incidentDate = dateReader(ds, IncidentEntity, 'createdAt');
  const rows = (sql: string, params: unknown[]) => ds.query(sql, params) as Promise<Record<string, unknown>[]>;
  const created = (from: Date, to: Date) => [t.param('createdAt', from), t.param('createdAt', to)];
  const inRange = `${t.c.createdAt} >= ? AND ${t.c.createdAt} < ?`;

  /** The month's tickets as facts; what the other reads add (reopened, deadlines) is filled in by monthFacts. */
  async function tickets(from: Date, to: Date): Promise<TicketFacts[]> {
    return (await rows(`${t.select(TICKET_COLUMNS)} WHERE ${inRange}`, created(from, to))).map((r) => ({
      id: Number(r[tn.id]),
      no: String(r[tn.no]),
      projectCode: String(r[tn.projectCode]),
      kind: String(r[tn.kind]),
      category: String(r[tn.category]),
      trade: text(r[tn.trade]),
      level: String(r[tn.level]),
      status: String(r[tn.status]) as TicketStatus,
      handler: text(r[tn.handler]),
      resident: residentOf(String(r[tn.channel]), String(r[tn.userId])),
      createdAt: ticketDate(r[tn.createdAt])!,
      completedAt: ticketDate(r[tn.completedAt]),
      rating: text(r[tn.rating]) as Rating | null,
      reopened: false,
      response: null,
      resolution: null,
      incidentId: int(r[tn.incidentId]),
    }));
  }

  /**
   * Per ticket, each group's tightest due and first met — one row a ticket. Staff meet a group's deadlines together
   * (meetDeadlines), so the earliest met_at is the act that kept the group. The callback and approvals are in no
   * group the figures read.
   *
   * By the month's range of ticket ids, not a join on the tickets' created_at: ids follow filing order, so the range
   * is the month's tickets (and at most a few others, dropped here), read in index order — no temporary table for the
   * GROUP BY and no look-up of each ticket. The join took 670 ms on MariaDB over 1,000,000 tickets, this 290 ms.
   */
  async function deadlines(ids: IdRange) {
    const out = new Map<number, { response: DeadlineFacts | null; resolution: DeadlineFacts | null }>();
    if (!ids.month.size) return out;
    const response = `${d.c.kind} IN ('response', 'lead_report')`;
    const fold = (group: string, col: string, as: string) => `MIN(CASE WHEN ${group} THEN ${col} END) AS ${as}`;
    const sql =
      `SELECT ${d.c.ticketId} AS ticket_id, ` +
      [
        fold(response, d.c.dueAt, 'r_due'),
        fold(response, d.c.metAt, 'r_met'),
        fold(`NOT ${response}`, d.c.dueAt, 's_due'),
        fold(`NOT ${response}`, d.c.metAt, 's_met'),
      ].join(', ') +
      ` FROM ${d.table} WHERE ${d.c.ticketId} BETWEEN ? AND ?` +
      ` AND ${d.c.kind} <> 'callback' AND ${d.c.kind} NOT LIKE 'approval:%'` +
      ` GROUP BY ${d.c.ticketId}`;
    const group = (due: unknown, met: unknown): DeadlineFacts | null =>
      due === null || due === undefined ? null : { dueAt: deadlineDate(due)!, metAt: deadlineDate(met) };
    for (const r of await rows(sql, [ids.first, ids.last])) {
      const id = Number(r['ticket_id']);
      if (ids.month.has(id))
        out.set(id, { response: group(r['r_due'], r['r_met']), resolution: group(r['s_due'], r['s_met']) });
    }
    return out;
  }

  /** Reopened tickets, by the month's range of ids on ix_event_type (type, ticket_id): the index alone answers. */
  async function reopened(ids: IdRange) {
    if (!ids.month.size) return new Set<number>();
    const sql =
      `SELECT DISTINCT ${e.c.ticketId} AS ticket_id FROM ${e.table}` +
      ` WHERE ${e.c.type} = 'reopened' AND ${e.c.ticketId} BETWEEN ? AND ?`;
    return new Set((await rows(sql, [ids.first, ids.last])).map((r) => Number(r['ticket_id'])));
  }

  /**
   * Repairs and complaints not withdrawn, filed in the windows, by the month's residents. The windows are read whole
   * (by created_at) and the other residents dropped here: narrowing it in SQL (an IN subquery on channel and user)
   * made SQLite walk every report of each resident instead, three to four times slower on the benchmark.
   */
  async function filings(windows: [Date, Date][], residents: Set<string>): Promise<ProblemFiling[]> {
    if (!windows.length || !residents.size) return [];
    const sql =
      `${t.select(FILING_COLUMNS)} WHERE (${windows.map(() => `(${inRange})`).join(' OR ')})` +
      ` AND ${t.c.kind} IN (${PROBLEM_KINDS.map(() => '?').join(', ')}) AND ${t.c.status} <> 'cancelled'`;
    const out: ProblemFiling[] = [];
    for (const r of await rows(sql, [...windows.flatMap(([a, b]) => created(a, b)), ...PROBLEM_KINDS])) {
      const resident = residentOf(String(r[tn.channel]), String(r[tn.userId]));
      if (!resident || !residents.has(resident)) continue;
      out.push({
        id: Number(r[tn.id]),
        resident,
        kind: String(r[tn.kind]),
        category: String(r[tn.category]),
        trade: text(r[tn.trade]),
        createdAt: ticketDate(r[tn.createdAt])!,
      });
    }
    return out;
  }

  async function incidents(from: Date, to: Date): Promise<IncidentFacts[]> {
    const sql = `${i.select(INCIDENT_COLUMNS)} WHERE ${i.c.createdAt} >= ? AND ${i.c.createdAt} < ?`;
    return (await rows(sql, [i.param('createdAt', from), i.param('createdAt', to)])).map((r) => ({
      id: Number(r[inc.id]),
      projectCode: String(r[inc.projectCode]),
      category: String(r[inc.category]),
      trade: text(r[inc.trade]),
      level: String(r[inc.level]),
      residents: Number(r[inc.residents]),
      status: String(r[inc.status]),
      createdAt: incidentDate(r[inc.createdAt])!,
    }));
  }

  return {
    async monthFacts(month, asOf) {
      const { from, to } = monthRange(month);
      const own = await tickets(from, to);
      // Repeats look back 30 days from a ticket; a fix holds when nothing comes back within 30 days of the work
      // being done — up to the month's last completion + 30 days, and nothing is filed after asOf.
      const lastDone = own.reduce((last, x) => Math.max(last, x.completedAt?.getTime() ?? 0), to.getTime());
      const until = new Date(Math.min(asOf.getTime(), lastDone + WINDOW_MS));
      const windows: [Date, Date][] = [[new Date(from.getTime() - WINDOW_MS), from]];
      if (until > to) windows.push([to, until]);
      const ids: IdRange = {
        first: own.reduce((first, x) => Math.min(first, x.id), Number.MAX_SAFE_INTEGER),
        last: own.reduce((last, x) => Math.max(last, x.id), 0),
        month: new Set(own.map((x) => x.id)),
      };
      const [groups, reopens, history, opened] = await Promise.all([
        deadlines(ids),
        reopened(ids),
        filings(windows, new Set(own.flatMap((x) => x.resident ?? []))),
        incidents(from, to),
      ]);
      for (const x of own) {
        x.reopened = reopens.has(x.id);
        x.response = groups.get(x.id)?.response ?? null;
        x.resolution = groups.get(x.id)?.resolution ?? null;
      }
      return { month, from, to, tickets: own, incidents: opened, history };
    },
  };
}
