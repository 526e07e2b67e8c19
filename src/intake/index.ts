export type { IntakeDeps } from './context.js';
export { handleInbound, type IntakeResult } from './handle-inbound.js';
export { createIntakeBatcher, type BatcherStats, type IntakeBatcher } from './intake-batcher.js';
export { replyInTime } from './reply-in-time.js';
export type { IntakeStore, IntakeTx } from './ports.js';
