// Staff work tickets from the WeCom app (接单 / 到场 / 完成 / 转派 / 方案) and managers decide approvals (同意 / 驳回,
// or a card's buttons). The ticket use cases decide and act; this module only puts their outcomes into chat words.
import { text, type Reply } from '../dialogue/inbound.js';
import { STAFF_USAGE, type StaffCommand } from '../staff/parse.js';
import { staff } from '../tickets/actor.js';
import { decide, decideApproval, pendingFor, type DecideOutcome } from '../tickets/approvals.js';
import { notify } from '../tickets/notify.js';
import {
  accept,
  arrive,
  attachStaffPhoto,
  complete,
  proposePlan,
  transfer,
  type WorkOutcome,
} from '../tickets/staff-work.js';
import type { Ticket } from '../tickets/ticket.js';
import type { MessageCtx } from './context.js';

const ROLE_LABEL: Record<string, string> = {
  lead: '项目负责人',
  finance: '财务审批人',
  quality: '品质部',
  head_office: '总部',
};

export async function runStaffCommand(c: MessageCtx, cmd: StaffCommand): Promise<Reply[]> {
  const actor = staff(c.msg.userId);
  switch (cmd.type) {
    case 'usage':
      return [text(`指令"${cmd.verb}"需要带上工单号。\n${STAFF_USAGE}`)];
    case 'approve':
    case 'reject': {
      const approved = cmd.type === 'approve';
      const out = await decide(c, actor, cmd.ticketNo, approved, approved ? cmd.note : cmd.reason);
      return [text(decisionWords(out))];
    }
    case 'accept':
      return [text(workWords(await accept(c, actor, cmd.ticketNo), (t) => acceptedWords(t)))];
    case 'arrive':
      return [
        text(
          workWords(
            await arrive(c, actor, cmd.ticketNo),
            (t) => `已记录到场：${t.no}。完成后请回复"完成 ${t.no} 处理说明"。`,
          ),
        ),
      ];
    case 'complete':
      return [
        text(
          workWords(
            await complete(c, actor, cmd.ticketNo, cmd.note),
            (t) => `已完成 ${t.no}，已通知住户并将请住户评价。`,
          ),
        ),
      ];
    case 'plan':
      return [
        text(
          workWords(
            await proposePlan(c, actor, cmd.ticketNo, cmd.plan),
            (t) => `已提交 ${t.no} 的处理方案，等待项目负责人审批。`,
          ),
        ),
      ];
    case 'transfer':
      return [
        text(workWords(await transfer(c, actor, cmd.ticketNo, cmd.to), (t) => `已将 ${t.no} 转派给 ${cmd.to}。`)),
      ];
  }
}

const acceptedWords = (t: Ticket) =>
  `已接单 ${t.no}：${t.summary}\n${t.room} ${t.residentName}${t.phone ? ` ${t.phone}` : ''}`;

function workWords(out: WorkOutcome, done: (t: Ticket) => string): string {
  switch (out.kind) {
    case 'done':
      return done(out.ticket);
    case 'not-found':
      return `找不到工单 ${out.ticketNo}，请核对工单号。`;
    case 'not-allowed':
      return `抱歉，您不是${out.project.name}的工作人员，不能处理工单 ${out.ticket.no}。`;
    case 'finished':
      return `工单 ${out.ticket.no} 已${out.ticket.status === 'cancelled' ? '撤销' : '关闭'}，无需处理。`;
  }
}

function decisionWords(out: DecideOutcome): string {
  switch (out.kind) {
    case 'decided': {
      const { ticket: t, approval: a, approved, reason } = out;
      return `已${approved ? '批准' : '驳回'}：${t.no} ${a.question}${reason ? `（${reason}）` : ''}`;
    }
    case 'not-found':
      return `找不到工单 ${out.ticketNo}，请核对工单号。`;
    case 'nothing-pending':
      return `工单 ${out.ticket.no} 没有待审批的事项。`;
    case 'not-allowed': {
      const roles = out.roles.map((r) => ROLE_LABEL[r] ?? r).join('或');
      return `抱歉，您不是${out.project.name}的${roles}，不能审批工单 ${out.ticket.no}。`;
    }
    case 'already-decided':
      return out.approval.status === 'approved' ? '已批准' : '已驳回';
  }
}

/**
 * A click on an approval card (template_card_event, EventKey "approve:<id>" …). The reply is the button's new label,
 * which the WeCom adapter sends back as a passive update_button; an unauthorised click changes nothing.
 */
export async function runCardClick(c: MessageCtx, key: string): Promise<Reply[] | undefined> {
  const m = /^(approve|reject|transfer):(\d+)$/.exec(key);
  if (!m) return undefined;
  const actor = staff(c.msg.userId);
  const id = Number(m[2]);
  if (m[1] === 'transfer') return [{ type: 'button', label: await transferHelp(c, id) }];
  const approved = m[1] === 'approve';
  const out = await decideApproval(c, actor, id, approved, approved ? '' : '（在审批卡片上驳回）');
  return [{ type: 'button', label: buttonLabel(out) }];
}

function buttonLabel(out: DecideOutcome): string {
  switch (out.kind) {
    case 'decided':
      return out.approved ? '已批准' : '已驳回';
    case 'already-decided':
      return out.approval.status === 'approved' ? '已批准' : '已驳回';
    case 'not-allowed':
      return '无权审批';
    default:
      return '审批不存在';
  }
}

/** 转派 on a card: the approver is told how to hand the ticket on; the approval itself stays open. */
async function transferHelp(c: MessageCtx, approvalId: number): Promise<string> {
  const open = await pendingFor(c, staff(c.msg.userId), approvalId);
  if (open.kind !== 'pending') return buttonLabel(open);
  const { ticket } = open;
  const help = `请回复"转派 ${ticket.no} 接收人ID"把工单转给其他同事处理；审批仍可回复"同意 ${ticket.no}"或"驳回 ${ticket.no} 原因"。`;
  const key = `approval:${open.approval.id}:transfer-help:${c.msg.userId}`;
  await notify(c, { kind: 'staff', userId: c.msg.userId }, { text: help }, { key });
  return '待转派';
}

/** A photo from staff (the work done, 完成 with a photo) goes on the ticket they handled last. */
export async function attachPhoto(c: MessageCtx, mediaId: string): Promise<Reply[]> {
  const out = await attachStaffPhoto(c, staff(c.msg.userId), mediaId);
  if (out.kind === 'no-ticket') return [text('没有找到您正在处理的工单。请先回复"接单 工单号"，再发送照片。')];
  return [text(`照片已附到工单 ${out.ticket.no}。`)];
}
