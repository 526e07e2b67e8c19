// Group commit for the webhooks. A message that arrives while earlier ones are being written waits for the next
// transaction together with everything else that arrived meanwhile; an idle service writes a lone message at once,
// so batching adds no delay when there is no load. Under load, one transaction (and one statement per table) serves
// tens of messages: per-message round trips and ORM work were most of the webhook's CPU.
import type { InboundMessage } from '../dialogue/inbound.js';
import type { IntakeDeps } from './context.js';
import { handleInboundBatch, type IntakeResult } from './handle-inbound.js';
import { recordedKey } from './ports.js';

export interface BatcherOptions {
  /** Most messages in one transaction. */
  maxBatch: number;
  /** Transactions under way at once (1 on SQLite, which has one writer). */
  maxInFlight: number;
}

export interface BatcherStats {
  batches: number;
  messages: number;
  largestBatch: number;
  /** Batches that failed (a deadlock even alone, a bad message) and ran one message at a time. */
  fallbacks: number;
  /** Batches that deadlocked with another and ran again alone. */
  conflicts: number;
  /** Messages taken and not yet answered (queued or being written): the queue depth now. */
  waiting: number;
}

export interface IntakeBatcher {
  submit(msg: InboundMessage): Promise<IntakeResult>;
  stats(): BatcherStats;
}

interface Waiting {
  msg: InboundMessage;
  resolve(r: IntakeResult): void;
  reject(err: unknown): void;
}

const userOf = (msg: InboundMessage) => `${msg.channel}\u0000${msg.userId}`;

export type RunBatch = typeof handleInboundBatch;

/** `runBatch` is the use case itself; tests pass a stand-in to watch what runs together. */
export function createIntakeBatcher(
  deps: IntakeDeps,
  options: BatcherOptions,
  runBatch: RunBatch = handleInboundBatch,
): IntakeBatcher {
  const queue: Waiting[] = [];
  // A user is in at most one transaction at a time: their next message needs the session the previous one wrote.
  const busyUsers = new Set<string>();
  // A platform retry of a message still queued or being written follows it and gets the same reply.
  const pending = new Map<string, Promise<IntakeResult>>();
  const stats: Omit<BatcherStats, 'waiting'> = { batches: 0, messages: 0, largestBatch: 0, fallbacks: 0, conflicts: 0 };
  // Batches that deadlocked with another: each runs again alone, before anything else starts.
  const alone: Waiting[][] = [];
  let inFlight = 0;
  let exclusive = false;

  function take(): Waiting[] {
    const batch: Waiting[] = [];
    for (let i = 0; i < queue.length && batch.length < options.maxBatch; ) {
      const user = userOf(queue[i]!.msg);
      if (busyUsers.has(user)) {
        i++;
        continue;
      }
      busyUsers.add(user);
      batch.push(queue.splice(i, 1)[0]!);
    }
    return batch;
  }

  async function run(batch: Waiting[], isolated: boolean): Promise<void> {
    let requeued = false;
    try {
      const outcome = await runBatch(
        deps,
        batch.map((w) => w.msg),
        { yieldOnConflict: !isolated },
      );
      if (outcome.outcome === 'conflict') {
        stats.conflicts++;
        alone.push(batch);
        requeued = true;
        return;
      }
      stats.batches++;
      stats.messages += batch.length;
      stats.largestBatch = Math.max(stats.largestBatch, batch.length);
      if (outcome.outcome === 'one-by-one') stats.fallbacks++;
      outcome.results.forEach((r, i) =>
        r.status === 'fulfilled' ? batch[i]!.resolve(r.value) : batch[i]!.reject(r.reason),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      // A requeued batch keeps its users: their next messages must wait for it.
      if (!requeued) for (const w of batch) busyUsers.delete(userOf(w.msg));
    }
  }

  function start(batch: Waiting[], isolated: boolean): void {
    inFlight++;
    exclusive = isolated;
    void run(batch, isolated).finally(() => {
      inFlight--;
      if (isolated) exclusive = false;
      pump();
    });
  }

  function pump(): void {
    if (exclusive) return;
    if (alone.length) {
      // Wait for the batches under way to finish, then run the deadlocked one with no one to deadlock with.
      if (inFlight === 0) start(alone.shift()!, true);
      return;
    }
    while (inFlight < options.maxInFlight && queue.length) {
      const batch = take();
      if (batch.length === 0) return;
      start(batch, false);
    }
  }

  return {
    submit(msg) {
      const id = recordedKey(msg.channel, msg.dedupeKey);
      const first = pending.get(id);
      if (first) return first.then((r) => ({ replies: r.replies, duplicate: true }));
      const result = new Promise<IntakeResult>((resolve, reject) => queue.push({ msg, resolve, reject }));
      pending.set(id, result);
      const forget = () => pending.delete(id);
      result.then(forget, forget);
      pump();
      return result;
    },
    stats: () => ({ ...stats, waiting: pending.size }),
  };
}
