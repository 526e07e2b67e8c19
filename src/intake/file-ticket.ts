// A finished intake becomes a graded, routed ticket; reports of one fault by several residents become one incident.
import type { Intake } from '../dialogue/index.js';
import type { ProjectConfig } from '../organisation/index.js';
import type { RulePack } from '../rules/index.js';
import type { DeadlineRuleDef } from '../rules/pack-schema.js';
import { onShift } from '../organisation/index.js';
import { normalizeText } from '../text/normalize.js';
import {
  buildingOf,
  collectiveLevel,
  counterScope,
  planDeadlines,
  type Approval,
  formatTicketNo,
  sameFault,
  sameResident,
  ticketFromIntake,
  type Incident,
  type NewTicket,
  type Ticket,
} from '../tickets/index.js';
import type { CommandCtx } from './commands.js';
import type { ReportQuery, ReviewScope } from './ports.js';
import { notifyStaff, peopleFor } from './staff-notices.js';
import { raiseIncident } from './incident-level.js';

export interface Filed {
  ticket: Ticket;
  incident?: Incident;
}

// The newest open reports of the category in the building (and of shared facilities) that a new report is compared with:
// an incident's members are its newest reports, so fifty find it; each candidate is a row read and compared.
const CANDIDATES = 50;
const APPROVAL_MINUTES = 240;

export async function fileTicket(c: CommandCtx, intake: Intake, project: ProjectConfig): Promise<Filed> {
  const rules = c.deps.rules();
  const pack = rules.pack(project.rulePack);
  const cls = intake.classification;
  const seq = await c.tx.nextTicketSeq(counterScope(project.ticketPrefix, c.now));
  const draft = ticketFromIntake(
    { ...intake, projectCode: project.code },
    c.msg,
    formatTicketNo(project.ticketPrefix, c.now, seq),
    project,
    c.now,
  );
  const history = c.knownResident === false ? [] : await c.tx.listTicketsOf(c.msg.channel, c.msg.userId, 20);
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
  const actor = `${c.msg.channel}:${c.msg.userId}`;
  await c.tx.addEvent({
    ticketId: ticket.id,
    at: c.now,
    type: 'created',
    actor,
    data: { channel: c.msg.channel, receiver: ticket.receiver, confidence: cls.confidence },
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
    await c.tx.enqueue(
      {
        dedupeKey: `ticket:${ticket.no}:second-opinion`,
        channel: 'llm',
        recipient: ticket.no,
        payload: { text: ticket.content, review },
      },
      c.now,
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

const reportQuery = (c: CommandCtx, pack: RulePack, t: NewTicket): ReportQuery => ({
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
  c: CommandCtx,
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

/** Asks the approver in chat; the answer ("同意/驳回 工单号" or a card click) is taken by the staff commands. */
export async function requestApproval(
  c: CommandCtx,
  project: ProjectConfig,
  t: Ticket,
  a: Pick<Approval, 'kind' | 'question' | 'proposal' | 'approverRole'>,
  reasons: string[],
): Promise<void> {
  const approval = await c.tx.insertApproval({
    ...a,
    ticketId: t.id,
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
    reason: null,
    createdAt: c.now,
  });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'approval_requested',
    actor: 'rules',
    data: { approvalId: approval.id, question: a.question, approver: a.approverRole, reasons },
  });
  // 000 §4.1.1: the project lead answers within 4 hours; the reminder climbs the chain like any deadline.
  const due = new Date(c.now.getTime() + APPROVAL_MINUTES * 60_000);
  const warnAt = new Date(due.getTime() - 60 * 60_000);
  await c.tx.insertDeadlines([
    {
      ticketId: t.id,
      kind: `approval:${approval.id}`,
      label: `审批：${a.question}`,
      dueAt: due,
      warnAt,
      nextCheckAt: warnAt,
      stage: 'pending',
      escalationStep: 0,
      urgent: false,
      notify: [a.approverRole],
      upgradeTo: null,
      metAt: null,
      createdAt: c.now,
    },
  ]);
  const approvers = peopleFor(project, a.approverRole, t.department, c.now);
  const text = approvalText(project.name, t, a.question, reasons);
  if (!c.deps.staffChannelEnabled || approvers.length === 0) {
    await c.tx.addEvent({
      ticketId: t.id,
      at: c.now,
      type: 'notified',
      actor: 'rules',
      data: {
        approvalId: approval.id,
        undelivered: a.approverRole,
        reason: approvers.length ? '企业微信应用未配置，无法推送' : '组织配置里没有对应审批人',
      },
    });
  }
  for (const user of c.deps.staffChannelEnabled ? approvers : []) {
    const card = approvalCard(approval.id, user, project.name, t, a.question, reasons);
    await c.tx.enqueue(
      { dedupeKey: `approval:${approval.id}:${user}`, channel: 'wecom_app', recipient: user, payload: { text, card } },
      c.now,
    );
  }
}

const approvalText = (projectName: string, t: Ticket, question: string, reasons: string[]) =>
  [
    `【待审批】${t.no} ${question}`,
    `${projectName} ${t.room} ${t.residentName}`,
    `内容：${t.summary}`,
    `依据：${reasons.join('；')}`,
    `请回复"同意 ${t.no}"或"驳回 ${t.no} 原因"。`,
  ].join('\n');

/** A WeCom button_interaction card: 批准 / 驳回 / 转派, answered by a template_card_event click. */
function approvalCard(
  id: number,
  user: string,
  projectName: string,
  t: Ticket,
  question: string,
  reasons: string[],
): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: projectName },
    main_title: { title: question, desc: t.no },
    sub_title_text: `${t.summary}（依据：${reasons.join('；')}）`.slice(0, 120),
    horizontal_content_list: [
      { keyname: '住户', value: `${t.room} ${t.residentName}` },
      { keyname: '类别', value: t.category },
    ],
    task_id: `approval-${id}-${user.replace(/[^0-9a-zA-Z_\-@]/g, '_')}`.slice(0, 128),
    button_list: [
      { text: '批准', style: 1, key: `approve:${id}` },
      { text: '驳回', style: 2, key: `reject:${id}` },
      { text: '转派', style: 3, key: `transfer:${id}` },
    ],
  };
}

/** A level that now takes effect (an approval, the incident head count): its notices and deadlines follow. */
export async function applyLevel(
  c: CommandCtx,
  project: ProjectConfig,
  t: Ticket,
  level: string,
  reasons: string[],
): Promise<void> {
  const rules = c.deps.rules();
  await c.tx.updateTicket(t.id, { level, updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'graded', actor: 'rules', data: { level, reasons } });
  const cls = rules.classify(normalizeText(t.content).match, t.rulePack);
  const routing = await rules.route({ ...cls, urgency: 'normal', confidence: 1, level }, { project: project.code });
  await notifyStaff(
    c,
    project,
    { ...t, level },
    routing.notices.filter((n) => !n.approval),
    reasons,
    `ticket:${t.no}:${level}`,
  );
  await c.tx.insertDeadlines(
    planDeadlines({ ...t, level }, routing.deadlines, c.deps.calendar(project.code), c.now).filter(
      (d) => d.kind !== 'response',
    ),
  );
}

async function planTicketDeadlines(c: CommandCtx, ticket: Ticket, rules: DeadlineRuleDef[]): Promise<void> {
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
    const warning = `时限落在 ${unknown.join('、')} 年，尚未载入官方节假日安排，暂按周一至周五计算。请在 config/calendar.json 中补充该年的节假日和调休。`;
    await c.tx.addEvent({ ticketId: ticket.id, at: c.now, type: 'notified', actor: 'calendar', data: { warning } });
    // Once per project and year (the outbox key is unique), to the managers' group or, without a robot, the project lead.
    const project = c.deps.organisation.projects.find((p) => p.code === ticket.projectCode);
    const key = `calendar:missing:${unknown.join('-')}:${ticket.projectCode}`;
    if (project?.alerts.robotKey)
      await c.tx.enqueue(
        {
          dedupeKey: key,
          channel: 'wecom_robot',
          recipient: project.alerts.robotKey,
          payload: { text: `**<font color="warning">工作日历缺失</font>** ${warning}` },
        },
        c.now,
      );
    else if (project && c.deps.staffChannelEnabled)
      for (const u of project.people['lead'] ?? [])
        await c.tx.enqueue(
          {
            dedupeKey: `${key}:${u}`,
            channel: 'wecom_app',
            recipient: u,
            payload: { text: `【工作日历缺失】${warning}` },
          },
          c.now,
        );
  }
}

const isOpen = (t: Ticket) => t.status !== 'resolved' && t.status !== 'closed' && t.status !== 'cancelled';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
