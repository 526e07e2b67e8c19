// Staff work tickets from the WeCom app (接单 / 到场 / 完成 / 转派) and managers decide approvals (同意 / 驳回);
// the resident is told at each step. Runs inside the message's transaction, like the resident dialogue.
import type { ProjectConfig, Organisation } from '../organisation/index.js';
import { STAFF_USAGE, type StaffCommand } from '../staff/parse.js';
import { dueAtOf, type Approval, type Ticket } from '../tickets/index.js';
import type { CommandCtx } from './commands.js';
import { peopleFor } from './staff-notices.js';
import { tellResident } from './resident-notices.js';
import { applyLevel, requestApproval } from './file-ticket.js';

/** Everyone the organisation config names for a project: roster, role holders, receptionist, notify list. */
export function isStaffOf(project: ProjectConfig, userId: string): boolean {
  return (
    project.receptionist === userId ||
    project.notifyWecomUsers.includes(userId) ||
    project.roster.some((r) => r.user === userId) ||
    Object.values(project.people).some((users) => users.includes(userId))
  );
}

export const isStaff = (org: Organisation, userId: string) => org.projects.some((p) => isStaffOf(p, userId));

const ROLE_LABEL: Record<string, string> = {
  lead: '项目负责人',
  finance: '财务审批人',
  quality: '品质部',
  head_office: '总部',
};

export async function runStaffCommand(c: CommandCtx, cmd: StaffCommand): Promise<string> {
  if (cmd.type === 'usage') return `指令"${cmd.verb}"需要带上工单号。\n${STAFF_USAGE}`;
  const ticket = await c.tx.findTicket(cmd.ticketNo);
  const project = ticket && c.deps.organisation.projects.find((p) => p.code === ticket.projectCode);
  if (!ticket || !project) return `找不到工单 ${cmd.ticketNo}，请核对工单号。`;
  if (cmd.type === 'approve' || cmd.type === 'reject') return decide(c, project, ticket, cmd);
  if (!isStaffOf(project, c.msg.userId)) return `抱歉，您不是${project.name}的工作人员，不能处理工单 ${ticket.no}。`;
  if (ticket.status === 'cancelled' || ticket.status === 'closed')
    return `工单 ${ticket.no} 已${ticket.status === 'cancelled' ? '撤销' : '关闭'}，无需处理。`;
  const actor = `wecom:${c.msg.userId}`;
  switch (cmd.type) {
    case 'accept':
      await c.tx.updateTicket(ticket.id, { status: 'assigned', handler: c.msg.userId, updatedAt: c.now });
      await c.tx.addEvent({ ticketId: ticket.id, at: c.now, type: 'accepted', actor, data: null });
      await tellResident(c, ticket, `您的工单 ${ticket.no} 已有师傅接单，将尽快与您联系。`, 'accepted');
      return `已接单 ${ticket.no}：${ticket.summary}\n${ticket.room} ${ticket.residentName}${ticket.phone ? ` ${ticket.phone}` : ''}`;
    case 'arrive':
      await c.tx.updateTicket(ticket.id, { status: 'in_progress', updatedAt: c.now });
      await c.tx.addEvent({ ticketId: ticket.id, at: c.now, type: 'arrived', actor, data: null });
      await tellResident(c, ticket, `维修人员已到场处理您的工单 ${ticket.no}。`, 'arrived');
      return `已记录到场：${ticket.no}。完成后请回复"完成 ${ticket.no} 处理说明"。`;
    case 'complete':
      return complete(c, project, ticket, cmd.note, actor);
    case 'plan':
      // 003 §2.3.3: a complex plan goes ahead only once the project lead approves it.
      await requestApproval(
        c,
        project,
        ticket,
        {
          kind: 'plan',
          question: `处理方案：${cmd.plan.slice(0, 60)}，是否批准？`,
          proposal: { plan: cmd.plan },
          approverRole: 'lead',
        },
        [`${c.msg.userId} 提交的处理方案`],
      );
      return `已提交 ${ticket.no} 的处理方案，等待项目负责人审批。`;
    case 'transfer': {
      await c.tx.updateTicket(ticket.id, { handler: cmd.to, status: 'assigned', updatedAt: c.now });
      await c.tx.addEvent({
        ticketId: ticket.id,
        at: c.now,
        type: 'transferred',
        actor,
        data: { from: ticket.handler, to: cmd.to },
      });
      await c.tx.enqueue(
        {
          dedupeKey: `ticket:${ticket.no}:transfer:${cmd.to}:${c.now.getTime()}`,
          channel: 'wecom_app',
          recipient: cmd.to,
          payload: {
            text: `【转派工单】${ticket.no}\n${project.name} ${ticket.room} ${ticket.residentName}\n内容：${ticket.summary}\n请回复"接单 ${ticket.no}"。`,
          },
        },
        c.now,
      );
      await tellResident(
        c,
        ticket,
        `您的工单 ${ticket.no} 已转交其他同事跟进，处理人会尽快与您联系。`,
        `transferred:${cmd.to}`,
      );
      return `已将 ${ticket.no} 转派给 ${cmd.to}。`;
    }
  }
}

async function complete(
  c: CommandCtx,
  project: ProjectConfig,
  t: Ticket,
  note: string,
  actor: string,
): Promise<string> {
  await c.tx.updateTicket(t.id, {
    status: 'resolved',
    completedAt: c.now,
    handlingOpinion: note || t.handlingOpinion,
    updatedAt: c.now,
  });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'completed', actor, data: { note } });
  await tellResident(c, t, `您的工单 ${t.no} 已处理完毕${note ? `：${note}` : '。'}`, 'completed');
  // 003 §2.5.1: the callback survey in the 1–3 working-day window after completion.
  const cal = c.deps.calendar(project.code);
  const ask = cal.nextWorkdayStart(c.now);
  await tellResident(
    c,
    t,
    `您好，工单 ${t.no}（${t.summary}）已处理完毕。请对本次服务评价：回复"满意"、"一般"或"不满意"。`,
    'rating',
    ask,
  );
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
  return `已完成 ${t.no}，已通知住户并将请住户评价。`;
}

/** Only a holder of the approval's role in the ticket's project may decide; anyone else is refused and nothing changes. */
async function decide(
  c: CommandCtx,
  project: ProjectConfig,
  t: Ticket,
  cmd: Extract<StaffCommand, { type: 'approve' | 'reject' }>,
): Promise<string> {
  const pending = (await c.tx.approvalsOf(t.id)).filter((a) => a.status === 'pending');
  if (pending.length === 0) return `工单 ${t.no} 没有待审批的事项。`;
  const mine = pending.filter((a) => peopleFor(project, a.approverRole, t.department, c.now).includes(c.msg.userId));
  if (mine.length === 0) {
    c.deps.logger.warn(
      { ticketNo: t.no, userId: c.msg.userId, roles: pending.map((a) => a.approverRole) },
      'approval refused: not an authorised approver',
    );
    return `抱歉，您不是${project.name}的${pending.map((a) => ROLE_LABEL[a.approverRole] ?? a.approverRole).join('或')}，不能审批工单 ${t.no}。`;
  }
  return applyDecision(
    c,
    t,
    mine[0]!,
    cmd.type === 'approve',
    cmd.type === 'approve' ? cmd.note : cmd.reason,
    `wecom:${c.msg.userId}`,
  );
}

export async function applyDecision(
  c: CommandCtx,
  t: Ticket,
  a: Approval,
  approved: boolean,
  reason: string,
  actor: string,
): Promise<string> {
  await c.tx.updateApproval(a.id, {
    status: approved ? 'approved' : 'rejected',
    decidedBy: actor,
    decidedAt: c.now,
    reason: reason || null,
  });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: approved ? 'approved' : 'rejected',
    actor,
    data: { approvalId: a.id, question: a.question, reason: reason || null },
  });
  const pack = c.deps.rules().pack(t.rulePack);
  const label = (code: string | undefined) => pack.levels.find((l) => l.code === code)?.label ?? code ?? '';
  if (a.kind === 'level_upgrade') {
    if (approved && a.proposal['to']) {
      const project = c.deps.organisation.projects.find((p) => p.code === t.projectCode)!;
      await applyLevel(c, project, t, a.proposal['to'], [`${a.question}（${actor} 批准）`]);
      await tellResident(
        c,
        t,
        `您反映的问题（工单 ${t.no}）已升级为${label(a.proposal['to'])}，由管理处负责人牵头处理，品质部跟进督办。`,
        `approval:${a.id}`,
      );
    }
  } else {
    // 领导批示 on the complaint form (001 §六(四)).
    await c.tx.updateTicket(t.id, {
      leaderInstruction: `${approved ? '同意' : '驳回'}${a.proposal['plan'] ? `方案「${a.proposal['plan']}」` : ''}${reason ? `：${reason}` : ''}`,
      updatedAt: c.now,
    });
    if (approved) await tellResident(c, t, `关于工单 ${t.no} 的处理方案已获批准，我们将尽快落实。`, `approval:${a.id}`);
  }
  return `已${approved ? '批准' : '驳回'}：${t.no} ${a.question}${reason ? `（${reason}）` : ''}`;
}

/**
 * A click on an approval card (template_card_event, EventKey "approve:<id>" …). The reply is the button's new label,
 * which the WeCom adapter sends back as a passive update_button; an unauthorised click changes nothing.
 */
export async function runCardClick(c: CommandCtx, key: string): Promise<string | undefined> {
  const m = /^(approve|reject|transfer):(\d+)$/.exec(key);
  if (!m) return undefined;
  const approval = await c.tx.findApproval(Number(m[2]));
  const ticket = approval && (await c.tx.findTicketById(approval.ticketId));
  const project = ticket && c.deps.organisation.projects.find((p) => p.code === ticket.projectCode);
  if (!approval || !ticket || !project) return '审批不存在';
  if (approval.status !== 'pending') return approval.status === 'approved' ? '已批准' : '已驳回';
  if (!peopleFor(project, approval.approverRole, ticket.department, c.now).includes(c.msg.userId)) {
    c.deps.logger.warn({ ticketNo: ticket.no, userId: c.msg.userId }, 'card click refused: not an authorised approver');
    return '无权审批';
  }
  if (m[1] === 'transfer') {
    await c.tx.enqueue(
      {
        dedupeKey: `approval:${approval.id}:transfer-help:${c.msg.userId}`,
        channel: 'wecom_app',
        recipient: c.msg.userId,
        payload: {
          text: `请回复"转派 ${ticket.no} 接收人ID"把工单转给其他同事处理；审批仍可回复"同意 ${ticket.no}"或"驳回 ${ticket.no} 原因"。`,
        },
      },
      c.now,
    );
    return '待转派';
  }
  await applyDecision(
    c,
    ticket,
    approval,
    m[1] === 'approve',
    m[1] === 'approve' ? '' : '（在审批卡片上驳回）',
    `wecom:${c.msg.userId}`,
  );
  return m[1] === 'approve' ? '已批准' : '已驳回';
}

/** A photo from staff (the work done, 完成 with a photo) goes on the ticket they handled last. */
export async function attachStaffPhoto(c: CommandCtx, mediaId: string): Promise<string> {
  const t = await c.tx.lastHandledBy(c.msg.userId);
  if (!t) return '没有找到您正在处理的工单。请先回复"接单 工单号"，再发送照片。';
  await c.tx.updateTicket(t.id, { images: [...t.images, mediaId], updatedAt: c.now });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'attached',
    actor: `wecom:${c.msg.userId}`,
    data: { image: mediaId, by: 'staff' },
  });
  return `照片已附到工单 ${t.no}。`;
}
