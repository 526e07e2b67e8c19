// The same-fault candidates of a new report (see IntakeTx.insertTicketAmongReports).
import type { EntityManager } from 'typeorm';
import type { ReportQuery } from '../../intake/ports.js';
import type { Incident, Ticket } from '../../tickets/index.js';
import { rowCodec, type Statement } from './fast-rows.js';
import { IncidentEntity, TicketEntity } from '../schema.js';

/**
 * The same-fault candidates: only what the same-fault test reads, mapped by hand (through the query builder,
 * hydrating these rows was the largest single cost of a ticket). A plain read: a locking range read here serialised
 * every report of a category. Two residents reporting the same fault within the same few milliseconds may open two
 * incidents; every later report joins the first. One read per index: the building's reports in the window (0006),
 * and (for a shared facility) the category's shared-facility reports (0004). Each candidate's incident comes along.
 */
export function reportReads(m: EntityManager, f: ReportQuery, limit: number): Statement[] {
  const t = rowCodec(m, TicketEntity);
  const i = rowCodec(m, IncidentEntity);
  const { c } = t;
  const select = (where: string) =>
    `SELECT ${t.columns('t', '', CANDIDATE_COLUMNS)}, ${i.columns('i', 'i_')}` +
    ` FROM ${t.table} t LEFT JOIN ${i.table} i ON i.${i.c.id} = t.${c.incidentId}` +
    ` WHERE t.${c.projectCode} = ? AND t.${c.category} = ? AND ${where} AND t.${c.createdAt} >= ?` +
    // sameFault(): a trade named by only one of the two reports does not part them.
    ` ${f.trade === null ? '' : `AND (t.${c.trade} IS NULL OR t.${c.trade} = ?)`}` +
    ` AND t.${c.status} NOT IN ('cancelled', 'resolved', 'closed') AND NOT (t.${c.channel} = ? AND t.${c.userId} = ?)` +
    ` ORDER BY t.${c.createdAt} DESC LIMIT ?`;
  const params = (first: unknown) => [
    f.projectCode,
    f.category,
    first,
    t.param('createdAt', f.since),
    ...(f.trade === null ? [] : [f.trade]),
    f.notChannel,
    f.notUser,
    limit,
  ];
  const reads: Statement[] = [[select(`t.${c.building} = ?`), params(f.building)]];
  if (f.commonArea) reads.push([select(`t.${c.commonArea} = ?`), params(t.param('commonArea', true))]);
  return reads;
}

/** The two reads merged newest first; the candidates' incidents kept for this transaction (many share one). */
export function keepIncidents(
  m: EntityManager,
  incidents: Map<number, Incident>,
  found: Record<string, unknown>[][],
  limit: number,
): Ticket[] {
  const t = rowCodec(m, TicketEntity);
  const i = rowCodec(m, IncidentEntity);
  const byId = new Map(found.flat().map((r) => [Number(r['id']), r]));
  const rows = [...byId.values()]
    .map((r) => ({ r, ticket: t.hydrate(r, CANDIDATE_COLUMNS) }))
    .sort((a, b) => b.ticket.createdAt.getTime() - a.ticket.createdAt.getTime() || b.ticket.id - a.ticket.id)
    .slice(0, limit);
  for (const { r } of rows) {
    const id = r['i_id'] === null || r['i_id'] === undefined ? undefined : Number(r['i_id']);
    if (id === undefined || incidents.has(id)) continue;
    incidents.set(id, i.hydrate(r, undefined, 'i_'));
  }
  return rows.map(({ ticket }) => ticket);
}

const CANDIDATE_COLUMNS = [
  'id',
  'channel',
  'userId',
  'projectCode',
  'room',
  'content',
  'category',
  'trade',
  'faultTerms',
  'commonArea',
  'createdAt',
  'incidentId',
  'status',
  'level',
] as const;
