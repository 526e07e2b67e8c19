// Console sessions: a random id in an HttpOnly cookie, the session itself in the database (so every instance knows
// it, and signing out or a password reset ends it everywhere). Expiry runs on the service's Clock like everything
// else — which is why this is not koa-session (its expiry reads Date.now()).
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ConsoleStore } from '../db/console-store.js';
import type { ConsoleUserRow } from '../db/console-schema.js';
import type { ConsoleScope } from '../db/console-queries.js';
import type { Clock } from '../lib/clock.js';
import type { ConsoleActor } from '../tickets/index.js';

export const SESSION_COOKIE = 'kf_console';
/** Idle time after which a console signs out. */
export const SESSION_TTL_MS = 8 * 3600_000;

export interface Me {
  user: ConsoleUserRow;
  actor: ConsoleActor;
  scope: ConsoleScope;
  csrf: string;
  sessionId: string;
  via: 'password' | 'wecom';
}

const token = () => randomBytes(32).toString('base64url');

export function actorOf(u: ConsoleUserRow): ConsoleActor {
  return {
    type: 'console',
    userId: u.username,
    roles: u.roles,
    projects: u.projects.includes('*') ? 'all' : u.projects,
    ...(u.wecomUserId ? { wecomUserId: u.wecomUserId } : {}),
    ...(u.department ? { department: u.department } : {}),
  };
}

/** Managers, admins and auditors see every ticket of their projects; a handler only theirs and their department's. */
export function scopeOf(u: ConsoleUserRow): ConsoleScope {
  const projects = u.projects.includes('*') ? 'all' : u.projects;
  const wide = u.roles.some((r) => r === 'admin' || r === 'manager' || r === 'auditor');
  return wide ? { projects } : { projects, own: { handler: u.wecomUserId ?? u.username, department: u.department } };
}

export function sessions(store: ConsoleStore, clock: Clock) {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, path: '/console', overwrite: true };
  return {
    /** Puts the signed-in user (if any) on ctx.state.me. */
    middleware() {
      return async (ctx: Context, next: Next) => {
        const id = ctx.cookies.get(SESSION_COOKIE);
        if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) {
          const now = clock.now();
          const found = await store.session(id, now);
          if (found) {
            const { session, user } = found;
            ctx.state.me = {
              user,
              actor: actorOf(user),
              scope: scopeOf(user),
              csrf: session.csrfToken,
              sessionId: id,
              via: session.via,
            } satisfies Me;
            // Slide the expiry forward, but write at most once per half TTL.
            if (session.expiresAt.getTime() - now.getTime() < SESSION_TTL_MS / 2)
              await store.touchSession(id, new Date(now.getTime() + SESSION_TTL_MS));
          }
        }
        await next();
      };
    },
    /** A new session id at every sign-in: a session id planted before it is worth nothing after. */
    async start(ctx: Context, user: ConsoleUserRow, via: Me['via'] = 'password'): Promise<void> {
      const old = ctx.cookies.get(SESSION_COOKIE);
      if (old) await store.closeSession(old);
      const id = token();
      await store.openSession(
        id,
        { userId: user.id, csrfToken: token(), via, ip: ctx.ip.slice(0, 64) },
        clock.now(),
        SESSION_TTL_MS,
      );
      ctx.cookies.set(SESSION_COOKIE, id, cookieOptions);
    },
    async end(ctx: Context): Promise<void> {
      const id = ctx.cookies.get(SESSION_COOKIE);
      if (id) await store.closeSession(id);
      ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions, maxAge: 0 });
    },
  };
}

export type Sessions = ReturnType<typeof sessions>;
