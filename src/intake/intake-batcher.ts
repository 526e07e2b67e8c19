// Group commit for the webhooks. A message that arrives while earlier ones are being written waits for the next
// transaction together with everything else that arrived meanwhile; an idle service writes a lone message at once,
// so batching adds no delay when there is no load. Under load, one transaction (and one statement per table) serves
// tens of messages: per-message round trips and ORM work were most of the webhook's CPU.
import type { InboundMessage } from '../channels/types.js';
import { handleInboundBatch, type IntakeDeps, type IntakeResult } from './handle-inbound.js';
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
  /** Batches that failed (a conflict, a deadlock after retries, a bad message) and ran one message at a time. */
  fallbacks: number;
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

export function createIntakeBatcher(deps: IntakeDeps, options: BatcherOptions): IntakeBatcher {
  const queue: Waiting[] = [];
  // A user is in at most one transaction at a time: their next message needs the session the previous one wrote.
  const busyUsers = new Set<string>();
  // A platform retry of a message still queued or being written follows it and gets the same reply.
  const pending = new Map<string, Promise<IntakeResult>>();
  const stats: BatcherStats = { batches: 0, messages: 0, largestBatch: 0, fallbacks: 0 };
  let inFlight = 0;

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

  async function run(batch: Waiting[]): Promise<void> {
    stats.batches++;
    stats.messages += batch.length;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    try {
      const outcome = await handleInboundBatch(
        deps,
        batch.map((w) => w.msg),
      );
      if (!outcome.committedTogether) stats.fallbacks++;
      outcome.results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i]!.resolve(r.value) : batch[i]!.reject(r.reason)));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      for (const w of batch) busyUsers.delete(userOf(w.msg));
    }
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && queue.length) {
      const batch = take();
      if (batch.length === 0) return;
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    submit(msg) {
      const id = recordedKey(msg.channel, msg.dedupeKey);
      const first = pending.get(id);
      if (first) return first.then((r) => ({ reply: r.reply, duplicate: true }));
      const result = new Promise<IntakeResult>((resolve, reject) => queue.push({ msg, resolve, reject }));
      pending.set(id, result);
      const forget = () => pending.delete(id);
      result.then(forget, forget);
      pump();
      return result;
    },
    stats: () => ({ ...stats }),
  };
}
