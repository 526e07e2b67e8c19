// A finished intake becomes a graded, routed ticket; reports of one fault by several residents become one incident.
import type { Intake } from '../dialogue/index.js';
import type { ProjectConfig } from '../organisation/index.js';
import { onShift } from '../organisation/index.js';
import type { RulePack } from '../rules/index.js';
import type { DeadlineRuleDef } from '../rules/pack-schema.js';
import { actorLabel, type Actor } from './actor.js';
import { requestApproval } from './approvals.js';
import type { TicketCtx } from './context.js';
import { buildingOf, sameFault, sameResident, type Incident, collectiveLevel } from './incident.js';
import { raiseIncident } from './incident-level.js';
import { notify, notifyStaff, tellManagers } from './notify.js';
import { planDeadlines } from './plan-deadlines.js';
import type { ReportQuery, ReviewScope } from './ports.js';
import { counterScope, formatTicketNo, ticketFromIntake, type NewTicket, type Ticket } from './ticket.js';

export interface Filed {
  ticket: Ticket;
  incident?: Incident;
}

// The newest open reports of the category in the building (and of shared facilities) that a new report is compared with:
// an incident's members are its newest reports, so fifty find it; each candidate is a row read and compared.
const CANDIDATES = 50;

export interface FilingOptions {
  /** False when the resident has no profile yet, so has no earlier tickets to look at. */
  knownResident?: boolean;
}

/** A resident's report, taken by the dialogue, filed: numbered, graded, routed, with its deadlines and notices. */
export async function fileTicket(
  c: TicketCtx,
  reporter: Extract<Actor, { type: 'resident' }>,
  intake: Intake,
  project: ProjectConfig,
  options: FilingOptions = {},
): Promise<Filed> {
  const rules = c.deps.rules();
  const pack = rules.pack(project.rulePack);
  const cls = intake.classification;
  const seq = await c.tx.nextTicketSeq(counterScope(project.ticketPrefix, c.now));
  const draft = ticketFromIntake(
    { ...intake, projectCode: project.code },
    reporter,
    formatTicketNo(project.ticketPrefix, c.now, seq),
    project,
    c.now,
  );
  const history =
    options.knownResident === false ? [] : await c.tx.listTicketsOf(reporter.channel, reporter.userId, 20);
  const repeatAfterClose = history.some(
    (t) =>
      (t.status === 'resolved' || t.status === 'closed') &&
      sameFault(t, draft, { ...pack.collective, windowDays: 365 }),
  );
  const facts = { project: project.code, repeatAfterClose };
  const grade = await rules.grade(cls, facts);
  const routing = await rules.route({ ...cls, level: grade.level }, facts);
  const handler =
    onShift(project.roster, routing.department, c.now)[0]?.user ?? project.people[routing.department]?.[0] ?? null;
  const row = { ...draft, level: grade.level, department: routing.department, handler };
  // A report that may join an incident reads the candidates in the round trip that files it.
  const collective = cls.kind === 'repair' || cls.kind === 'complaint';
  const filed = collective
    ? await c.tx.insertTicketAmongReports(row, reportQuery(c, pack, row), CANDIDATES)
    : { ticket: await c.tx.insertTicket(row), recent: [], reporterIncidents: new Set<number>() };
  const ticket = filed.ticket;
  const actor = actorLabel(reporter);
  await c.tx.addEvent({
    ticketId: ticket.id,
    at: c.now,
    type: 'created',
    actor,
    data: { channel: reporter.channel, receiver: ticket.receiver, confidence: cls.confidence },
  });
  if (grade.reasons.length) {
    await c.tx.addEvent({
      ticketId: ticket.id,
      at: c.now,
      type: 'graded',
      actor: 'rules',
      data: {
        level: grade.level,
        reasons: grade.reasons.map((r) => r.reason),
        score: sum(grade.reasons.map((r) => r.score ?? 0)),
      },
    });
  }
  await c.tx.addEvent({
    ticketId: ticket.id,
    at: c.now,
    type: 'routed',
    actor: 'rules',
    data: { department: routing.department, handler },
  });
  await planTicketDeadlines(c, ticket, routing.deadlines);
  const approvals = routing.notices.filter((n) => n.approval);
  await notifyStaff(
    c,
    project,
    ticket,
    [
      ...routing.notices.filter((n) => !n.approval),
      ...(handler ? [{ rule: '派单', notify: [`user:${handler}`], within: '按承诺时间' }] : []),
    ],
    grade.reasons.map((r) => r.reason),
  );
  if (grade.proposal) {
    const label = pack.levels.find((l) => l.code === grade.proposal!.level)?.label ?? grade.proposal.level;
    await requestApproval(
      c,
      project,
      ticket,
      {
        kind: 'level_upgrade',
        question: `升级为${label}并通报品质部？`,
        proposal: { from: grade.level, to: grade.proposal.level },
        approverRole: grade.proposal.approver,
      },
      grade.proposal.reasons,
    );
  }
  for (const n of approvals) {
    await requestApproval(
      c,
      project,
      ticket,
      {
        kind: n.approval === 'finance' ? 'compensation' : 'plan',
        question: `${n.rule}，是否批准？`,
        proposal: { rule: n.rule },
        approverRole: n.approval!,
      },
      [n.rule],
    );
  }
  // Unsure rules ask for a second opinion, and a report near water, power, gas or structure that is not an emergency
  // for a safety review; both later through the outbox (the LLM never delays the reply).
  const unsure = cls.confidence < pack.llmThreshold;
  const nearDanger = cls.urgency !== 'emergency' && cls.signals.some((s) => pack.safetyReviewSignals.includes(s));
  if (c.deps.secondOpinion && (unsure || nearDanger)) {
    const review: ReviewScope = unsure ? 'labels' : 'urgency';
    await notify(
      c,
      { kind: 'reviewer', ticketNo: ticket.no },
      { text: ticket.content, review },
      { key: `ticket:${ticket.no}:second-opinion` },
    );
  }
  const linked = collective ? await linkIncident(c, project, pack, ticket, filed) : undefined;
  const incident = linked?.incident;
  // What raiseIncident wrote, if it ran: no need to read the ticket back.
  const raisedNow = linked?.raised && rules.higher(pack.pack, linked.incident.level, ticket.level);
  const current = raisedNow
    ? { ...ticket, incidentId: linked.incident.id, level: linked.incident.level, updatedAt: c.now }
    : { ...ticket, incidentId: incident?.id ?? null };
  return { ticket: current, ...(incident ? { incident } : {}) };
}

const reportQuery = (c: TicketCtx, pack: RulePack, t: NewTicket): ReportQuery => ({
  projectCode: t.projectCode,
  category: t.category,
  trade: t.trade,
  since: new Date(c.now.getTime() - pack.collective.windowDays * 86_400_000),
  building: buildingOf(t.room),
  commonArea: t.commonArea,
  notChannel: t.channel,
  notUser: t.userId,
});

/** Joins the ticket to the incident of the same fault (creating one), and raises the incident when enough residents report it. */
async function linkIncident(
  c: TicketCtx,
  project: ProjectConfig,
  pack: RulePack,
  ticket: Ticket,
  seen: { recent: Ticket[]; reporterIncidents: Set<number> },
): Promise<{ incident: Incident; raised: boolean } | undefined> {
  const rules = c.deps.rules();
  // A fault fixed and reported again starts afresh: resolved tickets stay with their closed incident.
  const found = seen.recent.filter(
    (t) => t.id !== ticket.id && isOpen(t) && !sameResident(t, ticket) && sameFault(t, ticket, pack.collective),
  );
  if (found.length === 0) return undefined;
  // Reports not yet in an incident are taken under lock: one linked meanwhile by a concurrent report stays where it
  // is, one being linked right now is left out.
  const unlinked = found.filter((t) => t.incidentId === null);
  const target = found.find((t) => t.incidentId !== null)?.incidentId ?? undefined;
  const { links, counted } = unlinked.length
    ? await c.tx.lockIncidentLinks(
        unlinked.map((t) => t.id),
        target,
      )
    : { links: new Map<number, number | null>(), counted: new Set<string>() };
  const asNow = (t: Ticket): Ticket => (links.has(t.id) ? { ...t, incidentId: links.get(t.id)! } : t);
  const matches = found.filter((t) => t.incidentId !== null || links.has(t.id)).map(asNow);
  if (matches.length === 0) return undefined;
  const joinedId = matches.find((t) => t.incidentId !== null)?.incidentId;
  const existing = joinedId ? await c.tx.findIncident(joinedId) : undefined;
  const incident =
    existing && existing.status === 'open'
      ? existing
      : await c.tx.insertIncident({
          projectCode: project.code,
          category: ticket.category,
          trade: ticket.trade,
          title: ticket.summary,
          status: 'open',
          level: pack.defaultLevel,
          residents: 0,
          resolution: null,
          createdAt: c.now,
          updatedAt: c.now,
          resolvedAt: null,
        });
  const joining = [ticket, ...matches.filter((m) => m.incidentId === null)];
  // Counted as they join: the head count stays one increment per new resident instead of a count over a large incident.
  const residents =
    incident.residents +
    newResidents(
      incident.id,
      joining,
      seen.recent.map(asNow),
      seen.reporterIncidents,
      incident.id === target ? counted : new Set(),
    );
  await c.tx.joinIncident(
    incident.id,
    joining.map((t) => t.id),
    residents - incident.residents,
    c.now,
  );
  for (const t of joining)
    await c.tx.addEvent({
      ticketId: t.id,
      at: c.now,
      type: 'incident',
      actor: 'rules',
      data: { incidentId: incident.id, via: ticket.no },
    });
  const byCount = collectiveLevel(residents, pack.collective);
  const level = byCount && rules.higher(pack.pack, byCount, incident.level) ? byCount : incident.level;
  const raised = level !== incident.level;
  if (raised) await raiseIncident(c, project, pack, incident.id, level, residents);
  return { incident: { ...incident, residents, level }, raised };
}

/**
 * Residents the joining tickets add to the incident's head count: each one once, and not those already counted — the
 * reporter by their own tickets, another resident by any report of theirs already in the incident (`already`).
 */
function newResidents(
  incidentId: number,
  joining: Ticket[],
  recent: Ticket[],
  reporterIncidents: Set<number>,
  already: Set<string>,
): number {
  const [reporter] = joining;
  const counted = new Set([
    ...already,
    ...recent.filter((t) => t.incidentId === incidentId).map((t) => `${t.channel}:${t.userId}`),
  ]);
  if (reporterIncidents.has(incidentId)) counted.add(`${reporter!.channel}:${reporter!.userId}`);
  let added = 0;
  for (const t of joining) {
    const key = `${t.channel}:${t.userId}`;
    if (counted.has(key)) continue;
    counted.add(key);
    added++;
  }
  return added;
}

async function planTicketDeadlines(c: TicketCtx, ticket: Ticket, rules: DeadlineRuleDef[]): Promise<void> {
  const cal = c.deps.calendar(ticket.projectCode);
  const rows = planDeadlines(ticket, rules, cal, c.now);
  await c.tx.insertDeadlines(rows);
  const last = rows.reduce((a, b) => (b.dueAt > a ? b.dueAt : a), c.now);
  const unknown = cal.unknownYears(c.now, last);
  if (unknown.length) {
    // The packages lag the State Council's notice: say so loudly rather than count a holiday as a working day.
    c.deps.logger.warn(
      { ticketNo: ticket.no, years: unknown },
      'deadline falls in a year with no official holiday calendar; add it to config/calendar.json',
    );
    const provisional = unknown.every((y) => cal.isProvisional(y));
    const basis = provisional ? '暂按《全国年节及纪念日放假办法》推算法定节假日（未含调休）' : '暂按周一至周五计算';
    const warning = `时限落在 ${unknown.join('、')} 年，尚未载入官方节假日安排，${basis}。请在 config/calendar.json 中补充该年的节假日和调休。`;
    await c.tx.addEvent({ ticketId: ticket.id, at: c.now, type: 'notified', actor: 'calendar', data: { warning } });
    // Once per project and year (the outbox key is unique), to the managers' group or, without one, the project lead.
    const project = c.deps.organisation.projects.find((p) => p.code === ticket.projectCode);
    const key = `calendar:missing:${unknown.join('-')}:${ticket.projectCode}`;
    if (project) {
      const texts = {
        group: `**<font color="warning">工作日历缺失</font>** ${warning}`,
        app: `【工作日历缺失】${warning}`,
      };
      await tellManagers(c, project, texts, key);
    }
  }
}

const isOpen = (t: Ticket) => t.status !== 'resolved' && t.status !== 'closed' && t.status !== 'cancelled';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
