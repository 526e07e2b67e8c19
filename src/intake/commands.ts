// Runs what the dialogue decided: create, correct, cancel and look up tickets, inside the message's transaction.
import type { InboundMessage } from '../dialogue/inbound.js';
import {
  ticketSay,
  type Command,
  type Intake,
  type Session,
  type TicketPatch,
  type TicketView,
} from '../dialogue/index.js';
import { canResidentCancel, type Ticket } from '../tickets/index.js';
import { fileTicket } from './file-ticket.js';
import type { IntakeDeps } from './handle-inbound.js';
import type { IntakeTx } from './ports.js';

export interface CommandCtx {
  deps: IntakeDeps;
  tx: IntakeTx;
  msg: InboundMessage;
  now: Date;
  /** False when the sender has no profile yet, so has no earlier tickets to look at. */
  knownResident?: boolean;
}

interface Outcome {
  session: Session;
  reply: string;
}

export async function runCommand(c: CommandCtx, command: Command, session: Session): Promise<Outcome> {
  switch (command.type) {
    case 'create_ticket':
      return createTicket(c, command.intake, command.askPhone, session);
    case 'update_ticket':
      return withOwnTicket(c, command.ticketNo, session, (t) => updateTicket(c, t, command.patch, session));
    case 'cancel_ticket':
      return withOwnTicket(c, command.ticketNo, session, (t) => cancelTicket(c, t, session));
    case 'show_ticket':
      return withOwnTicket(c, command.ticketNo, session, async (t) => ({ session, reply: ticketSay.detail(view(t)) }));
    case 'rate':
      return { session, reply: await rate(c, command.rating) };
    case 'list_tickets': {
      const tickets = await c.tx.listTicketsOf(c.msg.channel, c.msg.userId, 5);
      return { session, reply: ticketSay.list(tickets.map(view)) };
    }
  }
}

const actorOf = (msg: InboundMessage) => `${msg.channel}:${msg.userId}`;

export function view(t: Ticket): TicketView {
  return {
    no: t.no,
    summary: t.summary,
    status: t.status,
    createdAt: t.createdAt,
    classification: { kind: t.kind, category: t.category, urgency: t.urgency },
    responseDueAt: t.responseDueAt,
    phone: t.phone,
  };
}

async function createTicket(c: CommandCtx, intake: Intake, askPhone: boolean, session: Session): Promise<Outcome> {
  const project =
    c.deps.organisation.projects.find((p) => p.code === intake.projectCode) ?? c.deps.organisation.projects[0]!;
  const { ticket, incident } = await fileTicket(c, intake, project);
  await c.tx.saveProfile(
    c.msg.channel,
    c.msg.userId,
    { name: intake.name, room: intake.room, phone: intake.phone, projectCode: project.code },
    c.now,
  );
  c.deps.logger.info(
    {
      ticketNo: ticket.no,
      urgency: ticket.urgency,
      category: ticket.category,
      level: ticket.level,
      department: ticket.department,
      incidentId: incident?.id,
    },
    'ticket created',
  );
  const note = incident && incident.residents > 1 ? ticketSay.sameFault(incident.residents) : undefined;
  return {
    session: { ...session, last: { ticketNo: ticket.no, name: intake.name, room: intake.room } },
    reply: ticketSay.created(view(ticket), intake.name, intake.room, c.now, askPhone, note),
  };
}

async function withOwnTicket(
  c: CommandCtx,
  no: string,
  session: Session,
  fn: (t: Ticket) => Promise<Outcome>,
): Promise<Outcome> {
  const t = await c.tx.findTicket(no);
  if (!t || t.channel !== c.msg.channel || t.userId !== c.msg.userId) return { session, reply: ticketSay.notFound(no) };
  return fn(t);
}

async function updateTicket(c: CommandCtx, t: Ticket, patch: TicketPatch, session: Session): Promise<Outcome> {
  const changes: Partial<Ticket> = { updatedAt: c.now };
  const said: string[] = [];
  if (patch.name) {
    changes.residentName = patch.name;
    said.push(`姓名改为 ${patch.name}`);
  }
  if (patch.room) {
    changes.room = patch.room;
    said.push(`房号改为 ${patch.room}`);
  }
  if (patch.phone) changes.phone = patch.phone;
  if (patch.image) changes.images = [...t.images, patch.image];
  if (patch.location) changes.location = patch.location;
  await c.tx.updateTicket(t.id, changes);
  const data = Object.fromEntries(
    Object.entries(patch).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
  );
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: patch.image || patch.location ? 'attached' : 'updated',
    actor: actorOf(c.msg),
    data,
  });
  if (patch.name || patch.room || patch.phone) {
    await c.tx.saveProfile(
      c.msg.channel,
      c.msg.userId,
      {
        name: changes.residentName ?? t.residentName,
        room: changes.room ?? t.room,
        phone: changes.phone ?? t.phone,
        projectCode: t.projectCode,
      },
      c.now,
    );
  }
  const replies: string[] = [];
  if (said.length) replies.push(ticketSay.updated(t.no, said.join('，')));
  if (patch.phone) replies.push(ticketSay.phoneAttached(t.no, patch.phone));
  if (patch.image) replies.push(ticketSay.attached(t.no, '图片'));
  if (patch.location) replies.push(ticketSay.attached(t.no, '位置'));
  return { session, reply: replies.join('\n') };
}

async function cancelTicket(c: CommandCtx, t: Ticket, session: Session): Promise<Outcome> {
  if (!canResidentCancel(t)) return { session, reply: ticketSay.cannotCancel(t.no, t.status) };
  await c.tx.updateTicket(t.id, { status: 'cancelled', updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'cancelled', actor: actorOf(c.msg), data: null });
  const last = session.last?.ticketNo === t.no ? undefined : session.last;
  return { session: { ...session, state: 'idle', last }, reply: ticketSay.cancelled(t.no) };
}

/** 003 §2.5.1 callback survey: 不满意 reopens the ticket as important with the same owner (谁受理谁跟进). */
async function rate(c: CommandCtx, rating: 'satisfied' | 'neutral' | 'unsatisfied'): Promise<string> {
  const t = await c.tx.awaitingRating(c.msg.channel, c.msg.userId);
  if (!t) return ticketSay.nothingToRate();
  const actor = actorOf(c.msg);
  await c.tx.updateTicket(t.id, { rating, updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'rated', actor, data: { rating } });
  if (rating !== 'unsatisfied') return ticketSay.thanksForRating(t.no);
  const rules = c.deps.rules();
  const level =
    rules.levelOf(t.rulePack, 'important') && rules.higher(t.rulePack, 'important', t.level) ? 'important' : t.level;
  await c.tx.updateTicket(t.id, { status: 'open', level, completedAt: null, updatedAt: c.now });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'reopened',
    actor,
    data: { level, owner: t.receiver, reason: '住户回访不满意（003 §2.5.1）' },
  });
  if (c.deps.staffChannelEnabled) {
    for (const user of new Set([t.receiver, ...(t.handler ? [t.handler] : [])])) {
      await c.tx.enqueue(
        {
          dedupeKey: `ticket:${t.no}:reopened:${c.now.getTime()}:${user}`,
          channel: 'wecom_app',
          recipient: user,
          payload: { text: `【工单重开】${t.no} 住户回访不满意，已重开为重要事件，请跟进。\n内容：${t.summary}` },
        },
        c.now,
      );
    }
  }
  return ticketSay.reopened(t.no);
}
