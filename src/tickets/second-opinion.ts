// When the rules are not sure, an LLM may give a second opinion — later, through the outbox, never on the ack path.
// A valid answer that differs replaces the rules' labels (and the level is graded again); anything else keeps them.
import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { Clock } from '../lib/clock.js';
import type { Organisation } from '../organisation/index.js';
import type { Logger } from '../lib/logger.js';
import type { Category, Classification, Kind, RuleEngine, Trade, Urgency } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';
import { notifyStaff } from './notify.js';
import { routeStored } from './regrade.js';
import { planDeadlines } from './plan-deadlines.js';
import type { ReviewScope, TicketStore } from './ports.js';

export interface SecondOpinion {
  kind: Kind;
  category: Category;
  trade: Trade | null;
  urgency: Urgency;
  confidence: number;
  reason: string;
}

/** What the LLM adapter offers: undefined on timeout, HTTP error or an answer that fails the schema. */
export interface SecondOpinionSource {
  classify(
    text: string,
    rulesAnswer: Pick<Classification, 'kind' | 'category' | 'trade' | 'urgency'>,
  ): Promise<SecondOpinion | undefined>;
}

export interface SecondOpinionDeps {
  store: TicketStore;
  clock: Clock;
  logger: Logger;
  rules: () => RuleEngine;
  source: SecondOpinionSource;
  organisation: Organisation;
  staffChannelEnabled: boolean;
  /** The working calendar of a project: an emergency's own deadlines may count working time. */
  calendar: (projectCode: string) => WorkCalendar;
}

const LABELS = ['kind', 'category', 'trade', 'urgency'] as const;

/**
 * `labels`: the rules were unsure, a differing answer replaces their labels. `urgency`: a safety review of a report the
 * rules were sure about — the answer may only raise it to an emergency; every other label stays the rules'.
 */
export async function reviewTicket(
  deps: SecondOpinionDeps,
  ticketNo: string,
  scope: ReviewScope = 'labels',
): Promise<void> {
  const ticket = await deps.store.transaction((tx) => tx.findTicket(ticketNo));
  if (!ticket || ticket.status === 'cancelled') return;
  const before = { kind: ticket.kind, category: ticket.category, trade: ticket.trade, urgency: ticket.urgency };
  const answer = await deps.source.classify(ticket.content, before);
  const opinion =
    answer && scope === 'urgency'
      ? { ...answer, ...before, urgency: answer.urgency === 'emergency' ? answer.urgency : before.urgency }
      : answer;
  const changed = opinion ? LABELS.filter((k) => opinion[k] !== before[k]) : [];
  await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    if (!opinion || changed.length === 0) {
      const reason = !opinion
        ? '大模型未给出有效答复，保留规则结果'
        : scope === 'urgency'
          ? '安全复核：大模型未判为紧急'
          : '大模型与规则一致';
      await tx.addEvent({
        ticketId: ticket.id,
        at: now,
        type: 'reclassified',
        actor: 'llm',
        data: { changed: false, reason, scope },
      });
      return;
    }
    const rules = deps.rules();
    const labels = { kind: opinion.kind, category: opinion.category, trade: opinion.trade, urgency: opinion.urgency };
    const text = { ...rules.classify(normalizeText(ticket.content).match, ticket.rulePack), ...labels };
    const grade = await rules.grade(text);
    const level = rules.higher(ticket.rulePack, grade.level, ticket.level) ? grade.level : ticket.level;
    const project = deps.organisation.projects.find((p) => p.code === ticket.projectCode);
    const emergencyProject = opinion.urgency === 'emergency' && before.urgency !== 'emergency' ? project : undefined;
    // A missed emergency (its project set) gets the emergency promise, counted from the report (due at once if that
    // time has passed).
    const emergencyDue =
      emergencyProject &&
      new Date(
        Math.max(now.getTime(), ticket.createdAt.getTime() + emergencyProject.responseMinutes.emergency * 60_000),
      );
    const responseDueAt = emergencyDue && emergencyDue < ticket.responseDueAt ? emergencyDue : ticket.responseDueAt;
    const updated = { ...ticket, ...labels, level, responseDueAt };
    await tx.updateTicket(ticket.id, {
      ...labels,
      level,
      confidence: scope === 'urgency' ? ticket.confidence : opinion.confidence,
      responseDueAt,
      updatedAt: now,
    });
    const moved: Record<string, string> =
      responseDueAt < ticket.responseDueAt
        ? { responseDueBefore: ticket.responseDueAt.toISOString(), responseDueAt: responseDueAt.toISOString() }
        : {};
    await tx.addEvent({
      ticketId: ticket.id,
      at: now,
      type: 'reclassified',
      actor: 'llm',
      data: {
        changed: true,
        scope,
        fields: changed,
        from: JSON.stringify(before),
        to: JSON.stringify(labels),
        level,
        reason: opinion.reason,
        ...moved,
      },
    });
    deps.logger.info({ ticketNo, changed }, 'ticket reclassified by the second opinion');
    if (!emergencyProject) return;
    // The rules missed an emergency: call it out now, as the rules would have (duty, project lead, managers' group),
    // and hold the ticket to the emergency deadlines.
    const routing = await routeStored(rules, ticket, level, { project: emergencyProject.code }, labels);
    const [response, ...own] = planDeadlines(updated, routing.deadlines, deps.calendar(ticket.projectCode), now);
    if (responseDueAt < ticket.responseDueAt) await tx.advanceDeadline(response!);
    // The emergency rules' own deadlines; a kind the ticket already has keeps its clock.
    await tx.insertDeadlines(own);
    const urgent = routing.notices.filter((n) => !n.approval);
    await notifyStaff(
      { deps, tx, now },
      emergencyProject,
      updated,
      urgent,
      [`大模型复核判定为紧急：${opinion.reason}`],
      `ticket:${ticket.no}:llm-emergency`,
    );
    deps.logger.warn(
      { ticketNo, responseDueAt },
      'the second opinion found an emergency the rules missed; ' +
        'emergency notices sent, response deadline brought forward',
    );
  });
}
