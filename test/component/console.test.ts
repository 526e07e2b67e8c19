// The console's reads and acts over HTTP on both databases: project and handler scope in the queries (another
// project's ticket is 404 by URL), search by phone, its tail, name and number through the blind indexes, keyset
// paging, sessions that end on the Clock and are stored hashed, and acts that tell the resident as chat commands do.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganisation } from '../../src/config/load-config.js';
import { SESSION_TTL_MS } from '../../src/console/session.js';
import type { Service } from '../../src/service.js';
import { mpSay, WECOM } from '../support/callbacks.js';
import { testClock, TEST_NOW } from '../support/clock.js';
import { addConsoleUser, ConsoleClient } from '../support/console.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';

const org = loadOrganisation('config/organisation.json');
const xfl = org.projects[0]!;
const other = { ...xfl, code: 'YHY', name: '怡和苑', aliases: ['怡和苑'], ticketPrefix: 'YH' };
const listed = (html: string) => [...html.matchAll(/data-no="([^"]+)"/g)].map((m) => m[1]);

describe.each(DB_KINDS)('console over HTTP on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const no: Record<string, string> = {};
  const file = async (from: string, text: string) =>
    /工单 ([A-Z]+-\d{8}-\d{4})/.exec(await mpSay(svc.url, from, text))![1]!;
  const client = () => new ConsoleClient(svc.url);

  beforeAll(async () => {
    testClock.set(TEST_NOW);
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'console', {
      platformUrl: platform.url,
      config: { organisation: { ...org, projects: [xfl, other] } },
    });
    no.lamp = await file('o-lamp', '我是欧阳娜娜，电话13812345678，幸福里2栋1单元202，楼道的灯坏了好几天了');
    no.leak = await file('o-leak', '我是钱多，电话13900001111，幸福里3栋502，卫生间天花板漏水');
    no.other = await file('o-oth', '我是孙丽，电话13700002222，怡和苑5栋101，门口垃圾没人清');
    await addConsoleUser(svc, 'li', ['manager'], { projects: ['XFL', 'YHY'] });
    await addConsoleUser(svc, 'wang', ['handler'], { projects: ['XFL'], wecomUserId: 'wx01' });
    await addConsoleUser(svc, 'eng', ['handler'], { projects: ['*'], wecomUserId: 'gc09', department: 'engineering' });
  });
  afterAll(async () => {
    testClock.set(TEST_NOW);
    await svc?.close();
    await platform?.stop();
  });

  it('when a manager searches by phone, its last four digits, a name or a number, then it is found', async () => {
    const li = await client().signIn('li');
    const find = async (q: string) => listed((await li.get(`/console/tickets?q=${encodeURIComponent(q)}`)).text);
    expect(await find('13900001111')).toEqual([no.leak]);
    expect(await find('1111')).toEqual([no.leak]);
    expect(await find('欧阳娜娜')).toEqual([no.lamp]);
    expect(await find(no.other!)).toEqual([no.other]);
    expect(await find('天花板')).toEqual([no.leak]);
    expect(await find('13900009999')).toEqual([]);
    const page = (await li.get('/console/tickets')).text;
    expect(page).toContain('欧***');
    expect(page).not.toContain('欧阳娜娜');
    expect(page).not.toContain('13812345678');
  });

  it("when a handler opens another project's ticket or one not theirs, then 404 and it is not listed", async () => {
    const wang = await client().signIn('wang');
    expect((await wang.get(`/console/tickets/${no.other}`)).status).toBe(404);
    // wx01 is not the handler of the leak (engineering's gc01 is) nor of the department.
    expect((await wang.get(`/console/tickets/${no.leak}`)).status).toBe(404);
    expect(listed((await wang.get('/console/tickets')).text)).not.toContain(no.other);
    // A handler of the engineering department sees its tickets in every project, and only those.
    const eng = await client().signIn('eng');
    expect((await eng.get(`/console/tickets/${no.leak}`)).status).toBe(200);
    expect(listed((await eng.get('/console/tickets')).text)).toEqual([no.leak]);
  });

  it('when a manager transfers and closes in the console, then the resident is told as from chat', async () => {
    const li = await client().signIn('li');
    await li.get(`/console/tickets/${no.lamp}`);
    const moved = await li.post(`/console/tickets/${no.lamp}/transfer`, { to: 'wx02' });
    expect(moved.location).toContain('done=transferred');
    // Not done yet: closing is for a resolved ticket.
    expect((await li.post(`/console/tickets/${no.lamp}/close`, {})).text).toContain('尚未完成');
    await svc.tickets.complete({ type: 'staff', userId: 'wx02' }, no.lamp!, '已更换灯管');
    expect((await li.post(`/console/tickets/${no.lamp}/close`, { note: '回访满意' })).location).toContain(
      'done=closed',
    );
    while ((await svc.dispatcher.tick()) > 0);
    const told = platform
      .callsTo('/cgi-bin/message/custom/send')
      .filter((c) => c.body.touser === 'o-lamp')
      .map((c) => c.body.text.content as string);
    expect(told.some((t) => t.includes('已转交其他同事'))).toBe(true);
    expect(told.some((t) => t.includes('已办结归档'))).toBe(true);
    const page = (await li.get(`/console/tickets/${no.lamp}`)).text;
    expect(page).toContain('已关闭');
    expect(page).toContain('console:li');
  });

  it('when a handler writes a leader instruction, then it is refused; a manager may', async () => {
    const eng = await client().signIn('eng');
    await eng.get(`/console/tickets/${no.leak}`);
    const refused = await eng.post(`/console/tickets/${no.leak}/notes`, { leaderInstruction: '马上处理' });
    expect(refused.status).toBe(409);
    expect((await eng.post(`/console/tickets/${no.leak}/notes`, { causeAnalysis: '楼上防水层老化' })).status).toBe(302);
    const li = await client().signIn('li');
    await li.get(`/console/tickets/${no.leak}`);
    expect((await li.post(`/console/tickets/${no.leak}/notes`, { leaderInstruction: '三日内修复' })).status).toBe(302);
    const page = (await li.get(`/console/tickets/${no.leak}`)).text;
    expect(page).toContain('楼上防水层老化');
    expect(page).toContain('三日内修复');
  });

  it('when there are more tickets than a page, then the next page continues where the first ended', async () => {
    const surnames = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕';
    for (let i = 0; i < 22; i++) await file(`o-page-${i}`, `我是${surnames[i]}明，幸福里8栋${101 + i}，电梯按钮失灵`);
    const li = await client().signIn('li');
    const first = await li.get('/console/tickets?q=电梯按钮');
    const page1 = listed(first.text);
    expect(page1).toHaveLength(20);
    expect(first.text).toContain('共 22 条');
    const next = /href="(\/console\/tickets\?[^"]*before=\d+)"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const page2 = listed((await li.get(next)).text);
    expect(page2).toHaveLength(2);
    expect(new Set([...page1, ...page2]).size).toBe(22);
  });

  it('when a session idles past its time-to-live on the Clock, then it ends; only its hash is stored', async () => {
    const li = await client().signIn('li');
    const id = li.sessionCookie()!;
    const rows: { id_hash: string }[] = await svc.ds.query('SELECT id_hash FROM console_session');
    expect(rows.map((r) => r.id_hash)).toContain(createHash('sha256').update(id).digest('hex'));
    expect(rows.map((r) => r.id_hash)).not.toContain(id);
    testClock.advance(SESSION_TTL_MS - 60_000);
    expect((await li.get('/console')).status).toBe(200);
    testClock.advance(SESSION_TTL_MS + 60_000);
    const after = await li.get('/console');
    expect(after.status).toBe(302);
    expect(after.location).toContain('/console/login');
    testClock.set(TEST_NOW);
  });

  it('when a request has a foreign Origin or no token, then 403 and the reason is logged, not acted on', async () => {
    const li = await client().signIn('li');
    await li.get(`/console/tickets/${no.other}`);
    expect((await li.post(`/console/tickets/${no.other}/transfer`, { to: 'gc01' }, { csrf: false })).status).toBe(403);
    const cross = await li.post(
      `/console/tickets/${no.other}/transfer`,
      { to: 'gc01' },
      { origin: 'http://evil.test' },
    );
    expect(cross.status).toBe(403);
    expect(cross.text).toContain('拒绝跨站请求');
    expect((await li.get(`/console/tickets/${no.other}`)).text).not.toMatch(/id="handler">gc01/);
  });

  it('when a member signs in with WeCom, then the code names the linked user, signed in', async () => {
    const c = client();
    const start = await c.get('/console/login/wecom?next=/console/tickets');
    const to = new URL(start.location!);
    expect(to.origin).toBe('https://login.work.weixin.qq.com');
    expect(to.searchParams.get('appid')).toBe(WECOM.corpId);
    expect(to.searchParams.get('redirect_uri')).toBe(`${svc.url}/console/login/wecom/callback`);
    const state = to.searchParams.get('state')!;
    // A code with someone else's state is refused before WeCom is asked.
    expect((await c.get(`/console/login/wecom/callback?code=x&state=${'0'.repeat(32)}`)).status).toBe(400);
    await c.get('/console/login/wecom?next=/console/tickets');
    const again = new URL((await c.get('/console/login/wecom?next=/console/tickets')).location!);
    const back = await c.get(
      `/console/login/wecom/callback?code=${platform.oauthCode('wx01')}&state=${again.searchParams.get('state')}`,
    );
    expect(back.status).toBe(302);
    expect(back.location).toBe('/console/tickets');
    expect((await c.get('/console/tickets')).text).toContain('wang（处理人）');
    expect(state).not.toBe(again.searchParams.get('state'));
  });

  it('when WeCom names someone without a console account, or no member, then sign-in is refused politely', async () => {
    const c = client();
    const stateOf = async () => new URL((await c.get('/console/login/wecom')).location!).searchParams.get('state');
    const stranger = await c.get(
      `/console/login/wecom/callback?code=${platform.oauthCode('nobody')}&state=${await stateOf()}`,
    );
    expect(stranger.status).toBe(403);
    expect(stranger.text).toContain('尚未开通管理后台');
    const outsider = await c.get(
      `/console/login/wecom/callback?code=${platform.oauthCode('openid:o123')}&state=${await stateOf()}`,
    );
    expect(outsider.status).toBe(401);
    expect((await c.get('/console')).location).toContain('/console/login');
  });

  it('when the console is opened inside the WeCom client, then it goes straight to 网页授权', async () => {
    const res = await fetch(`${svc.url}/console/login`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone) wxwork/4.1.30 MicroMessenger/7.0.1' },
    });
    expect(res.headers.get('location')).toBe('/console/login/wecom?next=%2Fconsole');
    const oauth = await fetch(`${svc.url}${res.headers.get('location')}`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone) wxwork/4.1.30 MicroMessenger/7.0.1' },
    });
    const to = oauth.headers.get('location')!;
    expect(to).toMatch(/^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=ww1436e0e65a779aee/);
    expect(to).toContain('scope=snsapi_base');
    expect(to).toContain('#wechat_redirect');
  });

  it('when an admin creates API tokens, then read reads, only write writes, revoked nothing', async () => {
    await addConsoleUser(svc, 'root', ['admin']);
    const root = await client().signIn('root');
    await root.get('/console/users');
    const tokenIn = (html: string) => /data-token>([^<]+)</.exec(html)![1]!;
    const read = tokenIn((await root.post('/console/tokens', { name: '月报脚本', scope: 'read' })).text);
    const write = tokenIn((await root.post('/console/tokens', { name: '运维', scope: 'write' })).text);
    const api = (token: string, path: string, method = 'GET') =>
      fetch(`${svc.url}/api${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect((await api(read, '/tickets')).status).toBe(200);
    expect((await api(read, '/rules/reload', 'POST')).status).toBe(403);
    expect((await api(write, '/rules/reload', 'POST')).status).toBe(200);
    const tokens: { id: number; token_hash: string }[] = await svc.ds.query('SELECT id, token_hash FROM api_token');
    expect(tokens.map((t) => t.token_hash)).not.toContain(read);
    const page = (await root.get('/console/users')).text;
    expect(page).not.toContain(read);
    const readId = Math.min(...tokens.map((t) => Number(t.id)));
    expect((await root.post(`/console/tokens/${readId}/revoke`, {})).status).toBe(302);
    expect((await api(read, '/tickets')).status).toBe(401);
    expect((await api('kfapi_made-up', '/tickets')).status).toBe(401);
  });
});
