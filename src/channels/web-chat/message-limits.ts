// How many messages the public web chat takes from one visitor and from one address: fixed windows (a minute, a
// Beijing day) in this instance's memory. Several instances each count their own, so behind a load balancer that
// spreads one visitor over n instances a limit holds n times over; the tickets, which page the staff, are counted in
// the shared database instead (intake/web-quota.ts). A restart forgets the counts.
import { shanghaiDayStart } from '../../tickets/index.js';

export interface MessageLimits {
  visitorPerMinute: number;
  visitorPerDay: number;
  addressPerMinute: number;
}

export type Refusal = 'address-minute' | 'visitor-minute' | 'visitor-day';

export type Admission =
  | { ok: true }
  /** `first`: the first refusal of this window for this key (later ones are logged quietly). */
  | { ok: false; reason: Refusal; limit: number; retryAfterSeconds: number; first: boolean };

/** Keys remembered at most: past it the ended windows go first, then the oldest keys (whose counts start again). */
const MAX_KEYS = 200_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

interface Window {
  until: number;
  taken: number;
  refused: number;
}

export function messageLimiter(limits: MessageLimits, maxKeys = MAX_KEYS) {
  const windows = new Map<string, Window>();

  const current = (key: string, now: number, ends: () => number): Window => {
    const w = windows.get(key);
    if (w && w.until > now) return w;
    // A new window goes to the back, so the front of the map holds the keys least recently renewed.
    windows.delete(key);
    const fresh = { until: ends(), taken: 0, refused: 0 };
    windows.set(key, fresh);
    if (windows.size > maxKeys) forget(now);
    return fresh;
  };

  const forget = (now: number) => {
    for (const [k, w] of windows) if (w.until <= now) windows.delete(k);
    for (const k of windows.keys()) {
      if (windows.size <= maxKeys * 0.9) break;
      windows.delete(k);
    }
  };

  return {
    /** Takes the message (it counts) or refuses it (it does not). */
    admit(visitor: string, address: string, at: Date): Admission {
      const now = at.getTime();
      const minuteEnds = () => Math.floor(now / MINUTE) * MINUTE + MINUTE;
      const dayEnds = () => shanghaiDayStart(at).getTime() + DAY;
      // The address first, and a visitor's windows only once it passes: a script that drops its cookie is a new
      // visitor every time, but not a new address, and its refused messages leave nothing behind.
      const checks: [Refusal, string, () => number, number][] = [
        ['address-minute', `a:${address}`, minuteEnds, limits.addressPerMinute],
        ['visitor-minute', `v:${visitor}`, minuteEnds, limits.visitorPerMinute],
        ['visitor-day', `d:${visitor}`, dayEnds, limits.visitorPerDay],
      ];
      const taking: Window[] = [];
      for (const [reason, key, ends, limit] of checks) {
        const w = current(key, now, ends);
        if (w.taken < limit) {
          taking.push(w);
          continue;
        }
        w.refused++;
        const retryAfterSeconds = Math.ceil((w.until - now) / 1000);
        return { ok: false, reason, limit, retryAfterSeconds, first: w.refused === 1 };
      }
      for (const w of taking) w.taken++;
      return { ok: true };
    },
    /** Keys remembered now (tests). */
    size: () => windows.size,
  };
}

export const limitSay: Record<Refusal, string> = {
  'address-minute': '当前网络下发送的消息太多，请稍等一分钟再发。刚才这条没有收到，请稍后重新发送。',
  'visitor-minute': '您发送得太快了，请稍等一分钟再发。刚才这条没有收到，请稍后重新发送。',
  'visitor-day':
    '您今天在网页客服发送的消息已经很多了，暂时无法继续接收，请明天再来。已登记的工单照常处理；情况紧急请直接拨打物业服务中心电话。',
};
