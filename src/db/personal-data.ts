// Columns that hold residents' personal data are sealed by their ValueTransformer, so every way a row is written or
// read — the ORM, and the intake's hand-written statements (fast-rows uses the driver's own value conversion) — goes
// through the cipher; no caller can forget it. The cipher is installed once per process by openDatabase: entity
// metadata is static, and one process serves one organisation (its SQLite file or MySQL database, one keyring).
import type { ValueTransformer } from 'typeorm';
import { type FieldCipher, KeyringError } from '../lib/field-cipher.js';

let installed: FieldCipher | undefined;

export function installCipher(cipher: FieldCipher): void {
  installed = cipher;
}

export function personalDataCipher(): FieldCipher {
  // Secure by default: nothing personal is written in clear because a start-up path forgot the keys.
  if (!installed) throw new KeyringError('个人信息加密未初始化（openDatabase 未收到密钥环）');
  return installed;
}

/** A text column sealed under `context` (table.column). */
export const sealedText = (context: string): ValueTransformer => ({
  to: (v: unknown) => (v === undefined || v === null ? v : personalDataCipher().seal(String(v), context)),
  from: (v: string | null) => (v === null || v === undefined ? v : personalDataCipher().open(v, context)),
});

/** A JSON column sealed under `context`: a session's draft, an event's data, a notice's payload. */
export const sealedJson = (context: string): ValueTransformer => ({
  to: (v: unknown) => (v === undefined || v === null ? null : personalDataCipher().seal(JSON.stringify(v), context)),
  from: (v: string | null) =>
    v === null || v === undefined ? null : JSON.parse(personalDataCipher().open(v, context)),
});

/** The blind index of a phone number's digits, and of its last four digits (what staff search by). */
export const phoneIndex = (digits: string) => personalDataCipher().blindIndex('phone', digits);
export const phoneTailIndex = (lastFour: string) => personalDataCipher().blindIndex('phone_tail', lastFour);

/** The blind indexes a ticket carries for its phone: the whole number and its last four digits. */
export function phoneIndexes(phone: string | null): { phoneIndex: string | null; phoneTailIndex: string | null } {
  const digits = phone?.replace(/\D/g, '') ?? '';
  if (!digits) return { phoneIndex: null, phoneTailIndex: null };
  return {
    phoneIndex: phoneIndex(digits),
    phoneTailIndex: digits.length >= 4 ? phoneTailIndex(digits.slice(-4)) : null,
  };
}

/** The blind index of a resident's name as written (trimmed): found by the exact name, never by a part of it. */
export const nameIndex = (name: string | null): string | null =>
  name?.trim() ? personalDataCipher().blindIndex('name', name.trim()) : null;
