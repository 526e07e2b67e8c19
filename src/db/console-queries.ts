// What the console reads, always inside the user's scope: the scope is part of every query's WHERE, so a ticket of
// another project is not found at all (a handler typing its URL gets 404, not a hidden page).
import { Brackets, type DataSource, type SelectQueryBuilder } from 'typeorm';
import type { TicketStatus } from '../tickets/index.js';
import { nameIndex, phoneIndex, phoneTailIndex } from './personal-data.js';
import {
  ApprovalEntity,
  DeadlineEntity,
  IncidentEntity,
  TicketEntity,
  TicketEventEntity,
  type TicketRow,
} from './schema.js';

export interface ConsoleScope {
  projects: string[] | 'all';
  /** A handler sees the tickets assigned to them and to their department, nothing else. */
  own?: { handler: string; department: string | null };
}

export const ACTIVE: TicketStatus[] = ['open', 'assigned', 'in_progress'];

export interface ConsoleFilter {
  /** `active`: not yet finished (open, assigned, in progress). */
  status?: TicketStatus | 'active';
  category?: string;
  level?: string;
  urgency?: string;
  project?: string;
  handler?: string;
  overdue?: boolean;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** A ticket number, a phone or its last four digits, a name, a room, or words of the complaint. */
  q?: string;
  /** Keyset paging: tickets with a smaller id than this (the last one of the page before). */
  before?: number;
  pageSize: number;
}

/** Counting past this is not worth a scan: the page says "10000+". */
export const COUNT_CAP = 10_000;

const TICKET_NO = /^[A-Za-z0-9]+-\d{6,8}-\d{2,6}$/;

function inScope(q: SelectQueryBuilder<TicketRow>, s: ConsoleScope): SelectQueryBuilder<TicketRow> {
  if (s.projects !== 'all') q.andWhere('t.project_code IN (:...scopeProjects)', { scopeProjects: ['', ...s.projects] });
  const own = s.own;
  if (own)
    q.andWhere(
      new Brackets((w) => {
        w.where('t.handler = :ownHandler', { ownHandler: own.handler });
        if (own.department) w.orWhere('t.department = :ownDepartment', { ownDepartment: own.department });
      }),
    );
  return q;
}

/**
 * A room that starts with these digits, read off ix_ticket_room: SQLite's LIKE ignores case and so cannot use a binary
 * index, its GLOB can; MySQL's LIKE with a fixed prefix reads an index range (retention.ts does the same).
 */
const roomStartsWith = (sqlite: boolean, digits: string): [string, { room: string }] =>
  sqlite ? ['t.room GLOB :room', { room: `${digits}*` }] : ['t.room LIKE :room', { room: `${digits}%` }];

function search(q: SelectQueryBuilder<TicketRow>, text: string, sqlite: boolean): void {
  const t = text.trim();
  if (TICKET_NO.test(t)) {
    q.andWhere('t.no = :no', { no: t });
    return;
  }
  const digits = t.replace(/[\s-]/g, '');
  if (/^1\d{10}$/.test(digits)) {
    q.andWhere('t.phone_index = :phone', { phone: phoneIndex(digits) });
    return;
  }
  if (/^\d{4}$/.test(digits)) {
    // Four digits are a phone's tail — or the start of a room ("1502").
    q.andWhere(
      new Brackets((w) =>
        w
          .where('t.phone_tail_index = :tail', { tail: phoneTailIndex(digits) })
          .orWhere(...roomStartsWith(sqlite, digits)),
      ),
    );
    return;
  }
  const like = t.replace(/[\\%_]/g, (c) => `\\${c}`);
  q.andWhere(
    new Brackets((w) =>
      w
        .where('t.name_index = :name', { name: nameIndex(t) ?? '' })
        .orWhere('t.room LIKE :roomPrefix', { roomPrefix: `${like}%` })
        .orWhere('t.summary LIKE :words', { words: `%${like}%` })
        .orWhere('t.content LIKE :words'),
    ),
  );
}

export function createConsoleQueries(ds: DataSource) {
  const tickets = () => ds.getRepository(TicketEntity).createQueryBuilder('t');
  const sqlite = ds.options.type === 'better-sqlite3';

  function filtered(scope: ConsoleScope, f: Omit<ConsoleFilter, 'before' | 'pageSize'>, now: Date) {
    const q = inScope(tickets(), scope);
    if (f.status === 'active') q.andWhere('t.status IN (:...active)', { active: ACTIVE });
    else if (f.status) q.andWhere('t.status = :status', { status: f.status });
    if (f.category) q.andWhere('t.category = :category', { category: f.category });
    if (f.level) q.andWhere('t.level = :level', { level: f.level });
    if (f.urgency) q.andWhere('t.urgency = :urgency', { urgency: f.urgency });
    if (f.project) q.andWhere('t.project_code = :project', { project: f.project });
    if (f.handler) q.andWhere('t.handler = :handler', { handler: f.handler });
    if (f.from) q.andWhere('t.created_at >= :from', { from: f.from });
    if (f.to) q.andWhere('t.created_at < :to', { to: f.to });
    // A count per ticket, not EXISTS: MariaDB turns EXISTS into a semi-join and first collects every unmet deadline
    // there is (those of cancelled tickets stay unmet for ever) instead of looking up the few of each ticket it reads:
    // 0.2 s a query on a million tickets, still 30–70 ms with ix_deadline_unmet; 2–20 ms this way.
    if (f.overdue)
      q.andWhere('t.status IN (:...active)', { active: ACTIVE }).andWhere(
        '(SELECT COUNT(*) FROM ticket_deadline d' +
          ' WHERE d.ticket_id = t.id AND d.met_at IS NULL AND d.due_at < :now) > 0',
        { now },
      );
    if (f.q) search(q, f.q, sqlite);
    return q;
  }

  async function cappedCount(q: SelectQueryBuilder<TicketRow>): Promise<number> {
    const inner = q
      .clone()
      .select('1')
      .orderBy()
      .limit(COUNT_CAP + 1);
    const [sql, params] = inner.getQueryAndParameters();
    const rows: { n: number | string }[] = await ds.query(`SELECT COUNT(*) AS n FROM (${sql}) capped`, params);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The page's ids, newest first, then its tickets: where a plan sorts (SQLite sorts whenever it reads an index range)
   * it sorts ids read off an index instead of whole tickets — a handler's queue on a million tickets went from 0.6 s
   * to 30 ms. With a date range the matches sit together in id order (tickets are numbered as they are filed), which
   * the planners do not know: MariaDB walked the primary key from the newest ticket through every ticket filed after
   * the range (2 s for a month a year back). Ordering by `t.id + 0`, which no index delivers, makes it read the range
   * from ix_ticket_created and sort those ids instead.
   */
  async function page(q: SelectQueryBuilder<TicketRow>, f: ConsoleFilter): Promise<TicketRow[]> {
    const byDate = (f.from || f.to) && !f.q;
    const ids = await q
      .select('t.id', 'id')
      .orderBy(byDate ? 't.id + 0' : 't.id', 'DESC')
      .limit(f.pageSize + 1)
      .getRawMany<{ id: number | string }>();
    if (!ids.length) return [];
    return tickets()
      .whereInIds(ids.map((r) => Number(r.id)))
      .orderBy('t.id', 'DESC')
      .getMany();
  }

  return {
    async list(scope: ConsoleScope, f: ConsoleFilter, now: Date) {
      const q = filtered(scope, f, now);
      const total = await cappedCount(q);
      if (f.before) q.andWhere('t.id < :before', { before: f.before });
      const rows = await page(q, f);
      const items = rows.slice(0, f.pageSize);
      return { items, total, capped: total > COUNT_CAP, next: rows.length > f.pageSize ? items.at(-1)?.id : undefined };
    },

    /** The ticket with all that its page shows, or undefined when there is none in the scope. */
    async ticket(scope: ConsoleScope, no: string) {
      const ticket = await inScope(tickets(), scope).andWhere('t.no = :no', { no }).getOne();
      if (!ticket) return undefined;
      const [timeline, deadlines, approvals, incident] = await Promise.all([
        ds.getRepository(TicketEventEntity).find({ where: { ticketId: ticket.id }, order: { at: 'ASC', id: 'ASC' } }),
        ds.getRepository(DeadlineEntity).find({ where: { ticketId: ticket.id }, order: { dueAt: 'ASC', id: 'ASC' } }),
        ds.getRepository(ApprovalEntity).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } }),
        ticket.incidentId ? ds.getRepository(IncidentEntity).findOneBy({ id: ticket.incidentId }) : null,
      ]);
      return { ticket, timeline, deadlines, approvals, incident };
    },

    /** Pending approvals on the scope's tickets, oldest first. */
    async pendingApprovals(scope: ConsoleScope, limit: number) {
      const q = inScope(tickets(), scope)
        .innerJoin('approval', 'a', 'a.ticket_id = t.id')
        .andWhere("a.status = 'pending'")
        .select(['t.no AS no', 't.summary AS summary', 'a.id AS id', 'a.question AS question', 'a.created_at AS at'])
        .orderBy('a.id', 'ASC')
        .limit(limit);
      return (await q.getRawMany()) as { no: string; summary: string; id: number; question: string; at: Date }[];
    },

    async incidents(scope: ConsoleScope, status: 'open' | 'resolved' | undefined, limit: number) {
      const q = ds.getRepository(IncidentEntity).createQueryBuilder('i');
      if (scope.projects !== 'all') q.andWhere('i.project_code IN (:...p)', { p: ['', ...scope.projects] });
      if (status) q.andWhere('i.status = :status', { status });
      return q.orderBy('i.updated_at', 'DESC').addOrderBy('i.id', 'DESC').limit(limit).getMany();
    },

    async incident(scope: ConsoleScope, id: number) {
      const q = ds.getRepository(IncidentEntity).createQueryBuilder('i').where('i.id = :id', { id });
      if (scope.projects !== 'all') q.andWhere('i.project_code IN (:...p)', { p: ['', ...scope.projects] });
      const incident = await q.getOne();
      if (!incident) return undefined;
      const members = await inScope(tickets(), { projects: scope.projects })
        .andWhere('t.incident_id = :id', { id })
        .orderBy('t.id', 'ASC')
        .getMany();
      return { incident, members };
    },

    /** The first page's counters: my tickets, overdue, awaiting my approval, open incidents. */
    async queues(scope: ConsoleScope, me: string, now: Date) {
      const [mine, overdue, approvals, incidents] = await Promise.all([
        cappedCount(filtered({ projects: scope.projects }, { status: 'active', handler: me }, now)),
        cappedCount(filtered(scope, { overdue: true }, now)),
        this.pendingApprovals(scope, COUNT_CAP).then((r) => r.length),
        this.incidents(scope, 'open', COUNT_CAP).then((r) => r.length),
      ]);
      return { mine, overdue, approvals, incidents };
    },
  };
}

export type ConsoleQueries = ReturnType<typeof createConsoleQueries>;
