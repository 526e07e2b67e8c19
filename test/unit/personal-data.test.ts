// The cipher, the masks and where the keys come from.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/errors.js';
import { loadCipher } from '../../src/db/keyring-source.js';
import { FieldCipher, KeyringError, newKeyring, parseKeyring } from '../../src/lib/field-cipher.js';
import { maskName, maskPersonalText, maskPhone } from '../../src/lib/masking.js';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');
const ring = (keys: string) => new FieldCipher(parseKeyring(keys, key(9)));

describe('field cipher', () => {
  it('when a value is sealed, then it opens under the same context only, and never looks the same twice', () => {
    const c = ring(`k1:${key(1)}`);
    const a = c.seal('陳美華', 'ticket.resident_name');
    expect(a).toMatch(/^pii:k1:/);
    expect(a).not.toBe(c.seal('陳美華', 'ticket.resident_name'));
    expect(c.open(a, 'ticket.resident_name')).toBe('陳美華');
    expect(() => c.open(a, 'resident.name')).toThrow();
    const tampered = `${a.slice(0, -4)}${a.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(() => c.open(tampered, 'ticket.resident_name')).toThrow();
  });

  it('when the keys rotate, then the new key seals and the old one still opens; a missing key says so', () => {
    const old = ring(`k1:${key(1)}`);
    const sealed = old.seal('13812345678', 'ticket.phone');
    const rotated = ring(`k2:${key(2)},k1:${key(1)}`);
    expect(rotated.open(sealed, 'ticket.phone')).toBe('13812345678');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('x', 'c'))).toBe(true);
    expect(() => ring(`k2:${key(2)}`).open(sealed, 'ticket.phone')).toThrow(/没有密钥 k1/);
    expect(old.open('written before encryption', 'ticket.phone')).toBe('written before encryption');
  });

  it('when a blind index is made, then equal values match under one index key and purposes differ', () => {
    const c = ring(`k1:${key(1)}`);
    expect(c.blindIndex('phone', '13812345678')).toBe(ring(`k7:${key(7)}`).blindIndex('phone', '13812345678'));
    expect(c.blindIndex('phone', '13812345678')).not.toBe(c.blindIndex('phone', '13812345679'));
    expect(c.blindIndex('phone_tail', '5678')).not.toBe(c.blindIndex('name', '5678'));
    const other = new FieldCipher({ ...newKeyring(), indexKey: Buffer.alloc(32, 1) });
    expect(other.blindIndex('phone', '13812345678')).not.toBe(c.blindIndex('phone', '13812345678'));
  });

  it('when a key is malformed, then the keyring is refused with the reason', () => {
    expect(() => ring('k1:c2hvcnQ=')).toThrow(/32 字节/);
    expect(() => ring(`k_1:${key(1)}`)).toThrow(KeyringError);
    expect(() => ring(`k1:${key(1)},k1:${key(2)}`)).toThrow(/重复/);
    expect(() => parseKeyring('justakey', key(9))).toThrow(/编号:base64密钥/);
  });
});

describe('masks', () => {
  it('when a phone or a name is shown, then it is masked as on a courier label', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0571-88886666')).toBe('********6666');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('陳生')).toBe('陳*');
  });

  it("when a resident's words carry their name and numbers, then those are masked and the rest is kept", () => {
    const text = '我是李娜，3栋2单元502，电话13812345678，师傅电话13911028763，厨房漏水';
    expect(maskPersonalText(text, { name: '李娜', phone: '13812345678' })).toBe(
      '我是李*，3栋2单元502，电话138****5678，师傅电话139****8763，厨房漏水',
    );
    expect(maskPersonalText('王先生家的马桶堵了', { name: '王' })).toBe('王先生家的马桶堵了');
  });
});

describe('where the keys come from', () => {
  const sqlite = { type: 'sqlite' as const, path: '/tmp/unused.sqlite' };

  it('when the embedded default starts without keys, then a key file is made once (owner only) and reused', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'kf-keys-')), 'pii-keys.json');
    const first = loadCipher({ keyFile }, sqlite);
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const sealed = first.seal('李娜', 'ticket.resident_name');
    expect(loadCipher({ keyFile }, sqlite).open(sealed, 'ticket.resident_name')).toBe('李娜');
    expect(readFileSync(keyFile, 'utf8')).toContain('indexKey');
  });

  it('when MySQL is configured without keys, or keys come without the index key, then start-up is refused', () => {
    const mysql = { type: 'mariadb' as const, url: 'mysql://root@127.0.0.1/x' };
    expect(() => loadCipher({ keyFile: '/nonexistent' }, mysql)).toThrow(ConfigError);
    expect(() => loadCipher({ keyFile: '/nonexistent' }, mysql)).toThrow(/PII_KEYS/);
    expect(() => loadCipher({ keys: `k1:${key(1)}`, keyFile: '/x' }, sqlite)).toThrow(/同时配置/);
    expect(() => loadCipher({ keys: 'k1:short', indexKey: key(9), keyFile: '/x' }, mysql)).toThrow(ConfigError);
    expect(loadCipher({ keys: `k1:${key(1)}`, indexKey: key(9), keyFile: '/x' }, mysql).currentId).toBe('k1');
  });
});
