// The web chat works with no platform credentials at all.
import { json } from '../support/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { DB_KINDS } from '../support/databases.js';
import { startTestService } from '../support/service.js';
import { webVisitors } from '../support/web-visitor.js';

const noPlatforms = {
  WECOM_CORP_ID: '',
  WECOM_TOKEN: '',
  WECOM_AES_KEY: '',
  MP_TOKEN: '',
  MP_AES_KEY: '',
  MP_APP_ID: '',
  ADMIN_TOKEN: '',
};

describe.each(DB_KINDS)('web chat on %s', (kind) => {
  let svc: Service;
  const visitor = webVisitors(() => svc.url);
  const send = async (name: string, text: string, msgId?: string) => {
    const r = await (await visitor(name)).say(text, msgId);
    return { status: r.status, json: r.body as { replies: string[] } };
  };

  beforeAll(async () => {
    svc = await startTestService(kind, 'web', { env: noPlatforms });
  });
  afterAll(async () => svc?.close());

  it('when no platform is configured, then their callbacks are 404 and the admin API says it is off', async () => {
    expect((await fetch(`${svc.url}/wecom/callback`)).status).toBe(404);
    expect((await fetch(`${svc.url}/mp/callback`)).status).toBe(404);
    const admin = await fetch(`${svc.url}/api/tickets`);
    expect(admin.status).toBe(503);
    expect((await json(admin)).message).toContain('ADMIN_TOKEN');
  });

  it('serves the H5 page in Chinese with a content security policy', async () => {
    const res = await fetch(`${svc.url}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('/webchat/messages');
  });

  const traditional =
    'when a visitor reports in Traditional Chinese, then the ticket reads in Simplified and keeps the name as written';
  it(traditional, async () => {
    const v = 'visitor_trad_01';
    expect((await send(v, '您好，我家電梯壞了，困在裡面了')).json.replies.join('')).toContain('称呼');
    await send(v, '黃小明');
    const r = await send(v, '5棟2單元1001');
    expect(r.status).toBe(200);
    expect(r.json.replies[0]).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
    expect(r.json.replies[0]).toContain('5-2-1001 黃小明');
  });

  const pageRetriesAMessage =
    'when the page retries a message with the same msgId, then the reply is the same and nothing is doubled';
  it(pageRetriesAMessage, async () => {
    const v = 'visitor_retry_01';
    const a = await send(v, '我是1栋1单元101的马丽，楼道灯坏了', 'same_msg_0001');
    const b = await send(v, '我是1栋1单元101的马丽，楼道灯坏了', 'same_msg_0001');
    expect(b.json).toEqual(a.json);
    const [{ n }] = await svc.ds.query('SELECT COUNT(*) AS n FROM ticket WHERE user_id = ?', [(await visitor(v)).id]);
    expect(Number(n)).toBe(1);
  });

  it.each([
    ['not JSON', '{oops'],
    ['a missing text', JSON.stringify({ msgId: 'msg_bad_001' })],
    ['an empty text', JSON.stringify({ msgId: 'msg_bad_001', text: '   ' })],
    ['a message id with markup', JSON.stringify({ msgId: '<img src=x>', text: 'hi' })],
    ['a text over 1000 characters', JSON.stringify({ msgId: 'msg_bad_001', text: '漏'.repeat(1001) })],
  ])('when the request has %s, then 400 with a reason', async (_what, body) => {
    const res = await fetch(`${svc.url}/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('BAD_REQUEST');
  });
});
