// A shopping-mall project (rule pack "mall") end to end over encrypted Official Account callbacks: the bot asks
// shoppers where in the mall they are (no 楼栋-单元-房号), grades by the mall's own levels and routes to its desks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import { mpPost, nextMsgId, openMpReply, post } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';

describe.each(DB_KINDS)('a shopping mall on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const admin = async (path: string) =>
    json(await fetch(`${svc.url}${path}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const say = async (from: string, text: string) => {
    const r = await post(svc.url, mpPost({ from, text, msgId: nextMsgId() }, 'safe'));
    expect(r.status).toBe(200);
    return openMpReply(r.text, 'safe').Content ?? '';
  };

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    const shipped = loadConfig({ CONFIG_DIR: 'config' }).organisation;
    const base = shipped.projects[0]!;
    const mall = {
      ...base,
      code: 'WXH',
      name: '万象汇购物中心',
      aliases: ['万象汇'],
      ticketPrefix: 'WX',
      rulePack: 'mall',
      roster: [],
      people: {
        lead: ['sc01'],
        finance: ['cw01'],
        service_desk: ['fwt01'],
        store: ['dz01'],
        back_office: ['hq01'],
        customer_service: ['kf01'],
      },
    };
    svc = await startTestService(kind, 'mall', {
      platformUrl: platform.url,
      config: { organisation: { ...shipped, botName: '万象汇客服', projects: [mall] } },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  const stoppedEscalator =
    'when a shopper reports a stopped escalator, ' +
    'then the bot asks where in the mall and files a primary complaint for the service desk';
  it(stoppedEscalator, async () => {
    expect(await say('shopper_1', '你好，扶梯停了，上不去')).toContain('怎么称呼');
    const where = await say('shopper_1', '张先生');
    expect(where).toContain('请问您在商场的什么位置');
    expect(where).not.toContain('房号');
    const created = await say('shopper_1', 'B1层扶梯口');
    const no = /工单 (WX-\d{8}-\d{4})/.exec(created)?.[1];
    expect(no, created).toBeDefined();
    expect(created).toContain('B1层扶梯口 张先生');
    const d = await admin(`/api/tickets/${no}`);
    expect(d.ticket).toMatchObject({
      projectCode: 'WXH',
      rulePack: 'mall',
      room: 'B1层扶梯口',
      residentName: '张**',
      level: 'primary',
      department: 'service_desk',
      handler: 'fwt01',
    });
  });

  const compensationAsked =
    'when a shopper asks for compensation, ' +
    'then it is a first-level complaint for the store and finance is asked to approve';
  it(compensationAsked, async () => {
    await say('shopper_2', '我是李女士，在3楼买的鞋子穿一天就开胶，要求退货并赔偿');
    const created = await say('shopper_2', '3楼301店铺');
    const no = /工单 (WX-\d{8}-\d{4})/.exec(created)?.[1];
    expect(no, created).toBeDefined();
    const d = await admin(`/api/tickets/${no}`);
    expect(d.ticket).toMatchObject({ kind: 'complaint', level: 'first', department: 'store', room: '3楼301店铺' });
    const approvals = (d.timeline as { type: string; data: { approver?: string } }[]).filter(
      (e) => e.type === 'approval_requested',
    );
    expect(approvals.map((e) => e.data.approver)).toContain('finance');
  });
});
