// Staff work a ticket: accept, arrive, complete, transfer, propose a plan, attach a photo, write handling notes,
// correct the labels. Each takes an actor (WeCom staff, a console user, a job) and returns what happened; the resident
// is told at each step exactly as the policy says, whoever acted.
import type { ProjectConfig } from '../organisation/index.js';
import type { Category, Kind, Trade, Urgency } from '../rules/index.js';
import { actorLabel, wecomIdOf, type Actor } from './actor.js';
import { requestApproval } from './approvals.js';
import { mayDirect, mayWork } from './authorise.js';
import { projectOf, type TicketCtx } from './context.js';
import { dueAtOf } from './plan-deadlines.js';
import { notify, tellResident } from './notify.js';
import { applyLevel } from './regrade.js';
import type { Ticket } from './ticket.js';

export type Refusal =
  | { kind: 'not-found'; ticketNo: string }
  | { kind: 'not-allowed'; ticket: Ticket; project: ProjectConfig }
  | { kind: 'finished'; ticket: Ticket };

export type WorkOutcome = { kind: 'done'; ticket: Ticket } | Refusal;

type Workable = { ok: true; ticket: Ticket; project: ProjectConfig } | { ok: false; refusal: Refusal };

/** The ticket, if the actor may work it and it is still open to work. */
export async function workable(c: TicketCtx, actor: Actor, ticketNo: string): Promise<Workable> {
  const ticket = await c.tx.findTicket(ticketNo);
  const project = ticket && projectOf(c.deps, ticket.projectCode);
  if (!ticket || !project) return { ok: false, refusal: { kind: 'not-found', ticketNo } };
  if (!mayWork(actor, project, ticket)) return { ok: false, refusal: { kind: 'not-allowed', ticket, project } };
  if (ticket.status === 'cancelled' || ticket.status === 'closed')
    return { ok: false, refusal: { kind: 'finished', ticket } };
  return { ok: true, ticket, project };
}

/** 接单: the actor becomes the handler. */
export async function accept(c: TicketCtx, actor: Actor, ticketNo: string): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  const handler = wecomIdOf(actor) ?? actorLabel(actor);
  await c.tx.updateTicket(t.id, { status: 'assigned', handler, updatedAt: c.now });
  await c.tx.meetDeadlines(t.id, 'response', c.now);
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'accepted', actor: actorLabel(actor), data: null });
  await tellResident(c, t, `您的工单 ${t.no} 已有师傅接单，将尽快与您联系。`, 'accepted');
  return { kind: 'done', ticket: { ...t, status: 'assigned', handler } };
}

/** 到场: work under way. */
export async function arrive(c: TicketCtx, actor: Actor, ticketNo: string): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  await c.tx.updateTicket(t.id, { status: 'in_progress', updatedAt: c.now });
  await c.tx.meetDeadlines(t.id, 'response', c.now);
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'arrived', actor: actorLabel(actor), data: null });
  await tellResident(c, t, `维修人员已到场处理您的工单 ${t.no}。`, 'arrived');
  return { kind: 'done', ticket: { ...t, status: 'in_progress' } };
}

/** 完成: resolved with a note; the resident is asked to rate it the next working day (003 §2.5.1). */
export async function complete(c: TicketCtx, actor: Actor, ticketNo: string, note: string): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  const handlingOpinion = note || t.handlingOpinion;
  await c.tx.updateTicket(t.id, { status: 'resolved', completedAt: c.now, handlingOpinion, updatedAt: c.now });
  await c.tx.meetDeadlines(t.id, 'response', c.now);
  await c.tx.meetDeadlines(t.id, 'resolution', c.now);
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'completed', actor: actorLabel(actor), data: { note } });
  await tellResident(c, t, `您的工单 ${t.no} 已处理完毕${note ? `：${note}` : '。'}`, 'completed');
  // 003 §2.5.1: the callback survey in the 1–3 working-day window after completion.
  const cal = c.deps.calendar(w.project.code);
  const ask = cal.nextWorkdayStart(c.now);
  const question = `您好，工单 ${t.no}（${t.summary}）已处理完毕。请对本次服务评价：回复"满意"、"一般"或"不满意"。`;
  await tellResident(c, t, question, 'rating', ask);
  const callbackDue = dueAtOf({ clock: 'workdays', amount: 3 }, c.now, cal);
  await c.tx.insertDeadlines([
    {
      ticketId: t.id,
      kind: 'callback',
      label: '回访（3 个工作日内，003 §2.5.1）',
      dueAt: callbackDue,
      warnAt: null,
      nextCheckAt: callbackDue,
      stage: 'pending',
      escalationStep: 0,
      urgent: false,
      notify: ['customer_service'],
      upgradeTo: null,
      metAt: null,
      createdAt: c.now,
    },
  ]);
  return { kind: 'done', ticket: { ...t, status: 'resolved', completedAt: c.now, handlingOpinion } };
}

/** 转派: another member of staff takes it over and is told. */
export async function transfer(c: TicketCtx, actor: Actor, ticketNo: string, to: string): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  await c.tx.updateTicket(t.id, { handler: to, status: 'assigned', updatedAt: c.now });
  await c.tx.meetDeadlines(t.id, 'response', c.now);
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'transferred',
    actor: actorLabel(actor),
    data: { from: t.handler, to },
  });
  const text = `【转派工单】${t.no}\n${w.project.name} ${t.room} ${t.residentName}\n内容：${t.summary}\n请回复"接单 ${t.no}"。`;
  await notify(c, { kind: 'staff', userId: to }, { text }, { key: `ticket:${t.no}:transfer:${to}:${c.now.getTime()}` });
  await tellResident(c, t, `您的工单 ${t.no} 已转交其他同事跟进，处理人会尽快与您联系。`, `transferred:${to}`);
  return { kind: 'done', ticket: { ...t, handler: to, status: 'assigned' } };
}

/** 方案: a complex plan goes ahead only once the project lead approves it (003 §2.3.3). */
export async function proposePlan(c: TicketCtx, actor: Actor, ticketNo: string, plan: string): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const who = wecomIdOf(actor) ?? actorLabel(actor);
  await requestApproval(
    c,
    w.project,
    w.ticket,
    { kind: 'plan', question: `处理方案：${plan.slice(0, 60)}，是否批准？`, proposal: { plan }, approverRole: 'lead' },
    [`${who} 提交的处理方案`],
  );
  return { kind: 'done', ticket: w.ticket };
}

export type PhotoOutcome = { kind: 'attached'; ticket: Ticket } | { kind: 'no-ticket' };

/** A photo from staff (the work done) goes on the ticket they handled last. */
export async function attachStaffPhoto(c: TicketCtx, actor: Actor, mediaId: string): Promise<PhotoOutcome> {
  const userId = wecomIdOf(actor);
  const t = userId ? await c.tx.lastHandledBy(userId) : undefined;
  if (!t) return { kind: 'no-ticket' };
  await c.tx.updateTicket(t.id, { images: [...t.images, mediaId], updatedAt: c.now });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'attached',
    actor: actorLabel(actor),
    data: { image: mediaId, by: 'staff' },
  });
  return { kind: 'attached', ticket: t };
}

/** The complaint form's handling fields (001 §六(四)): 原因分析、整改措施、处理意见、领导批示 (a manager's). */
export interface HandlingNotes {
  causeAnalysis?: string;
  correctiveAction?: string;
  handlingOpinion?: string;
  leaderInstruction?: string;
}

export async function addHandlingNotes(
  c: TicketCtx,
  actor: Actor,
  ticketNo: string,
  notes: HandlingNotes,
): Promise<WorkOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const patch = Object.fromEntries(Object.entries(notes).filter(([, v]) => typeof v === 'string' && v.trim()));
  if (patch.leaderInstruction && !mayDirect(actor, w.project))
    return { kind: 'not-allowed', ticket: w.ticket, project: w.project };
  if (Object.keys(patch).length === 0) return { kind: 'done', ticket: w.ticket };
  await c.tx.updateTicket(w.ticket.id, { ...patch, updatedAt: c.now });
  await c.tx.addEvent({ ticketId: w.ticket.id, at: c.now, type: 'updated', actor: actorLabel(actor), data: patch });
  return { kind: 'done', ticket: { ...w.ticket, ...patch } };
}

export interface Correction {
  kind?: Kind;
  category?: Category;
  trade?: Trade | null;
  urgency?: Urgency;
  level?: string;
}

export type CorrectOutcome = WorkOutcome | { kind: 'unknown-level'; level: string };

/**
 * A person corrects the labels: kept on the timeline as a labelled correction (what the rules said, what is right)
 * for the classifier's training. A higher level takes effect with its notices and deadlines.
 */
export async function recategorise(
  c: TicketCtx,
  actor: Actor,
  ticketNo: string,
  fix: Correction,
): Promise<CorrectOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  const rules = c.deps.rules();
  if (fix.level !== undefined && !rules.levelOf(t.rulePack, fix.level))
    return { kind: 'unknown-level', level: fix.level };
  const labels = { kind: fix.kind, category: fix.category, trade: fix.trade, urgency: fix.urgency };
  const changed = Object.fromEntries(
    Object.entries(labels).filter(([k, v]) => v !== undefined && v !== t[k as keyof typeof labels]),
  ) as Partial<Ticket>;
  const from = Object.fromEntries(Object.keys(changed).map((k) => [k, t[k as keyof Ticket] as string | null]));
  const raise = fix.level !== undefined && fix.level !== t.level;
  if (Object.keys(changed).length === 0 && !raise) return { kind: 'done', ticket: t };
  if (Object.keys(changed).length) await c.tx.updateTicket(t.id, { ...changed, updatedAt: c.now });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'reclassified',
    actor: actorLabel(actor),
    data: {
      correction: true,
      ...Object.fromEntries(Object.entries(from).map(([k, v]) => [`from_${k}`, v])),
      ...(changed as Record<string, string | null>),
      ...(raise ? { from_level: t.level, level: fix.level! } : {}),
    },
  });
  const current = { ...t, ...changed };
  if (raise) await applyLevel(c, w.project, current, fix.level!, [`${actorLabel(actor)} 人工更正级别`]);
  return { kind: 'done', ticket: raise ? { ...current, level: fix.level! } : current };
}

/** 关闭: a manager closes a resolved ticket (the work is done and checked); the resident is told it is archived. */
export type CloseOutcome = WorkOutcome | { kind: 'not-resolved'; ticket: Ticket };

export async function close(c: TicketCtx, actor: Actor, ticketNo: string, note: string): Promise<CloseOutcome> {
  const w = await workable(c, actor, ticketNo);
  if (!w.ok) return w.refusal;
  const t = w.ticket;
  if (!mayDirect(actor, w.project)) return { kind: 'not-allowed', ticket: t, project: w.project };
  if (t.status !== 'resolved') return { kind: 'not-resolved', ticket: t };
  await c.tx.updateTicket(t.id, { status: 'closed', updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'closed', actor: actorLabel(actor), data: { note } });
  await tellResident(c, t, `您的工单 ${t.no} 已办结归档。感谢您的反馈，如有新的问题欢迎随时联系我们。`, 'closed');
  return { kind: 'done', ticket: { ...t, status: 'closed' } };
}
