// Decisions a manager takes: asked by the rules (a level upgrade, a plan, a compensation), answered from chat, a card
// or the console. Authorisation is decided here, once.
import { maskName } from '../lib/masking.js';
import type { ProjectConfig } from '../organisation/index.js';
import { actorLabel, type Actor } from './actor.js';
import type { Approval } from './approval.js';
import { mayDecide } from './authorise.js';
import type { TicketCtx } from './context.js';
import { projectOf } from './context.js';
import { notify, peopleFor, tellResident } from './notify.js';
import { applyLevel } from './regrade.js';
import type { Ticket } from './ticket.js';

const APPROVAL_MINUTES = 240;

/** Asks the approver in chat; the answer ("同意/驳回 工单号" or a card click) is taken by the staff commands. */
export async function requestApproval(
  c: TicketCtx,
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
    await notify(c, { kind: 'staff', userId: user }, { text, card }, { key: `approval:${approval.id}:${user}` });
  }
}

const approvalText = (projectName: string, t: Ticket, question: string, reasons: string[]) =>
  [
    `【待审批】${t.no} ${question}`,
    `${projectName} ${t.room} ${maskName(t.residentName)}`,
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
      { keyname: '住户', value: `${t.room} ${maskName(t.residentName)}` },
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

export type DecideOutcome =
  | { kind: 'decided'; ticket: Ticket; approval: Approval; approved: boolean; reason: string }
  | { kind: 'not-found'; ticketNo: string }
  | { kind: 'nothing-pending'; ticket: Ticket }
  | { kind: 'not-allowed'; ticket: Ticket; project: ProjectConfig; roles: string[] }
  | { kind: 'already-decided'; ticket: Ticket; approval: Approval };

/** 同意 / 驳回 a ticket's pending approval: only a holder of its role in the ticket's project; nothing changes else. */
export async function decide(
  c: TicketCtx,
  actor: Actor,
  ticketNo: string,
  approved: boolean,
  reason: string,
): Promise<DecideOutcome> {
  const t = await c.tx.findTicket(ticketNo);
  const project = t && projectOf(c.deps, t.projectCode);
  if (!t || !project) return { kind: 'not-found', ticketNo };
  const pending = (await c.tx.approvalsOf(t.id)).filter((a) => a.status === 'pending');
  if (pending.length === 0) return { kind: 'nothing-pending', ticket: t };
  const mine = pending.filter((a) => mayDecide(actor, project, t, a, c.now));
  if (mine.length === 0) {
    const roles = pending.map((a) => a.approverRole);
    c.deps.logger.warn(
      { ticketNo: t.no, actor: actorLabel(actor), roles },
      'approval refused: not an authorised approver',
    );
    return { kind: 'not-allowed', ticket: t, project, roles };
  }
  return applyDecision(c, actor, t, mine[0]!, approved, reason);
}

/** The same decision taken on one approval by id (a card's button, the console's approve button). */
export async function decideApproval(
  c: TicketCtx,
  actor: Actor,
  approvalId: number,
  approved: boolean,
  reason: string,
): Promise<DecideOutcome> {
  const open = await pendingFor(c, actor, approvalId);
  if (open.kind !== 'pending') return open;
  return applyDecision(c, actor, open.ticket, open.approval, approved, reason);
}

/**
 * The approval, still pending, that this actor may decide (a card's buttons: decide, or ask how to hand it on);
 * otherwise why not. Refusals are logged.
 */
export async function pendingFor(
  c: TicketCtx,
  actor: Actor,
  approvalId: number,
): Promise<Exclude<DecideOutcome, { kind: 'decided' | 'nothing-pending' }> | Pending> {
  const found = await approvalWithTicket(c, approvalId);
  if (!found) return { kind: 'not-found', ticketNo: '' };
  const { approval, ticket, project } = found;
  if (approval.status !== 'pending') return { kind: 'already-decided', ticket, approval };
  if (!mayDecide(actor, project, ticket, approval, c.now)) {
    c.deps.logger.warn(
      { ticketNo: ticket.no, actor: actorLabel(actor) },
      'card click refused: not an authorised approver',
    );
    return { kind: 'not-allowed', ticket, project, roles: [approval.approverRole] };
  }
  return { kind: 'pending', approval, ticket, project };
}

interface Pending {
  kind: 'pending';
  approval: Approval;
  ticket: Ticket;
  project: ProjectConfig;
}

async function approvalWithTicket(c: TicketCtx, approvalId: number) {
  const approval = await c.tx.findApproval(approvalId);
  const ticket = approval && (await c.tx.findTicketById(approval.ticketId));
  const project = ticket && projectOf(c.deps, ticket.projectCode);
  return approval && ticket && project ? { approval, ticket, project } : undefined;
}

async function applyDecision(
  c: TicketCtx,
  actor: Actor,
  t: Ticket,
  a: Approval,
  approved: boolean,
  reason: string,
): Promise<DecideOutcome> {
  const by = actorLabel(actor);
  await c.tx.updateApproval(a.id, {
    status: approved ? 'approved' : 'rejected',
    decidedBy: by,
    decidedAt: c.now,
    reason: reason || null,
  });
  await c.tx.meetDeadlines(t.id, `approval:${a.id}`, c.now);
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: approved ? 'approved' : 'rejected',
    actor: by,
    data: { approvalId: a.id, question: a.question, reason: reason || null },
  });
  const pack = c.deps.rules().pack(t.rulePack);
  const label = (code: string | undefined) => pack.levels.find((l) => l.code === code)?.label ?? code ?? '';
  if (a.kind === 'level_upgrade') {
    if (approved && a.proposal['to']) {
      const project = projectOf(c.deps, t.projectCode)!;
      await applyLevel(c, project, t, a.proposal['to'], [`${a.question}（${by} 批准）`]);
      await tellResident(
        c,
        t,
        `您反映的问题（工单 ${t.no}）已升级为${label(a.proposal['to'])}，由管理处负责人牵头处理，品质部跟进督办。`,
        `approval:${a.id}`,
      );
    }
  } else {
    // 领导批示 on the complaint form (001 §六(四)).
    const plan = a.proposal['plan'] ? `方案「${a.proposal['plan']}」` : '';
    await c.tx.updateTicket(t.id, {
      leaderInstruction: `${approved ? '同意' : '驳回'}${plan}${reason ? `：${reason}` : ''}`,
      updatedAt: c.now,
    });
    if (approved) await tellResident(c, t, `关于工单 ${t.no} 的处理方案已获批准，我们将尽快落实。`, `approval:${a.id}`);
  }
  return { kind: 'decided', ticket: t, approval: a, approved, reason };
}
