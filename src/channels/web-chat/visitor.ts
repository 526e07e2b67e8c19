// Who a web-chat visitor is: an id the server draws (192 random bits) and keeps in an HttpOnly cookie, and the
// client's address.
//
// The id is not signed, on purpose. It only names a visitor: a browser that sends an id of its own choosing becomes
// a new visitor, exactly as one that drops its cookie does, and both are held by the per-address limits. What a
// signature could add — "this id came from us" — says nothing here, since the server hands an id to anyone who asks.
// What must hold is that nobody can name *another* visitor: a random 192-bit id cannot be guessed, the cookie is
// HttpOnly (no script on the page reads it), and only ids of the exact shape the server issues are taken, so the
// short ids browsers used to choose (some as short as 8 characters) no longer open anyone's tickets. And with no
// secret there is nothing for several instances to share or for an operator to rotate.
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Context } from 'koa';

export const VISITOR_COOKIE = 'kf_visitor';
const ID_BYTES = 24;
const ISSUED = /^[A-Za-z0-9_-]{32}$/;
/** The cookie outlives any conversation: the id is how a visitor finds their tickets again (我的工单). */
const KEEP_MS = 365 * 86_400_000;

export const isIssuedVisitorId = (v: string | undefined): v is string => v !== undefined && ISSUED.test(v);

/**
 * The visitor's id from their cookie; without a valid one, a new id, set on the response. `refresh`: set the cookie
 * again even when valid, so a visitor who keeps coming back keeps their id.
 */
export function visitorOf(ctx: Context, now: Date, refresh = false): string {
  const sent = ctx.cookies.get(VISITOR_COOKIE);
  const id = isIssuedVisitorId(sent) ? sent : randomBytes(ID_BYTES).toString('base64url');
  if (refresh || id !== sent)
    // `secure` left to Koa: set behind TLS (X-Forwarded-Proto, app.proxy), not on plain http://127.0.0.1.
    ctx.cookies.set(VISITOR_COOKIE, id, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      expires: new Date(now.getTime() + KEEP_MS),
      overwrite: true,
    });
  return id;
}

/**
 * The client's address for the per-address limits (ctx.ip: X-Forwarded-For is honoured, app.proxy). An IPv6 host
 * usually holds a whole /64, so it counts as one address; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function clientAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.replace(/%.*$/, '');
  if (!isIPv6(bare)) return ip || 'unknown';
  return `${prefix64(bare)}::/64`;
}

function prefix64(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':');
}
