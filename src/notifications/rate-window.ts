// A sliding one-minute window per target: never more than `limit` sends in any `windowMs`.
export class RateWindow {
  private readonly sent = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private recent(key: string, now: Date): number[] {
    const since = now.getTime() - this.windowMs;
    const kept = (this.sent.get(key) ?? []).filter((t) => t > since);
    this.sent.set(key, kept);
    return kept;
  }

  available(key: string, now: Date): number {
    return Math.max(0, this.limit - this.recent(key, now).length);
  }

  record(key: string, now: Date, n = 1): void {
    const list = this.recent(key, now);
    for (let i = 0; i < n; i++) list.push(now.getTime());
  }

  /** When the oldest send in the window leaves it. */
  nextFree(key: string, now: Date): Date {
    const oldest = this.recent(key, now)[0];
    return new Date(oldest === undefined ? now.getTime() : oldest + this.windowMs + 1);
  }
}
