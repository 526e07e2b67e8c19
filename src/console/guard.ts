// What every console response and request goes through: security headers, a same-origin check and a CSRF token on
// every POST (the session's token, or for the sign-in form a double-submit cookie), and who may open what.
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { safeEqual } from '../channels/wechat-crypto/index.js';
import type { ConsoleRole } from '../tickets/index.js';
import { AppError } from '../lib/errors.js';
import type { Me } from './session.js';

// No inline script or style anywhere in the console, so the policy can forbid them.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export function securityHeaders() {
  return async (ctx: Context, next: Next) => {
    await next();
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    if (ctx.type === 'text/html') ctx.set('Cache-Control', 'no-store');
  };
}

export const LOGIN_CSRF_COOKIE = 'kf_login_csrf';

/** The sign-in form's token: a random value in a cookie and in the form, which a cross-site page cannot read. */
export function loginCsrf(ctx: Context): string {
  const existing = ctx.cookies.get(LOGIN_CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
  const token = randomBytes(16).toString('base64url');
  ctx.cookies.set(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/console', overwrite: true });
  return token;
}

/**
 * A POST must come from a page of the console itself: its Origin (or, when a browser sends none, its Referer) is this
 * service's, and it carries the token of the session it acts in.
 */
export function postGuard(publicUrl: string | undefined) {
  const allowed = new Set<string>();
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'POST') return next();
    const origin = ctx.get('origin') || originOf(ctx.get('referer'));
    // Not ctx.origin: since Koa 3 that is the request's own Origin header.
    const own = `${ctx.protocol}://${ctx.host}`;
    if (!origin || (origin !== own && !allowed.has(origin)))
      throw new AppError('FORBIDDEN', `拒绝跨站请求（来源 ${origin || '未知'}）`);
    await next();
  };
}

function originOf(referer: string): string {
  try {
    return referer ? new URL(referer).origin : '';
  } catch {
    return '';
  }
}

export function checkCsrf(expected: string, given: unknown): void {
  if (typeof given !== 'string' || !given || !safeEqual(given, expected))
    throw new AppError('FORBIDDEN', '页面已过期或请求无效（缺少 CSRF 令牌），请刷新后重试');
}

export const me = (ctx: Context): Me | undefined => ctx.state.me as Me | undefined;

export const hasRole = (m: Me, ...roles: ConsoleRole[]) => roles.some((r) => m.user.roles.includes(r));

/** The signed-in user, or a redirect to the sign-in page (a user who must change the password goes there first). */
export function requireUser(...roles: ConsoleRole[]) {
  return async (ctx: Context, next: Next) => {
    const m = me(ctx);
    if (!m) {
      ctx.redirect(`/console/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    // A one-time password is replaced at the first sign-in with it; signing in through WeCom used no password.
    if (m.user.mustChangePassword && m.via === 'password' && ctx.path !== '/console/password') {
      ctx.redirect('/console/password');
      return;
    }
    if (roles.length && !hasRole(m, ...roles)) throw new AppError('FORBIDDEN', '您的角色无权访问此页面');
    await next();
  };
}
