export { handleInbound, type IntakeDeps, type IntakeResult } from './handle-inbound.js';
export { createIntakeBatcher, type BatcherStats, type IntakeBatcher } from './intake-batcher.js';
export { replyInTime, type DeferredChannel } from './reply-in-time.js';
export type { IntakeStore, IntakeTx, OutboxItem } from './ports.js';
export { resolveIncident, type ResolveOutcome } from './resolve-incident.js';
export { reviewTicket, type SecondOpinion, type SecondOpinionSource } from './second-opinion.js';
