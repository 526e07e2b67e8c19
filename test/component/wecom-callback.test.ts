// WeCom self-built app: real server, real encryption, real database, fake WeCom API on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSignature, encrypt } from '@wecom/crypto';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, WECOM, wecomPost, nowTs } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';
import { ticketRows } from '../support/stored.js';

describe.each(DB_KINDS)('WeCom app callback on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const say = async (from: string, text: string) => {
    const r = await post(svc.url, wecomPost({ from, text }));
    expect(r.status).toBe(200);
    return r.text ? openWecomReply(r.text) : undefined;
  };

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'wecom', { platformUrl: platform.url });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  it('when WeCom verifies the URL, then the decrypted echostr comes back as plain text', async () => {
    const ts = nowTs();
    const echostr = encrypt(WECOM.aesKey, '1616140317555161061', WECOM.corpId);
    const sig = getSignature(WECOM.token, ts, '123', echostr);
    const res = await fetch(
      `${svc.url}/wecom/callback?msg_signature=${sig}&timestamp=${ts}&nonce=123&echostr=${encodeURIComponent(echostr)}`,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
  });

  const reportOverThreeMessages =
    'when a member reports a problem over three messages, ' +
    'then the ticket is created and the reply is an encrypted passive text';
  it(reportOverThreeMessages, async () => {
    const first = await say('zhangsan', '你好，我家卫生间天花板在滴水');
    expect(first).toMatchObject({ ToUserName: 'zhangsan', FromUserName: WECOM.corpId, MsgType: 'text' });
    expect(first?.Content).toContain('怎么称呼');
    await say('zhangsan', '李娜');
    const created = await say('zhangsan', '3栋2单元502');
    expect(created?.Content).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
    expect(created?.Content).toContain('3-2-502 李娜');
    expect(created?.Content).toContain('请留一个联系电话');
    const phone = await say('zhangsan', '13812345678');
    expect(phone?.Content).toContain('138****5678');

    const [row] = await ticketRows(svc.ds, { userId: 'zhangsan' });
    expect(row).toMatchObject({
      room: '3-2-502',
      phone: '13812345678',
      residentName: '李娜',
      category: 'engineering',
      receiver: 'kf01',
    });
  });

  const staffToldThroughOutbox =
    'when a ticket is created, ' +
    'then staff get a WeCom app message through the outbox, with one token fetch for many sends';
  it(staffToldThroughOutbox, async () => {
    await say('lisi', '我是5栋1单元301的王强，厨房水管爆了，家里全淹了，电话13900001111');
    await say('wangwu', '12号楼1803 赵敏，客厅灯不亮了');
    platform.calls.length = 0;
    while ((await svc.dispatcher.tick()) > 0);
    const sends = platform.callsTo('/cgi-bin/message/send');
    expect(sends.length).toBeGreaterThanOrEqual(2);
    expect(
      sends.every((s) => s.body.touser === 'kf01' && s.body.agentid === 1000002 && s.body.msgtype === 'text'),
    ).toBe(true);
    const urgent = sends.find(
      (s) => String(s.body.text.content).includes('5栋') || String(s.body.text.content).includes('5-1-301'),
    );
    expect(urgent?.body.text.content).toContain('紧急');
    expect(platform.callsTo('/cgi-bin/gettoken').length).toBeLessThanOrEqual(1);
    const [{ n }] = await svc.ds.query(`SELECT COUNT(*) AS n FROM outbox WHERE status <> 'sent'`);
    expect(Number(n)).toBe(0);
  });

  it('when WeCom revokes the token early, then the sender fetches a new one once and replays the send', async () => {
    platform.revokeTokens();
    platform.calls.length = 0;
    await say('zhaoliu', '我是7栋3单元1101的孙丽，门锁坏了打不开，电话13700002222');
    while ((await svc.dispatcher.tick()) > 0);
    expect(platform.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
    const sends = platform.callsTo('/cgi-bin/message/send');
    expect(sends).toHaveLength(2);
    expect(sends[0]!.query.access_token).not.toBe(sends[1]!.query.access_token);
  });

  it('when a member subscribes, then the welcome lists what the bot can do', async () => {
    const r = await post(
      svc.url,
      wecomPost({ from: 'newbie', msgType: 'event', extra: { Event: 'enter_agent', EventKey: '' } }),
    );
    expect(openWecomReply(r.text).Content).toContain('报事报修');
  });
});
