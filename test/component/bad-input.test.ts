// Bad input gets a clear refusal, stores nothing and never takes the process down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { mpPost, nowTs, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { startTestService } from '../support/service.js';
import { createLogger } from '../../src/lib/logger.js';

describe.each(DB_KINDS)('bad input on %s', (kind) => {
  let svc: Service;
  const stored = async () => {
    const [[i], [t]] = await Promise.all([
      svc.ds.query('SELECT COUNT(*) AS n FROM inbound_message'),
      svc.ds.query('SELECT COUNT(*) AS n FROM ticket'),
    ]);
    return Number(i.n) + Number(t.n);
  };
  const text = { from: 'attacker', text: '我是3栋2单元502的李娜，卫生间漏水' };

  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });

  beforeAll(async () => {
    svc = await startTestService(kind, 'bad', { logger });
  });
  afterAll(async () => svc?.close());

  const cases: [string, () => { path: string; body: string }, number, string | RegExp][] = [
    [
      'a wrong signature',
      () => ({
        ...wecomPost(text),
        path: wecomPost(text).path.replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000'),
      }),
      401,
      'BAD_SIGNATURE',
    ],
    [
      'a missing signature',
      () => ({ ...wecomPost(text), path: wecomPost(text).path.replace(/msg_signature=[0-9a-f]+&/, '') }),
      401,
      'MISSING_PARAMS',
    ],
    ['a token that is not ours', () => wecomPost(text, { token: 'someone-else' }), 401, 'BAD_SIGNATURE'],
    ['a stale timestamp', () => wecomPost(text, { timestamp: String(Number(nowTs()) - 3600) }), 401, 'STALE_TIMESTAMP'],
    [
      'a timestamp from the future',
      () => wecomPost(text, { timestamp: String(Number(nowTs()) + 3600) }),
      401,
      'STALE_TIMESTAMP',
    ],
    ['a message for another corp', () => wecomPost(text, { corpId: 'ww0000000000000000' }), 403, 'WRONG_RECEIVER'],
    // A wrong key yields garbage that either fails to unpad or names no receiver: refused either way.
    [
      'a different AES key',
      () => wecomPost(text, { key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }),
      0,
      /^(WRONG_RECEIVER|DECRYPT_FAILED)$/,
    ],
    ['malformed XML', () => ({ path: wecomPost(text).path, body: '<xml><Encrypt>abc' }), 400, 'BAD_XML'],
    [
      'a DOCTYPE (billion laughs)',
      () => ({
        path: wecomPost(text).path,
        body: '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>',
      }),
      400,
      'XML_DOCTYPE',
    ],
    [
      'an XXE entity',
      () => ({
        path: wecomPost(text).path,
        body: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
      }),
      400,
      'XML_DOCTYPE',
    ],
    [
      'a body over 64 KB',
      () => ({ path: wecomPost(text).path, body: `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>` }),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'an OA message with a wrong signature',
      () => ({
        ...mpPost(text, 'plain'),
        path: mpPost(text, 'plain').path.replace(/signature=[0-9a-f]{3}/, 'signature=fff'),
      }),
      401,
      'BAD_SIGNATURE',
    ],
    [
      'an OA safe-mode message with a forged msg_signature',
      () => ({
        ...mpPost(text, 'safe'),
        path: mpPost(text, 'safe').path.replace(/msg_signature=[0-9a-f]{3}/, 'msg_signature=fff'),
      }),
      401,
      'BAD_SIGNATURE',
    ],
    ['an OA stale timestamp', () => mpPost(text, 'safe', { timestamp: '1409735669' }), 401, 'STALE_TIMESTAMP'],
  ];

  it.each(cases)(
    'when a callback carries %s, then it is refused and nothing is stored',
    async (_what, make, status, code) => {
      const before = await stored();
      const r = await post(svc.url, make());
      if (status) expect(r.status).toBe(status);
      else expect([400, 403]).toContain(r.status);
      expect(JSON.parse(r.text).error).toMatch(code instanceof RegExp ? code : new RegExp(`^${code}$`));
      expect(await stored()).toBe(before);
      expect(logLines.at(-1)).toMatchObject({
        msg: 'request refused',
        code: expect.stringMatching(code instanceof RegExp ? code : new RegExp(`^${code}$`)),
        reason: expect.any(String),
      });
    },
  );

  it('when the path is unknown, then 404; when the method is wrong, then 405', async () => {
    expect((await fetch(`${svc.url}/nope`)).status).toBe(404);
    expect((await fetch(`${svc.url}/wecom/callback`, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(`${svc.url}/mp/callback`, { method: 'DELETE' })).status).toBe(405);
  });

  it('when a GET verification has a wrong signature, then 401 and no echo', async () => {
    const r = await fetch(`${svc.url}/wecom/callback?msg_signature=abc&timestamp=${nowTs()}&nonce=1&echostr=xyz`);
    expect(r.status).toBe(401);
    expect(await r.text()).not.toContain('xyz');
  });

  it('after all of that, the service is still healthy and answers a good message', async () => {
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    const r = await post(svc.url, wecomPost({ from: 'good_user', text: '你好' }));
    expect(r.status).toBe(200);
  });

  it('when resident text contains markup, then it is stored as data and the web page shows it as text', async () => {
    await post(svc.url, wecomPost({ from: 'xss', text: '<script>alert(1)</script>我是1栋1单元101的王五，门坏了' }));
    const [row] = await svc.ds.query(`SELECT content FROM ticket WHERE user_id = 'xss'`);
    expect(row.content).toContain('<script>alert(1)</script>');
    const page = await (await fetch(`${svc.url}/`)).text();
    expect(page).not.toMatch(/innerHTML/);
    expect(page).toContain('textContent');
  });
});
