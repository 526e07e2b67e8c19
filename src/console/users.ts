// Creating a console user and resetting a password, the same from the admin page and from `npm run user`: a one-time
// password is shown once, only its argon2 hash is kept, and the first sign-in must replace it.
import type { ConsoleStore } from '../db/console-store.js';
import type { ConsoleUserRow } from '../db/console-schema.js';
import type { ConsoleRole } from '../tickets/index.js';
import { hashPassword, oneTimePassword } from './passwords.js';

export const ROLES: ConsoleRole[] = ['admin', 'manager', 'handler', 'auditor'];
export const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/;

export interface UserInput {
  username: string;
  displayName?: string;
  roles: ConsoleRole[];
  /** `*` for every project. */
  projects: string[];
  department?: string | null;
  wecomUserId?: string | null;
}

export type CreateOutcome =
  | { kind: 'created'; user: ConsoleUserRow; password: string }
  | { kind: 'invalid'; problem: string }
  | { kind: 'taken' };

export async function createUser(store: ConsoleStore, u: UserInput, by: string, now: Date): Promise<CreateOutcome> {
  if (!USERNAME.test(u.username)) return { kind: 'invalid', problem: '用户名为 2–64 位字母、数字或 _ . @ -' };
  if (u.roles.length === 0) return { kind: 'invalid', problem: '请至少选择一个角色' };
  if (u.projects.length === 0) return { kind: 'invalid', problem: '请至少选择一个项目（或“全部项目”）' };
  const password = oneTimePassword();
  const user = await store.addUser(
    {
      username: u.username,
      displayName: u.displayName?.trim().slice(0, 64) || u.username,
      passwordHash: await hashPassword(password),
      roles: u.roles,
      projects: u.projects,
      department: u.department?.trim().slice(0, 32) || null,
      wecomUserId: u.wecomUserId?.trim().slice(0, 64) || null,
    },
    now,
  );
  if (!user) return { kind: 'taken' };
  await store.audit({ actor: by, action: 'user_created', reason: `${u.username}（${u.roles.join(',')}）` }, now);
  return { kind: 'created', user, password };
}

/** A new one-time password; every sign-in of the user ends and the lockout is lifted. */
export async function resetPassword(store: ConsoleStore, user: ConsoleUserRow, by: string, now: Date): Promise<string> {
  const password = oneTimePassword();
  await store.updateUser(
    user.id,
    { passwordHash: await hashPassword(password), mustChangePassword: true, failedLogins: 0, lockedUntil: null },
    now,
  );
  await store.closeSessionsOf(user.id);
  await store.audit({ actor: by, action: 'password_reset', reason: user.username }, now);
  return password;
}
