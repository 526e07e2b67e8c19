// Signature, freshness and AES envelope shared by WeCom and the Official Account (protocol doc §1.1, §2, §7).
import { createHash, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { AppError } from '../../lib/errors.js';
import { randomChunk } from '../../lib/random-pool.js';
import { buildXml } from './xml.js';

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** sha1 over the sorted parts; with an empty `encrypt` this is the Official Account's 3-field signature. */
export function signature(token: string, timestamp: string, nonce: string, encrypted = ''): string {
  if (encrypted === '') return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
  return getSignature(token, timestamp, nonce, encrypted);
}

export function verifySignature(
  expected: string | undefined,
  token: string,
  timestamp: string,
  nonce: string,
  encrypted = '',
): void {
  if (!expected || !safeEqual(signature(token, timestamp, nonce, encrypted), expected.toLowerCase())) {
    throw new AppError('BAD_SIGNATURE', '签名校验失败');
  }
}

export function checkFreshness(timestamp: string, now: Date, maxSkewSeconds: number): void {
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - ts) > maxSkewSeconds) {
    throw new AppError('STALE_TIMESTAMP', `时间戳超出允许范围（±${maxSkewSeconds} 秒）`);
  }
}

/** Decrypts and checks the receiveid, which @wecom/crypto leaves to the caller. */
export function openEnvelope(aesKey: string, encrypted: string, expectedReceiver: string): string {
  let out: { message: string; id: string };
  try {
    out = decrypt(aesKey, encrypted);
  } catch {
    throw new AppError('DECRYPT_FAILED', '消息解密失败');
  }
  if (!safeEqual(out.id, expectedReceiver)) throw new AppError('WRONG_RECEIVER', '消息接收方与配置不符');
  return out.message;
}

export interface SealOptions {
  token: string;
  aesKey: string;
  receiver: string;
  timestamp: string;
  nonce?: string;
  random?: Buffer;
}

/** The 4-field encrypted passive-reply envelope. */
export function sealEnvelope(plainXml: string, o: SealOptions): string {
  const nonce = o.nonce ?? randomChunk(4).readUInt32BE(0).toString();
  const enc = encrypt(o.aesKey, plainXml, o.receiver, o.random ?? randomChunk(16));
  const sig = getSignature(o.token, o.timestamp, nonce, enc);
  return buildXml({ Encrypt: enc, MsgSignature: sig, TimeStamp: o.timestamp, Nonce: nonce });
}
