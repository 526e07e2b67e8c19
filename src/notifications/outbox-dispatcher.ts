// Delivers outbox rows with retries and backoff. Several instances may run it: a row is leased before sending, the
// lease is renewed while the pass that claimed it runs, and only the lease holder may record what became of the row.
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
  /** Why the stored row cannot be read as a message (its payload does not parse): it goes dead untried. */
  unreadable?: string;
}

export interface ChannelFilter {
  only?: string[];
  except?: string[];
}

/**
 * Every change after the claim takes effect only while `owner` still holds the row (`locked_by`): each answers false
 * when the lease ran out and another instance claimed the row since.
 */
export interface OutboxRepo {
  claimDue(now: Date, limit: number, owner: string, leaseMs: number, channels?: ChannelFilter): Promise<DueMessage[]>;
  /** Moves the lease of those of `ids` that `owner` still holds out to `until`; returns the ids it still holds. */
  renew(ids: readonly number[], owner: string, until: Date): Promise<Set<number>>;
  /** Gives the row back untouched (no attempt counted) to be tried again at `until`. */
  postpone(id: number, owner: string, until: Date): Promise<boolean>;
  markSent(id: number, owner: string, now: Date): Promise<boolean>;
  markFailed(id: number, owner: string, attempts: number, error: string, nextAttemptAt: Date | null): Promise<boolean>;
}

export interface OutboxSender {
  send(recipient: string, payload: OutboxItem['payload']): Promise<void>;
  /** Channels that fold messages due together into digests; returns how many messages went out. */
  sendDigest?(recipient: string, payloads: OutboxItem['payload'][]): Promise<number>;
}

export interface DispatcherDeps {
  repo: OutboxRepo;
  senders: Partial<Record<string, OutboxSender>>;
  isPermanent: (err: unknown) => boolean;
  clock: Clock;
  logger: Logger;
  owner: string;
  pollMs: number;
  /** Which channels this dispatcher delivers (the group robots have their own, under a lease; so have LLM reviews). */
  channels?: ChannelFilter;
  /** Per-target send limit (the group robot's 20 a minute). */
  limiter?: RateWindow;
  /** Rows claimed per pass (20). */
  batch?: number;
  /** How long a claim holds a row (60 s); renewed every third of it while the pass runs. */
  leaseMs?: number;
  /**
   * Dispatchers of other channels started, stopped and ticked with this one. Each runs passes of its own: a batch of
   * slow LLM reviews holds up only the next review, never a staff notice.
   */
  alongside?: OutboxDispatcher[];
}

export const MAX_ATTEMPTS = 10;
const BATCH = 20;
const LEASE_MS = 60_000;
/**
 * A pass keeps renewing its rows for at most this long: a send that hangs past it lets the lease run out, and another
 * instance delivers the rows (the hung one, should it ever finish, can then record nothing).
 */
const MAX_HOLD_MS = 10 * 60_000;

/** 5 s, 10 s, 20 s … capped at one hour, with ±20 % jitter so instances do not retry in step. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(5_000 * 2 ** (attempts - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

const reasonOf = (err: unknown): string =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : String(err);

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private deps: DispatcherDeps) {}

  start(): void {
    this.timer = setInterval(
      () => void this.ownPass().catch((err) => this.deps.logger.error({ err }, 'outbox tick failed')),
      this.deps.pollMs,
    );
    this.timer.unref();
    for (const d of this.deps.alongside ?? []) d.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([this.running, ...(this.deps.alongside ?? []).map((d) => d.stop())]);
  }

  /**
   * One pass over what is due, here and in the dispatchers alongside (side by side); returns how many rows they
   * handled (rows whose lease was lost meanwhile do not count). Overlapping calls share the pass.
   */
  tick(): Promise<number> {
    const others = this.deps.alongside ?? [];
    if (others.length === 0) return this.ownPass();
    return Promise.all([this.ownPass(), ...others.map((d) => d.tick())]).then((n) => n.reduce((a, b) => a + b, 0));
  }

  private ownPass(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const { repo, clock, owner, senders, logger } = this.deps;
    const leaseMs = this.deps.leaseMs ?? LEASE_MS;
    const due = await repo.claimDue(clock.now(), this.deps.batch ?? BATCH, owner, leaseMs, this.deps.channels);
    if (due.length === 0) return 0;
    const lease = new PassLease(this.deps, leaseMs, due);
    let handled = 0;
    try {
      const digests = new Map<string, DueMessage[]>();
      for (const m of due) {
        const problem = unsendable(m, senders[m.channel]);
        if (problem) handled += await this.isolated([m], () => this.dead(m, lease, problem));
        else if (senders[m.channel]?.sendDigest) {
          const key = `${m.channel}\u0000${m.recipient}`;
          digests.set(key, [...(digests.get(key) ?? []), m]);
        } else handled += await this.isolated([m], () => this.deliver(m, lease));
      }
      for (const group of digests.values())
        handled += await this.isolated(group, () => this.deliverDigest(group, lease));
    } finally {
      await lease.stop();
    }
    if (handled < due.length)
      logger.warn({ owner, claimed: due.length, handled }, 'outbox pass recorded fewer rows than it claimed');
    return handled;
  }

  /** One row (or digest) that throws where it should not is logged; the rest of the pass still goes out. */
  private async isolated(rows: DueMessage[], work: () => Promise<number>): Promise<number> {
    try {
      return await work();
    } catch (err) {
      this.deps.logger.error(
        { outboxIds: rows.map((m) => m.id), channel: rows[0]?.channel, err: reasonOf(err) },
        'outbox row not handled; it is tried again once its lease runs out',
      );
      return 0;
    }
  }

  /** Everything due for one target goes as one digest, inside the target's rate limit; the rest waits, unpenalised. */
  private async deliverDigest(claimed: DueMessage[], lease: PassLease): Promise<number> {
    const { repo, clock, logger, senders, limiter, owner } = this.deps;
    const group = claimed.filter((m) => lease.holds(m));
    if (group.length === 0) return 0;
    const { channel, recipient } = group[0]!;
    const now = clock.now();
    const until = await limiter?.heldUntil(recipient, now);
    if (until) {
      let held = 0;
      for (const m of group) held += await lease.record(m, 'postponed', () => repo.postpone(m.id, owner, until));
      logger.info({ channel, count: group.length, until }, 'digest held back by the rate limit');
      return held;
    }
    let sent: number;
    try {
      sent = await senders[channel]!.sendDigest!(
        recipient,
        group.map((m) => m.payload),
      );
    } catch (err) {
      await limiter?.record(recipient, now);
      let failed = 0;
      for (const m of group) failed += await this.failed(m, lease, err);
      return failed;
    }
    await limiter?.record(recipient, now, sent);
    let marked = 0;
    for (const m of group) marked += await lease.record(m, 'sent', () => repo.markSent(m.id, owner, clock.now()));
    logger.info({ channel, folded: group.length, messages: sent }, 'digest sent');
    return marked;
  }

  private async deliver(m: DueMessage, lease: PassLease): Promise<number> {
    const { repo, clock, logger, senders, owner } = this.deps;
    if (!lease.holds(m)) return 0;
    const sender = senders[m.channel];
    if (!sender) return this.dead(m, lease, `channel ${m.channel} is not configured for sending`);
    try {
      await sender.send(m.recipient, m.payload);
    } catch (err) {
      return this.failed(m, lease, err);
    }
    const marked = await lease.record(m, 'sent', () => repo.markSent(m.id, owner, clock.now()));
    if (marked) logger.info({ outboxId: m.id, channel: m.channel }, 'outbox message sent');
    return marked;
  }

  /** A row no try can deliver: dead at once, visible with its reason. */
  private async dead(m: DueMessage, lease: PassLease, reason: string): Promise<number> {
    const { repo, logger, owner } = this.deps;
    const marked = await lease.record(m, 'dead', () => repo.markFailed(m.id, owner, m.attempts + 1, reason, null));
    if (marked) logger.error({ outboxId: m.id, channel: m.channel, reason }, 'outbox message dead: it cannot be sent');
    return marked;
  }

  private async failed(m: DueMessage, lease: PassLease, err: unknown): Promise<number> {
    const { repo, clock, logger, owner } = this.deps;
    const attempts = m.attempts + 1;
    const dead = this.deps.isPermanent(err) || attempts >= MAX_ATTEMPTS;
    const next = dead ? null : new Date(clock.now().getTime() + backoffMs(attempts));
    const reason = reasonOf(err);
    const marked = await lease.record(m, dead ? 'dead' : 'failed', () =>
      repo.markFailed(m.id, owner, attempts, reason, next),
    );
    if (marked)
      logger[dead ? 'error' : 'warn'](
        { outboxId: m.id, channel: m.channel, attempts, err: reason },
        dead ? 'outbox message dead' : 'outbox delivery failed, will retry',
      );
    return marked;
  }
}

/** What makes a claimed row unsendable before any try (a digest needs a text to fold). */
function unsendable(m: DueMessage, sender: OutboxSender | undefined): string | undefined {
  if (m.unreadable) return m.unreadable;
  if (typeof m.payload !== 'object' || m.payload === null || Array.isArray(m.payload))
    return 'payload is not an object';
  if (sender?.sendDigest && typeof m.payload.text !== 'string') return 'payload has no text to send';
  return undefined;
}

/**
 * The rows one pass claimed, their lease renewed every third of it while the pass runs: a slow send (an LLM review,
 * a platform near its timeout) or a long batch must not let the lease of the rows still waiting run out, or another
 * instance would send them too. A row another instance holds now is dropped from the pass.
 */
class PassLease {
  private held: Set<number>;
  private timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;
  private renewalsLeft: number;

  constructor(
    private deps: DispatcherDeps,
    private leaseMs: number,
    rows: DueMessage[],
  ) {
    this.held = new Set(rows.map((m) => m.id));
    const every = Math.max(Math.floor(leaseMs / 3), 1);
    this.renewalsLeft = Math.ceil(MAX_HOLD_MS / every);
    this.timer = setInterval(() => this.renew(), every);
    this.timer.unref();
  }

  /** Whether the row is still this pass's to send (a renewal that found it lost has logged it). */
  holds(m: DueMessage): boolean {
    return this.held.has(m.id);
  }

  /**
   * Records the row's outcome under its lease: 1 when it took effect, 0 (logged) when the lease was lost and another
   * instance holds the row now — that instance decides, and this outcome does not count.
   */
  async record(m: DueMessage, outcome: string, mark: () => Promise<boolean>): Promise<number> {
    // No longer renewed: the mark clears the lease, and a renewal answered after it must not report the row lost.
    this.held.delete(m.id);
    if (await mark()) return 1;
    this.deps.logger.warn(
      { outboxId: m.id, channel: m.channel, owner: this.deps.owner, outcome },
      'outbox lease lost: another instance holds the row now, this outcome is not recorded',
    );
    return 0;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private renew(): void {
    if (this.renewing || this.held.size === 0) return;
    const { repo, owner, clock, logger } = this.deps;
    if (this.renewalsLeft-- <= 0) {
      if (this.renewalsLeft === -1)
        logger.warn({ owner, rows: [...this.held] }, 'outbox pass held its rows too long; their lease may run out');
      return;
    }
    const ids = [...this.held];
    this.renewing = repo
      .renew(ids, owner, new Date(clock.now().getTime() + this.leaseMs))
      .then((kept) => {
        for (const id of ids)
          if (!kept.has(id) && this.held.delete(id))
            logger.warn(
              { outboxId: id, owner },
              'outbox lease lost while the pass ran; the row is not sent here, its new holder decides',
            );
      })
      .catch((err) => logger.warn({ owner, err: reasonOf(err) }, 'outbox lease not renewed; it may run out'))
      .finally(() => (this.renewing = undefined));
  }
}
