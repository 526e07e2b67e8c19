// What a resident does with their own tickets: correct or add to one, cancel it, look it up, rate the work.
import type { TicketPatch } from '../dialogue/index.js';
import { actorLabel, type ResidentActor } from './actor.js';
import { isOwnTicket } from './authorise.js';
import type { TicketCtx } from './context.js';
import { notify } from './notify.js';
import { canResidentCancel, type Rating, type Ticket } from './ticket.js';

/** Someone else's ticket is not found, whatever its number: a resident never learns that it exists. */
export async function findOwnTicket(c: TicketCtx, actor: ResidentActor, no: string): Promise<Ticket | undefined> {
  const t = await c.tx.findTicket(no);
  return t && isOwnTicket(actor, t) ? t : undefined;
}

export const listOwnTickets = (c: TicketCtx, actor: ResidentActor, limit: number) =>
  c.tx.listTicketsOf(actor.channel, actor.userId, limit);

export type UpdateOutcome = { kind: 'updated'; ticket: Ticket; patch: TicketPatch } | { kind: 'not-found' };

/** A correction (name, room, phone) or an addition (a photo, a location) to the resident's own ticket. */
export async function updateOwnTicket(
  c: TicketCtx,
  actor: ResidentActor,
  no: string,
  patch: TicketPatch,
): Promise<UpdateOutcome> {
  const t = await findOwnTicket(c, actor, no);
  if (!t) return { kind: 'not-found' };
  const changes: Partial<Ticket> = { updatedAt: c.now };
  if (patch.name) changes.residentName = patch.name;
  if (patch.room) changes.room = patch.room;
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
    actor: actorLabel(actor),
    data,
  });
  if (patch.name || patch.room || patch.phone) {
    const profile = {
      name: changes.residentName ?? t.residentName,
      room: changes.room ?? t.room,
      phone: changes.phone ?? t.phone,
      projectCode: t.projectCode,
    };
    await c.tx.saveProfile(actor.channel, actor.userId, profile, c.now);
  }
  return { kind: 'updated', ticket: { ...t, ...changes }, patch };
}

export type CancelOutcome =
  | { kind: 'cancelled'; ticket: Ticket }
  | { kind: 'too-late'; ticket: Ticket }
  | { kind: 'not-found' };

/** A resident may withdraw a report until someone has taken it on. */
export async function cancelOwnTicket(c: TicketCtx, actor: ResidentActor, no: string): Promise<CancelOutcome> {
  const t = await findOwnTicket(c, actor, no);
  if (!t) return { kind: 'not-found' };
  if (!canResidentCancel(t)) return { kind: 'too-late', ticket: t };
  await c.tx.updateTicket(t.id, { status: 'cancelled', updatedAt: c.now });
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'cancelled', actor: actorLabel(actor), data: null });
  return { kind: 'cancelled', ticket: { ...t, status: 'cancelled' } };
}

export type RateOutcome =
  | { kind: 'thanked'; ticket: Ticket }
  | { kind: 'reopened'; ticket: Ticket }
  | { kind: 'nothing-to-rate' };

/** 003 §2.5.1 callback survey: 不满意 reopens the ticket as important with the same owner (谁受理谁跟进). */
export async function rate(c: TicketCtx, actor: ResidentActor, rating: Rating): Promise<RateOutcome> {
  const t = await c.tx.awaitingRating(actor.channel, actor.userId);
  if (!t) return { kind: 'nothing-to-rate' };
  const by = actorLabel(actor);
  await c.tx.updateTicket(t.id, { rating, updatedAt: c.now });
  await c.tx.meetDeadlines(t.id, 'callback', c.now);
  await c.tx.addEvent({ ticketId: t.id, at: c.now, type: 'rated', actor: by, data: { rating } });
  if (rating !== 'unsatisfied') return { kind: 'thanked', ticket: { ...t, rating } };
  const rules = c.deps.rules();
  const level =
    rules.levelOf(t.rulePack, 'important') && rules.higher(t.rulePack, 'important', t.level) ? 'important' : t.level;
  await c.tx.updateTicket(t.id, { status: 'open', level, completedAt: null, updatedAt: c.now });
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'reopened',
    actor: by,
    data: { level, owner: t.receiver, reason: '住户回访不满意（003 §2.5.1）' },
  });
  const text = `【工单重开】${t.no} 住户回访不满意，已重开为重要事件，请跟进。\n内容：${t.summary}`;
  for (const user of new Set([t.receiver, ...(t.handler ? [t.handler] : [])])) {
    const key = `ticket:${t.no}:reopened:${c.now.getTime()}:${user}`;
    await notify(c, { kind: 'staff', userId: user }, { text }, { key });
  }
  return { kind: 'reopened', ticket: { ...t, rating, status: 'open', level, completedAt: null } };
}
