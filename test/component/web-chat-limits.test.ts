// The public web chat, the one door anyone on the internet can open: the server names the visitor (an HttpOnly
// cookie it issues), and one visitor or one address may send and file only so much — past that a polite refusal,
// and staff told once about a source that floods rather than once per ticket.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Service } from '../../src/service.js';
import { TEST_NOW } from '../support/clock.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { startTestService } from '../support/service.js';
import { outboxRows, payloadSays, ticketRows } from '../support/stored.js';
import { nextAddress, openWebChat, visitorCookie, type WebVisitor } from '../support/web-visitor.js';

const LIMITS = {
  WEBCHAT_VISITOR_MESSAGES_PER_MINUTE: '20',
  WEBCHAT_VISITOR_MESSAGES_PER_DAY: '30',
  WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: '40',
  WEBCHAT_VISITOR_TICKETS_PER_DAY: '3',
  WEBCHAT_ADDRESS_TICKETS_PER_DAY: '5',
  WEBCHAT_FOLD_TICKETS: '3',
  WEBCHAT_FOLD_MINUTES: '10',
};
const MINUTE = 60_000;
const PROBLEMS = ['厨房水龙头坏了，关不紧', '卫生间灯不亮了', '阳台门锁坏了', '客厅插座没电了', '厨房下水道堵了'];

describe.each(DB_KINDS)('web chat limits on %s', (kind) => {
  let svc: Service;
  const clock = new ManualClock(TEST_NOW);
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) logged.push(JSON.parse(line));
        done();
      },
    }),
  );
  const open = (address?: string) => openWebChat(svc.url, address ? { address } : {});
  const ticketsOf = (v: WebVisitor) => ticketRows(svc.ds, { channel: 'web', userId: v.id });
  /** One message with everything a ticket needs; an identity question (a known resident) is answered 是. */
  const file = async (v: WebVisitor, i: number) => {
    let r = await v.say(`我是李娜，电话13812345678，3栋2单元50${i}，${PROBLEMS[i % PROBLEMS.length]}`);
    if (r.replies.join('').includes('回复"是"确认')) r = await v.say('是');
    return { ...r, no: /工单 (KF-\d{8}-\d{4})/.exec(r.replies.join('\n'))?.[1] };
  };
  const warned = (msg: string) => logged.filter((l) => l.level === 40 && l.msg === msg);

  beforeAll(async () => {
    svc = await startTestService(kind, 'webchat_limits', {
      database: databaseFor(kind, 'webchat_limits'),
      env: LIMITS,
      clock,
      logger,
    });
  });
  afterAll(async () => svc?.close());

  const cookieOnThePage =
    'when the page is opened, then it sets an HttpOnly SameSite=Lax cookie holding a random 192-bit visitor id';
  it(cookieOnThePage, async () => {
    const res = await fetch(`${svc.url}/`, { headers: { 'x-forwarded-for': nextAddress() } });
    expect(res.status).toBe(200);
    const [cookie] = res.headers.getSetCookie().filter((c) => c.startsWith('kf_visitor='));
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
    expect(cookie).toMatch(/; path=\//i);
    expect(cookie).toMatch(/; expires=/i);
    expect(cookie).not.toMatch(/; secure/i); // plain http on loopback
    const id = visitorCookie(res)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes, base64url
    expect(Buffer.from(id, 'base64url')).toHaveLength(24);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const again = visitorCookie(await fetch(`${svc.url}/`));
    expect(again).not.toBe(id);
    // The page no longer names the visitor: the cookie does, sent back by fetch.
    const html = await res.text();
    expect(html).not.toContain('visitorId');
    expect(html).toContain("credentials: 'same-origin'");
  });

  it('when the page is served behind TLS, then the visitor cookie is also Secure', async () => {
    const res = await fetch(`${svc.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    const [cookie] = res.headers.getSetCookie().filter((c) => c.startsWith('kf_visitor='));
    expect(cookie).toMatch(/; secure/i);
  });

  const chosenId = 'when a message names its own visitor id (in the body or a forged cookie), then the server names it';
  it(chosenId, async () => {
    const address = nextAddress();
    const send = (headers: Record<string, string>, msgId: string) =>
      fetch(`${svc.url}/webchat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...headers },
        body: JSON.stringify({ visitorId: 'chosen_visitor_01', msgId, text: '我是王伟，1栋1单元101，门锁坏了' }),
      });
    const bodyOnly = await send({}, 'chosen_msg_0001');
    expect(bodyOnly.status).toBe(200);
    expect(((await bodyOnly.json()) as { replies: string[] }).replies[0]).toContain('已为您登记工单');
    const issued = visitorCookie(bodyOnly)!;
    expect(issued).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const forged = await send({ cookie: 'kf_visitor=chosen_visitor_01' }, 'chosen_msg_0002');
    expect(forged.status).toBe(200);
    const reissued = visitorCookie(forged)!;
    expect(reissued).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(reissued).not.toBe(issued);
    expect(await ticketRows(svc.ds, { userId: 'chosen_visitor_01' })).toHaveLength(0);
    expect(await ticketRows(svc.ds, { userId: issued })).toHaveLength(1);
    expect(await ticketRows(svc.ds, { userId: reissued })).toHaveLength(1);
  });

  it("when two visitors send the same message id, then each gets their own reply, not the other's", async () => {
    const [a, b] = [await open(), await open()];
    const first = await a.say('我是张敏，2栋1单元201，楼道灯坏了', 'shared_msg_0001');
    const second = await b.say('你好', 'shared_msg_0001');
    expect(first.replies[0]).toContain('已为您登记工单');
    const no = /工单 (KF-\d{8}-\d{4})/.exec(first.replies[0]!)![1]!;
    expect(second.replies.join('')).not.toContain(no);
    expect(second.replies.join('')).not.toContain('张敏');
    expect(await ticketsOf(b)).toHaveLength(0);
  });

  it('when a visitor stays within the limits, then every ticket is filed and listed as theirs', async () => {
    const v = await open();
    for (const i of [1, 2]) expect((await file(v, i)).no).toBeDefined();
    expect(await ticketsOf(v)).toHaveLength(2);
    const mine = await v.say('我的工单');
    expect(mine.status).toBe(200);
    for (const t of await ticketsOf(v)) expect(mine.replies.join('\n')).toContain(t.no);
  });

  const visitorLimit =
    'when a visitor has filed the day limit, then a further report is refused politely and files nothing, ' +
    'what was filed stays, and the next day they may file again';
  it(visitorLimit, async () => {
    const v = await open();
    const filed = [];
    for (const i of [1, 2, 3]) filed.push((await file(v, i)).no);
    expect(filed.every(Boolean)).toBe(true);
    const refused = await file(v, 4);
    expect(refused.status).toBe(200);
    expect(refused.no).toBeUndefined();
    expect(refused.replies.join('')).toContain('您今天通过网页客服提交的工单已达上限');
    expect((await ticketsOf(v)).map((t) => t.no)).toEqual(filed);
    expect(warned('web chat ticket refused: the day limit of its source is reached').at(-1)).toMatchObject({
      reason: 'visitor',
      limit: 3,
      address: v.address,
    });
    // Still a conversation: the visitor can look at the tickets they have.
    expect((await v.say('我的工单')).replies.join('\n')).toContain(filed[0]!);
    clock.set(new Date(TEST_NOW.getTime() + 86_400_000));
    try {
      expect((await file(v, 4)).no).toBeDefined();
    } finally {
      clock.set(TEST_NOW);
    }
  });

  const addressLimit =
    'when visitors from one address have filed its day limit, then a new visitor there is refused politely, ' +
    'while a visitor from another address is not';
  it(addressLimit, async () => {
    const address = nextAddress();
    const [a, b, c] = [await open(address), await open(address), await open(address)];
    for (const i of [1, 2, 3]) expect((await file(a, i)).no).toBeDefined();
    for (const i of [1, 2]) expect((await file(b, i)).no).toBeDefined();
    const refused = await file(c, 1);
    expect(refused.no).toBeUndefined();
    expect(refused.replies.join('')).toContain('今天从您当前网络通过网页客服提交的工单已达上限');
    expect(await ticketsOf(c)).toHaveLength(0);
    expect(warned('web chat ticket refused: the day limit of its source is reached').at(-1)).toMatchObject({
      reason: 'address',
      limit: 5,
    });
    expect((await file(await open(), 1)).no).toBeDefined();
  });

  const flood =
    'when one address files more than three tickets within ten minutes, then staff get one summary for the rest, ' +
    'but an emergency among them still pages on its own, flagged as a likely flood';
  it(flood, async () => {
    const address = nextAddress();
    const numbers: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(MINUTE);
      numbers.push((await file(await open(address), i)).no!);
    }
    clock.advance(MINUTE);
    const sos = await (await open(address)).say('我是周平，3栋1单元601，厨房燃气泄漏了，满屋子煤气味');
    const sosNo = /工单 (KF-\d{8}-\d{4})/.exec(sos.replies.join('\n'))![1]!;
    const rows = await outboxRows(svc.ds);
    const own = (no: string) =>
      rows.filter((r) => r.dedupeKey.startsWith(`ticket:${no}:`) && r.channel === 'wecom_app');
    // The first three are told one by one, as any ticket.
    for (const no of numbers.slice(0, 3)) expect(own(no).length).toBeGreaterThan(0);
    for (const no of numbers.slice(3)) expect(own(no)).toHaveLength(0);
    const folded = rows.filter(
      (r) => r.dedupeKey.startsWith('webflood:address:') && payloadSays(r, `地址 ${address} `),
    );
    expect(folded).toHaveLength(1);
    expect(folded[0]!.recipient).toBe('kf01');
    expect(payloadSays(folded[0]!, `来自地址 ${address} 的网页访客在 10 分钟内提交了 4 张工单`)).toBe(true);
    expect(payloadSays(folded[0]!, numbers[3]!)).toBe(true);
    expect(JSON.stringify(folded.map((r) => r.dedupeKey))).not.toContain(address);
    // Every folded ticket says so on its timeline.
    const [last] = await ticketRows(svc.ds, { no: numbers[3]! });
    const events = await svc.ds.getRepository('TicketEvent').find({ where: { ticketId: last!.id, type: 'notified' } });
    expect(JSON.stringify(events.map((e) => e.data))).toContain('通知已合并');
    const [sosTicket] = await ticketRows(svc.ds, { no: sosNo });
    expect(sosTicket!.urgency).toBe('emergency');
    const sosNotice = own(sosNo).find((r) => r.recipient === 'kf01');
    expect(sosNotice && payloadSays(sosNotice, '疑似批量提交')).toBe(true);
    expect(payloadSays(sosNotice!, '在 10 分钟内提交了 5 张工单，请先电话核实')).toBe(true);
    clock.set(TEST_NOW);
  });

  const messageLimits =
    'when a visitor sends faster than the limit, then 429 with a polite reply the page shows, nothing is taken, ' +
    'and a minute later the visitor is heard again — until the day limit';
  it(messageLimits, async () => {
    const v = await open();
    for (let i = 0; i < 20; i++) expect((await v.say('你好')).status).toBe(200);
    const refused = await v.say('你好', 'refused_msg_0001');
    expect(refused.status).toBe(429);
    expect(refused.replies).toEqual([expect.stringContaining('您发送得太快了')]);
    expect(warned('web chat message refused: over the limit').at(-1)).toMatchObject({
      reason: 'visitor-minute',
      limit: 20,
      address: v.address,
    });
    const [{ n }] = await svc.ds.query('SELECT COUNT(*) AS n FROM inbound_message WHERE dedupe_key = ?', [
      `msg:${v.id}:refused_msg_0001`,
    ]);
    expect(Number(n)).toBe(0);
    clock.advance(MINUTE);
    for (let i = 0; i < 10; i++) expect((await v.say('你好')).status).toBe(200);
    const tired = await v.say('你好');
    expect(tired.status).toBe(429);
    expect(tired.replies[0]).toContain('今天在网页客服发送的消息已经很多了');
    clock.set(TEST_NOW);
  });

  it('when many visitors from one address send fast, then the address is held to its own limit', async () => {
    clock.advance(5 * MINUTE);
    const address = nextAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await (await open(address)).say('你好')).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses[40]).toBe(429);
    expect((await (await open()).say('你好')).status).toBe(200);
    clock.set(TEST_NOW);
  });
});
