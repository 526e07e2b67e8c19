// What handling one chat message runs with: the ticket use cases' context plus the message and its conversation.
import type { InboundMessage } from '../dialogue/inbound.js';
import type { Clock } from '../lib/clock.js';
import type { TicketDeps } from '../tickets/context.js';
import type { IntakeStore, IntakeTx } from './ports.js';

/** How many tickets the public web chat files for one source, and when a source's staff notices fold into one. */
export interface WebTicketLimits {
  /** Per visitor (the server-issued cookie) and Beijing day. */
  visitorPerDay: number;
  /** Per client address and Beijing day: a script that drops its cookie is a new visitor, not a new address. */
  addressPerDay: number;
  /** A source that has filed this many within `foldMinutes` files the next ones with one notice to staff for all. */
  foldAfter: number;
  foldMinutes: number;
}

export interface IntakeDeps extends TicketDeps {
  store: IntakeStore;
  clock: Clock;
  idleMinutes: number;
  webTickets: WebTicketLimits;
}

export interface MessageCtx {
  deps: IntakeDeps;
  tx: IntakeTx;
  msg: InboundMessage;
  now: Date;
}
