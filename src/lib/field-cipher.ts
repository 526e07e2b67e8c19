// Residents' personal data at rest: AES-256-GCM under a versioned keyring, and keyed HMACs (blind indexes) so a record
// can be found by a phone number or its last four digits without the number being stored in clear.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Versioned keys, newest first: new values are sealed with the first; any of them opens what it sealed. */
export interface Keyring {
  keys: { id: string; key: Buffer }[];
  /** The blind-index key. It does not rotate with the data keys: rotating it would mean recomputing every index. */
  indexKey: Buffer;
}

export class KeyringError extends Error {}

const PREFIX = 'pii:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// No '_' or '%': the re-encrypt job finds stale values with LIKE 'pii:<id>:%'.
const KEY_ID = /^[A-Za-z0-9-]{1,16}$/;

export class FieldCipher {
  private readonly byId: Map<string, Buffer>;
  readonly currentId: string;

  constructor(private readonly ring: Keyring) {
    if (!ring.keys.length) throw new KeyringError('密钥环为空');
    for (const k of ring.keys) {
      if (!KEY_ID.test(k.id)) throw new KeyringError(`密钥编号 ${JSON.stringify(k.id)} 只能是 1–16 位字母、数字或 -`);
      if (k.key.length !== 32) throw new KeyringError(`密钥 ${k.id} 必须是 32 字节（base64 编码后 44 个字符）`);
    }
    if (ring.indexKey.length < 32) throw new KeyringError('检索密钥（PII_INDEX_KEY）至少 32 字节');
    this.byId = new Map(ring.keys.map((k) => [k.id, k.key]));
    if (this.byId.size !== ring.keys.length) throw new KeyringError('密钥编号重复');
    this.currentId = ring.keys[0]!.id;
  }

  /**
   * `pii:<key id>:<base64 of iv | ciphertext | tag>`. `context` (the table and column) is bound in as associated
   * data, so a value copied into another column does not open.
   */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.byId.get(this.currentId)!, iv);
    c.setAAD(Buffer.from(context));
    const body = Buffer.concat([iv, c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
    return `${PREFIX}${this.currentId}:${body.toString('base64')}`;
  }

  /** A sealed value's plain text; a value that was never sealed (written before encryption) is returned as it is. */
  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const colon = stored.indexOf(':', PREFIX.length);
    const id = stored.slice(PREFIX.length, colon);
    const key = this.byId.get(id);
    if (!key) throw new KeyringError(`没有密钥 ${id}，无法解密（密钥环里缺少旧密钥？）`);
    const body = Buffer.from(stored.slice(colon + 1), 'base64');
    if (body.length < IV_BYTES + TAG_BYTES) throw new KeyringError('密文已损坏');
    const d = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([d.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), d.final()]).toString('utf8');
  }

  /** Whether a stored value is sealed with the current key (what the re-encrypt job looks for). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${this.currentId}:`);
  }

  /** A keyed HMAC of `value` for one purpose (phone, phone_tail): equal inputs give equal indexes, nothing else. */
  blindIndex(purpose: string, value: string): string {
    return createHmac('sha256', this.ring.indexKey).update(`${purpose}\u0000${value}`).digest('hex').slice(0, 32);
  }
}

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

/** A new random keyring (the embedded default's key file on first start). */
export function newKeyring(id = 'k1'): Keyring {
  return { keys: [{ id, key: randomBytes(32) }], indexKey: randomBytes(32) };
}

/** `PII_KEYS="k2:<base64>,k1:<base64>"` (newest first) and `PII_INDEX_KEY=<base64>`. */
export function parseKeyring(keys: string, indexKey: string): Keyring {
  const parsed = keys
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 1) throw new KeyringError('PII_KEYS 的每一项写成 编号:base64密钥，例如 k1:…，多项用逗号分隔');
      return { id: entry.slice(0, colon), key: Buffer.from(entry.slice(colon + 1), 'base64') };
    });
  return { keys: parsed, indexKey: Buffer.from(indexKey, 'base64') };
}

export function formatKeyring(ring: Keyring): { keys: string; indexKey: string } {
  return {
    keys: ring.keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
    indexKey: ring.indexKey.toString('base64'),
  };
}
