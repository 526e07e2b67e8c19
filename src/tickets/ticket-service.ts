// The ticket use cases for actors outside a chat message (the console, the admin API, jobs): each call is one
// transaction, returns a typed outcome, and leaves the words to the caller.
import type { Clock } from '../lib/clock.js';
import type { Actor } from './actor.js';
import { decide, decideApproval } from './approvals.js';
import type { TicketCtx, TicketDeps } from './context.js';
import type { TicketStore } from './ports.js';
import { resolveIncident } from './resolve-incident.js';
import {
  accept,
  addHandlingNotes,
  arrive,
  close,
  complete,
  proposePlan,
  recategorise,
  transfer,
  type Correction,
  type HandlingNotes,
} from './staff-work.js';

export interface TicketServiceDeps extends TicketDeps {
  store: TicketStore;
  clock: Clock;
}

export type TicketService = ReturnType<typeof createTicketService>;

export function createTicketService(deps: TicketServiceDeps) {
  const run = <T>(fn: (c: TicketCtx) => Promise<T>) =>
    deps.store.transaction((tx) => fn({ deps, tx, now: deps.clock.now() }));
  return {
    accept: (actor: Actor, no: string) => run((c) => accept(c, actor, no)),
    arrive: (actor: Actor, no: string) => run((c) => arrive(c, actor, no)),
    complete: (actor: Actor, no: string, note: string) => run((c) => complete(c, actor, no, note)),
    close: (actor: Actor, no: string, note: string) => run((c) => close(c, actor, no, note)),
    transfer: (actor: Actor, no: string, to: string) => run((c) => transfer(c, actor, no, to)),
    proposePlan: (actor: Actor, no: string, plan: string) => run((c) => proposePlan(c, actor, no, plan)),
    addHandlingNotes: (actor: Actor, no: string, notes: HandlingNotes) =>
      run((c) => addHandlingNotes(c, actor, no, notes)),
    recategorise: (actor: Actor, no: string, fix: Correction) => run((c) => recategorise(c, actor, no, fix)),
    decide: (actor: Actor, no: string, approved: boolean, reason: string) =>
      run((c) => decide(c, actor, no, approved, reason)),
    decideApproval: (actor: Actor, approvalId: number, approved: boolean, reason: string) =>
      run((c) => decideApproval(c, actor, approvalId, approved, reason)),
    resolveIncident: (actor: Actor, id: number, resolution: string) =>
      run((c) => resolveIncident(c, actor, id, resolution)),
  };
}
