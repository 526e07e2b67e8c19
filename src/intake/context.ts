// What handling one chat message runs with: the ticket use cases' context plus the message and its conversation.
import type { InboundMessage } from '../dialogue/inbound.js';
import type { Clock } from '../lib/clock.js';
import type { TicketDeps } from '../tickets/context.js';
import type { IntakeStore, IntakeTx } from './ports.js';

export interface IntakeDeps extends TicketDeps {
  store: IntakeStore;
  clock: Clock;
  idleMinutes: number;
}

export interface MessageCtx {
  deps: IntakeDeps;
  tx: IntakeTx;
  msg: InboundMessage;
  now: Date;
}
