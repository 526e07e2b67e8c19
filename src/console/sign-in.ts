// Signing in: the password checked against its argon2 hash, a lockout after repeated failures (kept on the user row,
// so every instance counts the same attempts), and a limit per address against guessing across many names.
import type { ConsoleStore } from '../db/console-store.js';
import type { ConsoleUserRow } from '../db/console-schema.js';
import type { Clock } from '../lib/clock.js';
import { verifyDecoy, verifyPassword } from './passwords.js';

export const MAX_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;
/** Attempts one address may make in ATTEMPT_WINDOW_MS, whatever the names (per instance). */
export const ATTEMPTS_PER_ADDRESS = 30;
const ATTEMPT_WINDOW_MS = 10 * 60_000;

export type SignInOutcome =
  | { kind: 'ok'; user: ConsoleUserRow }
  | { kind: 'wrong' }
  | { kind: 'locked'; until: Date }
  | { kind: 'too-many' };

export function createSignIn(store: ConsoleStore, clock: Clock) {
  const attempts = new Map<string, number[]>();

  function allowAddress(ip: string, now: number): boolean {
    const recent = (attempts.get(ip) ?? []).filter((t) => now - t < ATTEMPT_WINDOW_MS);
    recent.push(now);
    attempts.set(ip, recent);
    // The map forgets quiet addresses so it cannot grow without bound.
    if (attempts.size > 10_000)
      for (const [k, v] of attempts) if (now - (v.at(-1) ?? 0) >= ATTEMPT_WINDOW_MS) attempts.delete(k);
    return recent.length <= ATTEMPTS_PER_ADDRESS;
  }

  return async function signIn(username: string, password: string, ip: string): Promise<SignInOutcome> {
    const now = clock.now();
    if (!allowAddress(ip, now.getTime())) {
      await store.audit(
        { actor: username.slice(0, 64), action: 'sign_in_failed', reason: '同一地址尝试过多', ip },
        now,
      );
      return { kind: 'too-many' };
    }
    const user = await store.userByName(username);
    if (!user || user.disabled) {
      await verifyDecoy(password);
      await store.audit(
        { actor: username.slice(0, 64), action: 'sign_in_failed', reason: '无此用户或已停用', ip },
        now,
      );
      return { kind: 'wrong' };
    }
    if (user.lockedUntil && user.lockedUntil > now) return { kind: 'locked', until: user.lockedUntil };
    if (await verifyPassword(user.passwordHash, password)) {
      await store.updateUser(user.id, { failedLogins: 0, lockedUntil: null }, now);
      await store.audit({ actor: user.username, action: 'sign_in', ip }, now);
      return { kind: 'ok', user };
    }
    const until = new Date(now.getTime() + LOCK_MS);
    const { locked } = await store.recordFailure(user.id, MAX_FAILURES, until, now);
    await store.audit({ actor: user.username, action: locked ? 'locked_out' : 'sign_in_failed', ip }, now);
    return locked ? { kind: 'locked', until } : { kind: 'wrong' };
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
