// The official vectors A–E from the protocol doc, through our envelope functions.
import { describe, expect, it } from 'vitest';
import {
  checkFreshness,
  field,
  openEnvelope,
  parseCallbackXml,
  sealEnvelope,
  signature,
  verifySignature,
} from '../../src/channels/wechat-crypto/index.js';
import { encrypt } from '@wecom/crypto';

const A = {
  token: 'QDG6eK',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};
const A_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg' +
  '3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+k' +
  'DZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6ti' +
  'WSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p' +
  '8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';

describe('official vectors', () => {
  it('A: WeCom POST — signature verifies, receiveid is the corpid, the message is the text "hello"', () => {
    expect(() =>
      verifySignature('477715d11cdb4164915debcba66cb864d751f3e6', A.token, '1409659813', '1372623149', A_ENCRYPT),
    ).not.toThrow();
    const xml = parseCallbackXml(openEnvelope(A.key, A_ENCRYPT, A.corpId));
    expect(field(xml, 'Content')).toBe('hello');
    expect(field(xml, 'FromUserName')).toBe('mycreate');
    expect(field(xml, 'MsgId')).toBe('4561255354251345929');
    expect(field(xml, 'AgentID')).toBe('218');
  });

  it('A: a different corpid is refused even though the ciphertext decrypts', () => {
    expect(() => openEnvelope(A.key, A_ENCRYPT, 'wx0000000000000000')).toThrow(
      expect.objectContaining({ code: 'WRONG_RECEIVER' }),
    );
  });

  it('A: one changed character in the signature is refused', () => {
    expect(() =>
      verifySignature('477715d11cdb4164915debcba66cb864d751f3e7', A.token, '1409659813', '1372623149', A_ENCRYPT),
    ).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
  });

  it('B: WeCom GET echostr decrypts to 1616140317555161061', () => {
    const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
    verifySignature('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', A.token, '1409659589', '263014780', echostr);
    expect(openEnvelope(A.key, echostr, A.corpId)).toBe('1616140317555161061');
  });

  it('C: official Python sample GET', () => {
    const token = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
    const echostr = 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==';
    verifySignature('012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb', token, '1476416373', '47744683', echostr);
    expect(openEnvelope('6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt', echostr, 'ww1436e0e65a779aee')).toBe(
      '1288432023552776189',
    );
  });

  it('D: deterministic encryption matches the Java sample exactly, and our seal round-trips it', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const random = Buffer.from('aaaabbbbccccdddd');
    expect(encrypt(key, '我是中文abcd123', 'wxb11529c136998cb6', random)).toBe(
      'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
    );
    const sealed = parseCallbackXml(
      sealEnvelope('我是中文abcd123', {
        token: 't',
        aesKey: key,
        receiver: 'wxb11529c136998cb6',
        timestamp: '1',
        nonce: '2',
        random,
      }),
    );
    expect(field(sealed, 'Encrypt')).toBe(
      'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
    );
    expect(field(sealed, 'MsgSignature')).toBe(signature('t', '1', '2', field(sealed, 'Encrypt')!));
  });

  it('E: Official Account safe mode', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    // The Encrypt field of the published OA safe-mode sample (protocol doc S23).
    const enc =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFm' +
      'OD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8d' +
      'KOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5' +
      'RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNP' +
      'fUM669WuMyVWQLCzpu9GhglF2PE=';
    verifySignature('5d197aaffba7e9b25a30732f161a50dee96bd5fa', 'spamtest', '1409735669', '1320562132', enc);
    const xml = parseCallbackXml(openEnvelope(key, enc, 'wx2c2769f8efd9abc2'));
    expect(field(xml, 'Content')).toBe('abcdteT');
    expect(field(xml, 'MsgId')).toBe('6054768590064713728');
  });

  it('Official Account plain verification example: token AAAAA', () => {
    expect(signature('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
  });
});

describe('freshness', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  const ts = (offsetSeconds: number) => String(Math.floor(now.getTime() / 1000) + offsetSeconds);
  it.each([0, -299, 299])('accepts a timestamp %i s away', (o) =>
    expect(() => checkFreshness(ts(o), now, 300)).not.toThrow(),
  );
  it.each([-301, 301, -86400])('refuses a timestamp %i s away', (o) =>
    expect(() => checkFreshness(ts(o), now, 300)).toThrow(expect.objectContaining({ code: 'STALE_TIMESTAMP' })),
  );
  it('refuses a non-numeric timestamp', () => expect(() => checkFreshness('12a', now, 300)).toThrow());
});

describe('hardened XML', () => {
  it('refuses a DOCTYPE with entities (billion laughs)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' +
      '<xml><Content>&lol2;</Content></xml>';
    expect(() => parseCallbackXml(bomb)).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE' }));
  });
  it('refuses an external entity (XXE)', () => {
    expect(() =>
      parseCallbackXml('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>'),
    ).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE' }));
  });
  it('refuses malformed XML', () => {
    expect(() => parseCallbackXml('<xml><Content>unterminated</xml>')).toThrow(
      expect.objectContaining({ code: 'BAD_XML' }),
    );
  });
  it('keeps values as strings: leading zeros and 64-bit ids survive', () => {
    const x = parseCallbackXml('<xml><EventKey><![CDATA[0123]]></EventKey><MsgId>4561255354251345929</MsgId></xml>');
    expect(field(x, 'EventKey')).toBe('0123');
    expect(field(x, 'MsgId')).toBe('4561255354251345929');
  });
});
