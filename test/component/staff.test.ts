// Staff and managers in the WeCom app: approvals by text (authorised or refused), 接单/到场/完成/转派 with the
// resident told at each step, the satisfaction question on the next working day, and 不满意 reopening the ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import { mpPost, openMpReply, openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';

describe.each(DB_KINDS)('staff commands and approvals on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const clock = new ManualClock(new Date('2026-11-23T10:00:00+08:00')); // Monday morning
  const ts = () => String(Math.floor(clock.now().getTime() / 1000));
  const staff = async (from: string, text: string) =>
    openWecomReply((await post(svc.url, wecomPost({ from, text, createTime: ts() }, { timestamp: ts() }))).text)
      .Content ?? '';
  const resident = async (from: string, text: string) =>
    openMpReply(
      (await post(svc.url, mpPost({ from, text, createTime: ts() }, 'safe', { timestamp: ts() }))).text,
      'safe',
    ).Content ?? '';
  const ticket = async (no: string) =>
    json(await fetch(`${svc.url}/api/tickets/${no}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const ticketNo = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
  const drain = async () => {
    while ((await svc.dispatcher.tick()) > 0);
  };
  const wecomTo = (user: string) =>
    platform
      .callsTo('/cgi-bin/message/send')
      .filter((c) => c.body.touser === user)
      .map((c) =>
        c.body.msgtype === 'template_card' ? JSON.stringify(c.body.template_card) : (c.body.text.content as string),
      );
  const cardsTo = (user: string) =>
    platform
      .callsTo('/cgi-bin/message/send')
      .filter((c) => c.body.touser === user && c.body.msgtype === 'template_card')
      .map((c) => c.body.template_card);
  /** A click on a card button, exactly as WeCom posts it; the passive reply relabels the button. */
  const click = async (from: string, key: string, taskId: string) => {
    const r = await post(
      svc.url,
      wecomPost(
        {
          from,
          msgType: 'event',
          createTime: ts(),
          extra: {
            Event: 'template_card_event',
            EventKey: key,
            TaskId: taskId,
            CardType: 'button_interaction',
            ResponseCode: 'rc-1',
          },
        },
        { timestamp: ts() },
      ),
    );
    return openWecomReply(r.text) as unknown as { MsgType: string; Button: { ReplaceName: string } };
  };
  const mpTo = (user: string) =>
    platform
      .callsTo('/cgi-bin/message/custom/send')
      .filter((c) => c.body.touser === user)
      .map((c) => c.body.text.content as string);

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'staff', {
      platformUrl: platform.url,
      clock,
      env: { MP_TEMPLATE_ID: 'tmpl-ticket-status' },
      config: { organisation: loadOrganisation('config/organisation.json') },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  let threatened = '';

  const mediaThreat =
    'when a resident threatens to go to the media, then the project lead is asked to approve the upgrade in chat';
  it(mediaThreat, async () => {
    threatened = ticketNo(await resident('o-media', '我是王五，1栋1单元101，楼道灯坏了，再不修我就找电视台曝光'));
    const t = await ticket(threatened);
    expect(t.ticket.level).toBe('general');
    expect(t.timeline.find((e: { type: string }) => e.type === 'approval_requested').data.question).toBe(
      '升级为热点事件并通报品质部？',
    );
    await drain();
    const [card] = cardsTo('xm01');
    expect(card).toMatchObject({
      card_type: 'button_interaction',
      main_title: { title: '升级为热点事件并通报品质部？', desc: threatened },
    });
    expect(card.button_list.map((b: { text: string }) => b.text)).toEqual(['批准', '驳回', '转派']);
  });

  const approvalByNotTheLead =
    'when someone who is not the project lead replies 同意, then they are politely refused and nothing changes';
  it(approvalByNotTheLead, async () => {
    expect(await staff('wx01', `同意 ${threatened}`)).toContain('抱歉，您不是幸福里花园的项目负责人');
    expect(await staff('some-resident', `同意 ${threatened}`)).toContain('不能审批');
    const t = await ticket(threatened);
    expect(t.ticket.level).toBe('general');
    expect(t.timeline.some((e: { type: string }) => e.type === 'approved')).toBe(false);
  });

  const leadApproves =
    'when the project lead replies 同意, then the ticket becomes hot, the quality department and the resident are told';
  it(leadApproves, async () => {
    platform.calls.length = 0;
    expect(await staff('xm01', `同意 ${threatened}`)).toContain(`已批准：${threatened}`);
    const t = await ticket(threatened);
    expect(t.ticket.level).toBe('hot');
    expect(t.timeline.find((e: { type: string }) => e.type === 'approved').actor).toBe('wecom:xm01');
    expect(t.deadlines.items.map((d: { kind: string }) => d.kind)).toContain('quality_report');
    await drain();
    expect(wecomTo('pz01').join('\n')).toContain('热点事件报品质部');
    expect(mpTo('o-media').join('\n')).toContain('已升级为热点事件');
    expect(await staff('xm01', `同意 ${threatened}`)).toContain('没有待审批的事项');
  });

  const leadRejects =
    'when the lead rejects an upgrade with a reason, then the level stays and the reason is on the timeline';
  it(leadRejects, async () => {
    const no = ticketNo(await resident('o-sue', '我是赵六，1栋1单元102，门口垃圾没人清，不处理我就起诉你们'));
    expect(await staff('xm01', `驳回 ${no}`)).toContain('需要带上工单号'); // a rejection needs its reason
    expect(await staff('xm01', `驳回 ${no} 垃圾已清理，住户情绪已安抚`)).toContain('已驳回');
    const t = await ticket(no);
    expect(t.ticket.level).toBe('general');
    expect(t.timeline.find((e: { type: string }) => e.type === 'rejected').data.reason).toBe(
      '垃圾已清理，住户情绪已安抚',
    );
  });

  let tap = '';

  const leadTapsApproveOnCard =
    'when the lead taps 批准 on the card, ' +
    'then the button turns into 已批准 and the ticket is upgraded; others cannot tap it';
  it(leadTapsApproveOnCard, async () => {
    const no = ticketNo(await resident('o-card', '我是冯七，1栋1单元103，电梯天天坏，再不修我就打12345投诉'));
    await drain();
    const card = cardsTo('xm01').find((c) => c.main_title.desc === no);
    const approve = card.button_list.find((b: { text: string }) => b.text === '批准').key;
    const denied = await click('wx01', approve, card.task_id);
    expect(denied).toMatchObject({ MsgType: 'update_button', Button: { ReplaceName: '无权审批' } });
    expect((await ticket(no)).ticket.level).toBe('general');
    const done = await click('xm01', approve, card.task_id);
    expect(done).toMatchObject({ MsgType: 'update_button', Button: { ReplaceName: '已批准' } });
    const t = await ticket(no);
    expect(t.ticket.level).toBe('hot');
    expect(t.timeline.find((e: { type: string }) => e.type === 'approved').actor).toBe('wecom:xm01');
    // a repeat click changes nothing
    expect((await click('xm01', approve, card.task_id)).Button.ReplaceName).toBe('已批准');
  });

  const handlerWorksTheTicket =
    'when a handler takes, reaches and completes a ticket, ' +
    'then the resident is told each step and asked to rate on the next working day';
  it(handlerWorksTheTicket, async () => {
    const no = (tap = ticketNo(await resident('o-tap', '我是孙丽，3栋2单元202，厨房水龙头坏了')));
    await resident('o-tap', '跳过');
    platform.calls.length = 0;
    expect(await staff('wx01', '接单')).toContain('需要带上工单号');
    expect(await staff('wx01', `接单 ${no}`)).toContain(`已接单 ${no}`);
    expect(await staff('wx01', `到场 ${no}`)).toContain('已记录到场');
    expect(await staff('wx01', `完成 ${no} 更换了水龙头阀芯`)).toContain(`已完成 ${no}`);
    await drain();
    const told = mpTo('o-tap').join('\n');
    expect(told).toContain('已有师傅接单');
    expect(told).toContain('已到场');
    expect(told).toContain('已处理完毕：更换了水龙头阀芯');
    expect(told).not.toContain('请对本次服务评价'); // not before the next working day
    expect((await ticket(no)).ticket).toMatchObject({
      status: 'resolved',
      handler: 'wx01',
      handlingOpinion: '更换了水龙头阀芯',
    });
    // The photo of the finished work goes on the same ticket.
    const photo = openWecomReply(
      (
        await post(
          svc.url,
          wecomPost(
            {
              from: 'wx01',
              msgType: 'image',
              createTime: ts(),
              extra: { PicUrl: 'http://p/1.jpg', MediaId: 'MEDIA_DONE_1' },
            },
            { timestamp: ts() },
          ),
        )
      ).text,
    ).Content;
    expect(photo).toBe(`照片已附到工单 ${no}。`);
    expect((await ticket(no)).ticket.images).toContain('MEDIA_DONE_1');
    clock.set(new Date('2026-11-24T08:31:00+08:00'));
    await drain();
    expect(mpTo('o-tap').join('\n')).toContain('请对本次服务评价');
  });

  const residentDissatisfied =
    'when the resident answers 不满意, then the ticket reopens as important with the same owner, who is told';
  it(residentDissatisfied, async () => {
    platform.calls.length = 0;
    expect(await resident('o-tap', '不满意')).toContain('已重新打开并升级为重要事件');
    const no = tap;
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({ status: 'open', level: 'important', rating: 'unsatisfied', receiver: 'kf01' });
    expect(t.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['accepted', 'arrived', 'completed', 'rated', 'reopened']),
    );
    await drain();
    expect(wecomTo('kf01').join('\n')).toContain(`【工单重开】${no}`);
    expect(await resident('o-tap', '满意')).toContain('没有待评价的工单');
  });

  const complexPlanApproved =
    'when a handler submits a complex plan, ' +
    'then the lead approves it in chat and the instruction lands on the complaint form';
  it(complexPlanApproved, async () => {
    const no = ticketNo(await resident('o-riser', '我是陈静，3栋1单元505，卫生间立管漏水，楼下也在渗'));
    expect(await staff('wx01', `方案 ${no} 更换整段立管，需停水2小时`)).toContain('等待项目负责人审批');
    await drain();
    expect(cardsTo('xm01').some((c) => c.main_title.title.startsWith('处理方案：更换整段立管'))).toBe(true);
    expect(await staff('wx01', `同意 ${no}`)).toContain('不能审批');
    expect(await staff('xm01', `同意 ${no} 提前一天通知楼上楼下`)).toContain('已批准');
    const t = await ticket(no);
    expect(t.ticket.leaderInstruction).toBe('同意方案「更换整段立管，需停水2小时」：提前一天通知楼上楼下');
    await drain();
    expect(mpTo('o-riser').join('\n')).toContain('处理方案已获批准');
  });

  const ticketTransferred =
    'when a handler transfers a ticket, then the new handler is asked to take it and the resident is told';
  it(ticketTransferred, async () => {
    const no = ticketNo(await resident('o-door', '我是周杰，3栋1单元909，入户门锁坏了'));
    platform.calls.length = 0;
    expect(await staff('wx01', `转派 ${no} wx02`)).toContain(`已将 ${no} 转派给 wx02`);
    await drain();
    expect(wecomTo('wx02').join('\n')).toContain(`请回复"接单 ${no}"`);
    expect((await ticket(no)).ticket.handler).toBe('wx02');
  });

  const residentSilentFor48Hours =
    'when the resident has been silent for over 48 hours, then the notice goes as the configured template message';
  it(residentSilentFor48Hours, async () => {
    const no = ticketNo(await resident('o-quiet', '我是韩梅，3栋2单元303，阳台地漏堵了'));
    // The platform refuses customer-service messages outside the 48-hour window with 45015.
    platform.overrides.push((call) =>
      call.path === '/cgi-bin/message/custom/send' && call.body.touser === 'o-quiet'
        ? { json: { errcode: 45015, errmsg: 'response out of time limit' } }
        : undefined,
    );
    platform.calls.length = 0;
    await staff('wx01', `完成 ${no} 已疏通`);
    await drain();
    const [tpl] = platform.callsTo('/cgi-bin/message/template/send');
    expect(tpl!.body).toMatchObject({
      touser: 'o-quiet',
      template_id: 'tmpl-ticket-status',
      data: { keyword1: { value: no } },
    });
    expect(tpl!.body.data.first.value).toContain('已处理完毕');
    platform.overrides.length = 0;
  });
});
