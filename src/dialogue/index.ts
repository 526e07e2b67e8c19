export {
  step,
  newSession,
  type Session,
  type StepContext,
  type StepResult,
  type Command,
  type Intake,
  type Profile,
  type ProjectRef,
  type TicketPatch,
} from './machine.js';
export { say, ticketSay, statusLabel, type TicketView } from './messages.js';
export { extractSlots, maskPhone, type Slots } from './slots.js';
