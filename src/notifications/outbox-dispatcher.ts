// Delivers outbox rows with retries and backoff. Several instances may run it: a row is leased before sending.
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { OutboxItem } from '../intake/ports.js';
import type { RateWindow } from './rate-window.js';

export interface DueMessage {
  id: number;
  channel: string;
  recipient: string;
  payload: OutboxItem['payload'];
  attempts: number;
}

export interface ChannelFilter {
  only?: string[];
  except?: string[];
}

export interface OutboxRepo {
  claimDue(now: Date, limit: number, owner: string, leaseMs: number, channels?: ChannelFilter): Promise<DueMessage[]>;
  /** Gives the row back untouched (no attempt counted) to be tried again at `until`. */
  postpone(id: number, until: Date): Promise<void>;
  markSent(id: number, now: Date): Promise<void>;
  markFailed(id: number, attempts: number, error: string, nextAttemptAt: Date | null): Promise<void>;
}

export interface OutboxSender {
  send(recipient: string, payload: OutboxItem['payload']): Promise<void>;
  /** Channels that fold messages due together into digests; returns how many messages went out. */
  sendDigest?(recipient: string, texts: string[]): Promise<number>;
}

export interface DispatcherDeps {
  repo: OutboxRepo;
  senders: Partial<Record<string, OutboxSender>>;
  isPermanent: (err: unknown) => boolean;
  clock: Clock;
  logger: Logger;
  owner: string;
  pollMs: number;
  /** Which channels this dispatcher delivers (the group robots have their own, under a lease). */
  channels?: ChannelFilter;
  /** Per-target send limit (the group robot's 20 a minute). */
  limiter?: RateWindow;
}

export const MAX_ATTEMPTS = 10;
const BATCH = 20;
const LEASE_MS = 60_000;

/** 5 s, 10 s, 20 s … capped at one hour, with ±20 % jitter so instances do not retry in step. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(5_000 * 2 ** (attempts - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private deps: DispatcherDeps) {}

  start(): void {
    this.timer = setInterval(
      () => void this.tick().catch((err) => this.deps.logger.error({ err }, 'outbox tick failed')),
      this.deps.pollMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over what is due; returns how many rows it handled. Overlapping calls share the pass. */
  tick(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const { repo, clock, owner, senders } = this.deps;
    const due = await repo.claimDue(clock.now(), BATCH, owner, LEASE_MS, this.deps.channels);
    const digests = new Map<string, DueMessage[]>();
    for (const m of due) {
      if (senders[m.channel]?.sendDigest)
        digests.set(`${m.channel}\u0000${m.recipient}`, [
          ...(digests.get(`${m.channel}\u0000${m.recipient}`) ?? []),
          m,
        ]);
      else await this.deliver(m);
    }
    for (const group of digests.values()) await this.deliverDigest(group);
    return due.length;
  }

  /** Everything due for one target goes as one digest, inside the target's rate limit; the rest waits, unpenalised. */
  private async deliverDigest(group: DueMessage[]): Promise<void> {
    const { repo, clock, logger, senders, limiter } = this.deps;
    const { channel, recipient } = group[0]!;
    const now = clock.now();
    const until = await limiter?.heldUntil(recipient, now);
    if (until) {
      for (const m of group) await repo.postpone(m.id, until);
      logger.info({ channel, count: group.length, until }, 'digest held back by the rate limit');
      return;
    }
    try {
      const sent = await senders[channel]!.sendDigest!(
        recipient,
        group.map((m) => m.payload.text),
      );
      await limiter?.record(recipient, now, sent);
      for (const m of group) await repo.markSent(m.id, clock.now());
      logger.info({ channel, folded: group.length, messages: sent }, 'digest sent');
    } catch (err) {
      await limiter?.record(recipient, now);
      for (const m of group) await this.failed(m, err);
    }
  }

  private async deliver(m: DueMessage): Promise<void> {
    const { repo, clock, logger, senders } = this.deps;
    const sender = senders[m.channel];
    if (!sender) {
      await repo.markFailed(m.id, m.attempts + 1, `channel ${m.channel} is not configured for sending`, null);
      logger.error({ outboxId: m.id, channel: m.channel }, 'outbox message dead: channel cannot send');
      return;
    }
    try {
      await sender.send(m.recipient, m.payload);
      await repo.markSent(m.id, clock.now());
      logger.info({ outboxId: m.id, channel: m.channel }, 'outbox message sent');
    } catch (err) {
      await this.failed(m, err);
    }
  }

  private async failed(m: DueMessage, err: unknown): Promise<void> {
    const { repo, clock, logger } = this.deps;
    const attempts = m.attempts + 1;
    const dead = this.deps.isPermanent(err) || attempts >= MAX_ATTEMPTS;
    const next = dead ? null : new Date(clock.now().getTime() + backoffMs(attempts));
    await repo.markFailed(m.id, attempts, String((err as Error).message ?? err), next);
    logger[dead ? 'error' : 'warn'](
      { outboxId: m.id, channel: m.channel, attempts, err: (err as Error).message },
      dead ? 'outbox message dead' : 'outbox delivery failed, will retry',
    );
  }
}
