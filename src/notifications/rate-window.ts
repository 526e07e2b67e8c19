// A sliding one-minute window per target: never more than `limit` sends in any `windowMs`. The sends are remembered
// in a SendLog: in memory, or in the database (db/send-log.ts) so that the next holder of the robot lease — on this
// or another instance — counts what the last one sent in the same minute.

export interface SendLog {
  /** One timestamp (ms) per message sent to the target since `sinceMs`, oldest first. */
  sendsSince(target: string, sinceMs: number): Promise<number[]>;
  record(target: string, atMs: number, messages: number): Promise<void>;
}

export function memorySendLog(): SendLog {
  const sent = new Map<string, number[]>();
  return {
    async sendsSince(target, sinceMs) {
      const kept = (sent.get(target) ?? []).filter((t) => t > sinceMs);
      sent.set(target, kept);
      return kept;
    },
    async record(target, atMs, messages) {
      const list = sent.get(target) ?? [];
      for (let i = 0; i < messages; i++) list.push(atMs);
      sent.set(target, list);
    },
  };
}

export class RateWindow {
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly log: SendLog = memorySendLog(),
  ) {}

  private recent(key: string, now: Date): Promise<number[]> {
    return this.log.sendsSince(key, now.getTime() - this.windowMs);
  }

  async available(key: string, now: Date): Promise<number> {
    return Math.max(0, this.limit - (await this.recent(key, now)).length);
  }

  async record(key: string, now: Date, n = 1): Promise<void> {
    await this.log.record(key, now.getTime(), n);
  }

  /** When the oldest send in the window leaves it. */
  async nextFree(key: string, now: Date): Promise<Date> {
    return freedAt(await this.recent(key, now), now, this.windowMs);
  }

  /** While the window is full, when it frees up; undefined while a send is available. One read of the log. */
  async heldUntil(key: string, now: Date): Promise<Date | undefined> {
    const recent = await this.recent(key, now);
    return recent.length < this.limit ? undefined : freedAt(recent, now, this.windowMs);
  }
}

const freedAt = (recent: number[], now: Date, windowMs: number) =>
  new Date(recent[0] === undefined ? now.getTime() : recent[0] + windowMs + 1);
