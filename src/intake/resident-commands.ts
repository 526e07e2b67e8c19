// Runs what the dialogue decided — file, correct, cancel, look up, rate — through the ticket use cases, and puts
// their outcomes into the words the resident reads.
import { text, type Reply } from '../dialogue/inbound.js';
import {
  ticketSay,
  type Command,
  type Intake,
  type Session,
  type TicketPatch,
  type TicketView,
} from '../dialogue/index.js';
import { resident } from '../tickets/actor.js';
import { fileTicket } from '../tickets/file-ticket.js';
import { cancelOwnTicket, findOwnTicket, listOwnTickets, rate, updateOwnTicket } from '../tickets/resident-work.js';
import type { Ticket } from '../tickets/ticket.js';
import type { MessageCtx } from './context.js';
import { visitorTag, webFiling, webQuotaSay } from './web-quota.js';

interface Outcome {
  session: Session;
  replies: Reply[];
}

export async function runCommand(
  c: MessageCtx,
  command: Command,
  session: Session,
  knownResident: boolean,
): Promise<Outcome> {
  const actor = resident(c.msg.channel, c.msg.userId);
  const say = (...lines: string[]): Outcome => ({ session, replies: lines.map(text) });
  switch (command.type) {
    case 'create_ticket':
      return createTicket(c, command.intake, command.askPhone, session, knownResident);
    case 'update_ticket': {
      const out = await updateOwnTicket(c, actor, command.ticketNo, command.patch);
      return out.kind === 'updated'
        ? say(updatedWords(out.ticket.no, command.patch))
        : say(ticketSay.notFound(command.ticketNo));
    }
    case 'cancel_ticket': {
      const out = await cancelOwnTicket(c, actor, command.ticketNo);
      if (out.kind === 'not-found') return say(ticketSay.notFound(command.ticketNo));
      if (out.kind === 'too-late') return say(ticketSay.cannotCancel(out.ticket.no, out.ticket.status));
      const last = session.last?.ticketNo === out.ticket.no ? undefined : session.last;
      return { session: { ...session, state: 'idle', last }, replies: [text(ticketSay.cancelled(out.ticket.no))] };
    }
    case 'show_ticket': {
      const t = await findOwnTicket(c, actor, command.ticketNo);
      return say(t ? ticketSay.detail(view(t)) : ticketSay.notFound(command.ticketNo));
    }
    case 'rate': {
      const out = await rate(c, actor, command.rating);
      if (out.kind === 'nothing-to-rate') return say(ticketSay.nothingToRate());
      return say(
        out.kind === 'reopened' ? ticketSay.reopened(out.ticket.no) : ticketSay.thanksForRating(out.ticket.no),
      );
    }
    case 'list_tickets':
      return say(ticketSay.list((await listOwnTickets(c, actor, 5)).map(view)));
  }
}

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

function updatedWords(no: string, patch: TicketPatch): string {
  const said = [...(patch.name ? [`姓名改为 ${patch.name}`] : []), ...(patch.room ? [`房号改为 ${patch.room}`] : [])];
  return [
    ...(said.length ? [ticketSay.updated(no, said.join('，'))] : []),
    ...(patch.phone ? [ticketSay.phoneAttached(no, patch.phone)] : []),
    ...(patch.image ? [ticketSay.attached(no, '图片')] : []),
    ...(patch.location ? [ticketSay.attached(no, '位置')] : []),
  ].join('\n');
}

async function createTicket(
  c: MessageCtx,
  intake: Intake,
  askPhone: boolean,
  session: Session,
  knownResident: boolean,
): Promise<Outcome> {
  const project =
    c.deps.organisation.projects.find((p) => p.code === intake.projectCode) ?? c.deps.organisation.projects[0]!;
  const web = await webFiling(c);
  if (web?.kind === 'refuse') {
    c.deps.logger.warn(
      { visitor: visitorTag(c.msg.userId), address: c.msg.address, reason: web.reason, limit: web.limit },
      'web chat ticket refused: the day limit of its source is reached',
    );
    // Nothing is filed; the session leaves the intake (it would otherwise ask for a phone for a ticket not filed).
    return { session: { ...session, state: 'idle' }, replies: [text(webQuotaSay.refused(web.reason))] };
  }
  const { ticket, incident } = await fileTicket(c, resident(c.msg.channel, c.msg.userId), intake, project, {
    knownResident,
    ...(web?.fold ? { fold: web.fold } : {}),
  });
  if (web) await c.tx.recordWebFiling(web.source, ticket.no, c.now);
  if (web?.fold)
    c.deps.logger.warn(
      { ticketNo: ticket.no, visitor: visitorTag(c.msg.userId), address: c.msg.address, count: web.fold.count },
      'web chat source is filing many tickets; its staff notices are folded into one',
    );
  const profile = { name: intake.name, room: intake.room, phone: intake.phone, projectCode: project.code };
  await c.tx.saveProfile(c.msg.channel, c.msg.userId, profile, c.now);
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
    replies: [text(ticketSay.created(view(ticket), intake.name, intake.room, c.now, askPhone, note))],
  };
}
