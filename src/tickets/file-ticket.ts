// A finished intake becomes a graded, routed ticket; reports of one fault by several residents become one incident.
import type { Intake } from '../dialogue/index.js';
import type { ProjectConfig } from '../organisation/index.js';
import { onShift } from '../organisation/index.js';
import type { Grade, Routing, RulePack } from '../rules/index.js';
import type { DeadlineRuleDef } from '../rules/pack-schema.js';
import { actorLabel, type ResidentActor } from './actor.js';
import { requestApproval } from './approvals.js';
import type { TicketCtx } from './context.js';
import { buildingOf, sameFault, sameResident, type Incident, collectiveLevel } from './incident.js';
import { raiseIncident } from './incident-level.js';
import { type FoldedNotice, notify, notifyStaff, tellManagers } from './notify.js';
import { planDeadlines } from './plan-deadlines.js';
import type { ReportQuery, ReviewScope } from './ports.js';
import { counterScope, formatTicketNo, ticketFromIntake, type NewTicket, type Ticket } from './ticket.js';

export interface Filed {
  ticket: Ticket;
  incident?: Incident;
}

// The newest open reports of the category in the building (and of shared facilities) that a new report is compared
// with: an incident's members are its newest reports, so fifty find it; each candidate is a row read and compared.
const CANDIDATES = 50;

export interface FilingOptions {
  /** False when the resident has no profile yet, so has no earlier tickets to look at. */
  knownResident?: boolean;
  /** The source is flooding: staff get its one summary instead of this ticket's own notice. */
  fold?: FoldedNotice;
}

/** A resident's report, taken by the dialogue, filed: numbered, graded, routed, with its deadlines and notices. */
export async function fileTicket(
  c: TicketCtx,
  reporter: ResidentActor,
  intake: Intake,
  project: ProjectConfig,
  options: FilingOptions = {},
): Promise<Filed> {
  const pack = c.deps.rules().pack(project.rulePack);
  const draft = await numberedDraft(c, reporter, intake, project);
  const judged = await gradeAndRoute(c, reporter, project, pack, draft, intake.classification, options);
  const filed = await insertReport(c, pack, judged);
  await recordFiling(c, reporter, filed.ticket, judged);
  await planTicketDeadlines(c, filed.ticket, judged.routing.deadlines);
  await tellStaffOfNewTicket(c, project, filed.ticket, judged, options.fold);
  await askApprovals(c, project, pack, filed.ticket, judged);
  await askSecondOpinion(c, pack, filed.ticket, intake.classification);
  return joinSameFault(c, project, pack, filed, judged.collective);
}

type Classified = Intake['classification'];

interface Judged {
  row: NewTicket;
  grade: Grade;
  routing: Routing;
  /** A repair or complaint may be one of several reports of the same fault. */
  collective: boolean;
}

async function numberedDraft(
  c: TicketCtx,
  reporter: ResidentActor,
  intake: Intake,
  project: ProjectConfig,
): Promise<NewTicket> {
  const seq = await c.tx.nextTicketSeq(counterScope(project.ticketPrefix, c.now));
  const no = formatTicketNo(project.ticketPrefix, c.now, seq);
  return ticketFromIntake({ ...intake, projectCode: project.code }, reporter, no, project, c.now);
}

/** The level (a repeat of a fault fixed before counts) and the department and person on shift who take it. */
async function gradeAndRoute(
  c: TicketCtx,
  reporter: ResidentActor,
  project: ProjectConfig,
  pack: RulePack,
  draft: NewTicket,
  cls: Classified,
  options: FilingOptions,
): Promise<Judged> {
  const rules = c.deps.rules();
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
  return { row, grade, routing, collective: cls.kind === 'repair' || cls.kind === 'complaint' };
}

type Inserted = { ticket: Ticket; recent: Ticket[]; reporterIncidents: Set<number> };

/** A report that may join an incident reads the candidates in the round trip that files it. */
async function insertReport(c: TicketCtx, pack: RulePack, j: Judged): Promise<Inserted> {
  if (j.collective) return c.tx.insertTicketAmongReports(j.row, reportQuery(c, pack, j.row), CANDIDATES);
  return { ticket: await c.tx.insertTicket(j.row), recent: [], reporterIncidents: new Set<number>() };
}

async function recordFiling(
  c: TicketCtx,
  reporter: ResidentActor,
  ticket: Ticket,
  { grade, routing }: Judged,
): Promise<void> {
  await c.tx.addEvent({
    ticketId: ticket.id,
    at: c.now,
    type: 'created',
    actor: actorLabel(reporter),
    data: { channel: reporter.channel, receiver: ticket.receiver, confidence: ticket.confidence },
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
    data: { department: routing.department, handler: ticket.handler },
  });
}

async function tellStaffOfNewTicket(
  c: TicketCtx,
  project: ProjectConfig,
  ticket: Ticket,
  j: Judged,
  fold: FoldedNotice | undefined,
): Promise<void> {
  const handler = ticket.handler;
  const notices = [
    ...j.routing.notices.filter((n) => !n.approval),
    ...(handler ? [{ rule: '派单', notify: [`user:${handler}`], within: '按承诺时间' }] : []),
  ];
  const reasons = j.grade.reasons.map((r) => r.reason);
  await notifyStaff(c, project, ticket, notices, reasons, `ticket:${ticket.no}`, fold);
}

/** A level the rules propose but a manager must confirm, and the rules' own approvals (a plan, a compensation). */
async function askApprovals(
  c: TicketCtx,
  project: ProjectConfig,
  pack: RulePack,
  ticket: Ticket,
  { grade, routing }: Judged,
): Promise<void> {
  const proposal = grade.proposal;
  if (proposal) {
    const label = pack.levels.find((l) => l.code === proposal.level)?.label ?? proposal.level;
    const ask = {
      kind: 'level_upgrade' as const,
      question: `升级为${label}并通报品质部？`,
      proposal: { from: grade.level, to: proposal.level },
      approverRole: proposal.approver,
    };
    await requestApproval(c, project, ticket, ask, proposal.reasons);
  }
  for (const n of routing.notices.filter((x) => x.approval)) {
    const ask = {
      kind: n.approval === 'finance' ? ('compensation' as const) : ('plan' as const),
      question: `${n.rule}，是否批准？`,
      proposal: { rule: n.rule },
      approverRole: n.approval!,
    };
    await requestApproval(c, project, ticket, ask, [n.rule]);
  }
}

/**
 * Unsure rules ask for a second opinion, and a report near water, power, gas or structure that is not an emergency
 * for a safety review; both later through the outbox (the LLM never delays the reply).
 */
async function askSecondOpinion(c: TicketCtx, pack: RulePack, ticket: Ticket, cls: Classified): Promise<void> {
  const unsure = cls.confidence < pack.llmThreshold;
  const nearDanger = cls.urgency !== 'emergency' && cls.signals.some((s) => pack.safetyReviewSignals.includes(s));
  if (!c.deps.secondOpinion || !(unsure || nearDanger)) return;
  const review: ReviewScope = unsure ? 'labels' : 'urgency';
  await notify(
    c,
    { kind: 'reviewer', ticketNo: ticket.no },
    { text: ticket.content, review },
    { key: `ticket:${ticket.no}:second-opinion` },
  );
}

/** The ticket as it stands once it has joined (and perhaps raised) the incident of its fault. */
async function joinSameFault(
  c: TicketCtx,
  project: ProjectConfig,
  pack: RulePack,
  filed: Inserted,
  collective: boolean,
): Promise<Filed> {
  const { ticket } = filed;
  const linked = collective ? await linkIncident(c, project, pack, ticket, filed) : undefined;
  const incident = linked?.incident;
  // What raiseIncident wrote, if it ran: no need to read the ticket back.
  const raisedNow = linked?.raised && c.deps.rules().higher(pack.pack, linked.incident.level, ticket.level);
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

/**
 * Joins the ticket to the incident of the same fault (creating one), and raises the incident when enough residents
 * report it.
 */
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
      await tellManagers(c, project, texts, { key });
    }
  }
}

const isOpen = (t: Ticket) => t.status !== 'resolved' && t.status !== 'closed' && t.status !== 'cancelled';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
