// Console passwords: argon2id (@node-rs/argon2's defaults, m=19 MiB, t=2, p=1 — OWASP's minimum) and one-time
// passwords that people can read aloud and type on a phone.
import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export const hashPassword = (password: string): Promise<string> => hash(password);

/** A malformed hash (a user row edited by hand) is a wrong password, not a crash. */
export const verifyPassword = (passwordHash: string, password: string): Promise<boolean> =>
  verify(passwordHash, password).catch(() => false);

/** Verifying against this when the user does not exist takes as long as a real check: no telling names apart. */
let decoy: Promise<string> | undefined;
export const verifyDecoy = async (password: string) => {
  decoy ??= hash('decoy-password-for-unknown-users');
  await verifyPassword(await decoy, password);
  return false;
};

// No 0/O, 1/l/I: read over the phone or off a slip of paper without mistakes.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 14 characters of 55: about 81 bits. */
export function oneTimePassword(length = 14): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export const MIN_PASSWORD_LENGTH = 10;

/** Why a new password will not do, in words for the user; undefined when it is fine. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 位`;
  if (password.length > 128) return '密码不能超过 128 位';
  if (password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  if (new Set(password).size < 4) return '密码过于简单，请混合使用不同字符';
  return undefined;
}
