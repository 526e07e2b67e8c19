// The reply envelopes' random bytes come from a pooled buffer: each byte is handed out once and never changes after.
import { describe, expect, it } from 'vitest';
import { decrypt } from '@wecom/crypto';
import { randomChunk } from '../../src/lib/random-pool.js';
import { sealEnvelope } from '../../src/channels/wechat-crypto/envelope.js';

describe('random pool', () => {
  it('when chunks are taken across many pool refills, then none changes afterwards and none repeats', () => {
    const taken = Array.from({ length: 2_000 }, () => randomChunk(16));
    const copies = taken.map((b) => Buffer.from(b));
    randomChunk(4096 * 2); // larger than the pool: its own buffer
    for (let i = 0; i < 1_000; i++) randomChunk(20);
    taken.forEach((b, i) => expect(b.equals(copies[i]!)).toBe(true));
    expect(new Set(copies.map((b) => b.toString('hex'))).size).toBe(2_000);
    expect(taken.every((b) => b.length === 16)).toBe(true);
  });

  it('when the same reply is sealed twice, then the AES prefix and the nonce differ and both decrypt', () => {
    const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const seal = () =>
      sealEnvelope('<xml><Content><![CDATA[好的]]></Content></xml>', {
        token: 't',
        aesKey,
        receiver: 'wx123',
        timestamp: '1700000000',
      });
    const field = (xml: string, name: string) =>
      new RegExp(`<${name}><!\\[CDATA\\[(.*?)\\]\\]></${name}>`).exec(xml)?.[1] ??
      new RegExp(`<${name}>(.*?)</${name}>`).exec(xml)?.[1];
    const [a, b] = [seal(), seal()];
    expect(field(a, 'Encrypt')).not.toBe(field(b, 'Encrypt'));
    expect(field(a, 'Nonce')).not.toBe(field(b, 'Nonce'));
    for (const x of [a, b]) expect(decrypt(aesKey, field(x, 'Encrypt')!)).toMatchObject({ id: 'wx123' });
    expect(decrypt(aesKey, field(a, 'Encrypt')!).random.equals(decrypt(aesKey, field(b, 'Encrypt')!).random)).toBe(
      false,
    );
  });
});
