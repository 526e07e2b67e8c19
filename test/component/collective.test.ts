// Collective complaints end to end: many residents report one fault in many wordings, over encrypted callbacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import { mpPost, openMpReply, openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS, testMariadbUrl } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';
import { testClock } from '../support/clock.js';
import { TicketEntity } from '../../src/db/schema.js';
import { webVisitors } from '../support/web-visitor.js';

type Channel = 'mp' | 'wecom' | 'web';

// One broken lift in building 3, as twelve residents put it (Traditional, emoji, colloquial, angry, a repeat).
const LIFT_REPORTS: { who: string; via: Channel; name: string; room: string; says: string }[] = [
  { who: 'r01', via: 'mp', name: '张伟', room: '3栋1单元101', says: '3栋的电梯坏了' },
  { who: 'r02', via: 'wecom', name: '王芳', room: '3棟2單元202', says: '電梯又停了，上下樓很不方便' },
  { who: 'r03', via: 'web', name: '李强', room: '3-1-303', says: '电梯一直不动，按了没反应' },
  { who: 'r04', via: 'mp', name: '刘洋', room: '3栋2单元404', says: '3号楼电梯故障好几天了' },
  { who: 'r05', via: 'mp', name: '陈静', room: '3栋1单元505', says: '电梯门关不上，一直开开关关' },
  { who: 'r06', via: 'wecom', name: '杨磊', room: '3-2-606', says: '电梯坏了😡😡' },
  { who: 'r07', via: 'mp', name: '赵敏', room: '3栋1单元707', says: '电梯停在一楼不动了' },
  { who: 'r08', via: 'mp', name: '黄勇', room: '3-2-808', says: '我们楼的电梯有异响，现在干脆不走了' },
  { who: 'r09', via: 'mp', name: '周杰', room: '3栋1单元909', says: '电梯到现在都不能用，老人爬楼太辛苦' },
  { who: 'r10', via: 'mp', name: '吴婷', room: '3-2-1001', says: '电梯怎么还没修好？' },
  { who: 'r11', via: 'wecom', name: '徐明', room: '3栋1单元1101', says: '電梯壞咗，快啲修' },
];

describe.each(DB_KINDS)('collective complaints on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${svc.url}${path}`, {
      ...init,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json', ...init.headers },
    });
  const visitor = webVisitors(() => svc.url);

  async function say(via: Channel, who: string, text: string): Promise<string> {
    if (via === 'web') return (await (await visitor(who)).say(text)).replies.join('\n\n');
    const r =
      via === 'mp'
        ? await post(svc.url, mpPost({ from: who, text }, 'safe'))
        : await post(svc.url, wecomPost({ from: who, text }));
    expect(r.status).toBe(200);
    return (via === 'mp' ? openMpReply(r.text, 'safe') : openWecomReply(r.text)).Content ?? '';
  }

  /** Problem first, then name and room, then no phone: the resident's own ticket number comes back. */
  async function report(r: (typeof LIFT_REPORTS)[number]): Promise<{ no: string; reply: string }> {
    await say(r.via, r.who, r.says);
    const reply = await say(r.via, r.who, `我是${r.name}，${r.room}`);
    const no = /工单 (KF-\d{8}-\d{4})/.exec(reply)?.[1];
    expect(no, `${r.who}: ${reply}`).toBeDefined();
    await say(r.via, r.who, '跳过');
    return { no: no!, reply };
  }

  const levelOf = async (no: string) =>
    ((await json(await admin(`/api/tickets/${no}`))) as { ticket: { level: string; incidentId: number | null } })
      .ticket;
  const sentTo = (user: string) => platform.callsTo('/cgi-bin/message/send').filter((c) => c.body.touser === user);
  const drain = async () => {
    while ((await svc.dispatcher.tick()) > 0);
  };

  const numbers: string[] = [];

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    // As most operators write it: a mysql:// URL, here pointing at MariaDB (so no MySQL-8-only SQL may slip in).
    const database = kind === 'mariadb' ? { type: 'mysql' as const, url: testMariadbUrl('collective') } : undefined;
    svc = await startTestService(kind, 'collective', {
      platformUrl: platform.url,
      ...(database ? { database } : {}),
      config: { organisation: loadOrganisation('config/organisation.json') },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  it('when one resident reports the lift, then it is an ordinary ticket with no incident', async () => {
    const { no, reply } = await report(LIFT_REPORTS[0]!);
    numbers.push(no);
    expect(reply).not.toContain('位业主反映');
    expect(await levelOf(no)).toMatchObject({ level: 'general', incidentId: null });
  });

  const sameFaultInOtherWords =
    'when a second resident reports the same fault in other words, ' +
    'then both tickets join one incident and the resident is told';
  it(sameFaultInOtherWords, async () => {
    const { no, reply } = await report(LIFT_REPORTS[1]!);
    numbers.push(no);
    expect(reply).toContain('同一问题已有 2 位业主反映');
    const [a, b] = [await levelOf(numbers[0]!), await levelOf(no)];
    expect(a.incidentId).not.toBeNull();
    expect(b.incidentId).toBe(a.incidentId);
  });

  const thirdResidentMakesItHot =
    'when a third resident reports it, ' +
    'then the incident and all its tickets become hot and the quality department is told once';
  it(thirdResidentMakesItHot, async () => {
    const { no } = await report(LIFT_REPORTS[2]!);
    numbers.push(no);
    for (const n of numbers) expect((await levelOf(n)).level).toBe('hot');
    await drain();
    const quality = sentTo('pz01');
    expect(quality).toHaveLength(1);
    expect(quality[0]!.body.text.content).toContain('集体投诉：3 位业主反映同一问题');
    expect(quality[0]!.body.text.content).toContain('热点事件报品质部');
  });

  it('when the same resident reports the fault again, then the head count does not grow', async () => {
    await say('mp', 'r01', '电梯又坏了，什么时候修？');
    await say('mp', 'r01', '是的');
    await say('mp', 'r01', '跳过');
    const incidentId = (await levelOf(numbers[0]!)).incidentId;
    const d = await json(await admin(`/api/incidents/${incidentId}`));
    expect(d.incident.residents).toBe(3);
    expect(d.tickets.length).toBe(4);
  });

  it('when other faults are reported in the same building, then they are not linked to the lift', async () => {
    await say('mp', 'x01', '卫生间天花板漏水');
    const leak = await say('mp', 'x01', '我是钱多多，3栋1单元1201');
    await say('mp', 'x01', '跳过');
    await say('mp', 'x02', '5栋门口的路灯不亮了');
    const lamp = await say('mp', 'x02', '我是孙悟，5栋1单元101');
    for (const reply of [leak, lamp]) {
      const no = /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
      expect((await levelOf(no)).incidentId).toBeNull();
    }
  });

  const liftOfAnotherBuilding =
    'when a resident of another building reports their lift, then it is their own fault, not joined to building 3';
  it(liftOfAnotherBuilding, async () => {
    await say('mp', 'y01', '电梯坏了，一直停在一楼');
    const other = await say('mp', 'y01', '我是吴用，7栋1单元701');
    const no = /工单 (KF-\d{8}-\d{4})/.exec(other)![1]!;
    expect((await levelOf(no)).incidentId).toBeNull();
    expect(other).not.toContain('位业主反映');
  });

  const buildingCorrectedAfterTicket =
    'when a reporter corrects the building after the ticket, then the same fault in the new building joins it';
  it(buildingCorrectedAfterTicket, async () => {
    const first = /工单 (KF-\d{8}-\d{4})/.exec(await say('mp', 'w01', '我是鲁达，4栋1单元401，楼道的声控灯坏了'))![1]!;
    await say('mp', 'w01', '不对，是6栋1单元401');
    await say('mp', 'w01', '跳过');
    const [row] = (await svc.ds.query('SELECT room, building FROM ticket WHERE no = ?', [first])) as {
      room: string;
      building: string;
    }[];
    expect(row).toEqual({ room: '6-1-401', building: '6' });
    const second = await say('mp', 'w02', '我是杨志，6栋2单元602，楼道声控灯不亮了');
    expect(second).toContain('2 位业主反映');
  });

  const estateGateAcrossBuildings =
    'when residents of different buildings report the estate gate barrier, then their tickets are one incident';
  it(estateGateAcrossBuildings, async () => {
    await say('mp', 'g01', '小区门口的道闸抬不起来，车出不去');
    const first = /工单 (KF-\d{8}-\d{4})/.exec(await say('mp', 'g01', '我是秦明，8栋1单元801'))![1]!;
    await say('mp', 'g02', '道闸坏了，车进不来');
    const second = await say('mp', 'g02', '我是林冲，12栋2单元1203');
    expect(second).toContain('2 位业主反映');
    const no = /工单 (KF-\d{8}-\d{4})/.exec(second)![1]!;
    const [a, b] = [await levelOf(first), await levelOf(no)];
    expect(a.incidentId).not.toBeNull();
    expect(a.incidentId).toBe(b.incidentId);
  });

  const tenResidentsMakeItMajor =
    'when ten different residents have reported it, then the incident is major and head office is told at once';
  it(tenResidentsMakeItMajor, async () => {
    for (const r of LIFT_REPORTS.slice(3, 10)) numbers.push((await report(r)).no);
    const incidentId = (await levelOf(numbers[0]!)).incidentId;
    const d = await json(await admin(`/api/incidents/${incidentId}`));
    expect(d.incident).toMatchObject({ residents: 10, level: 'major', status: 'open' });
    for (const n of numbers) expect((await levelOf(n)).level).toBe('major');
    await drain();
    expect(sentTo('zb01')).toHaveLength(1);
    expect(sentTo('zb01')[0]!.body.text.content).toContain('重大事件立即报总部与品质部');
    expect(sentTo('pz01')).toHaveLength(2);
    const detail = await json(await admin(`/api/tickets/${numbers[9]}`));
    expect(
      detail.timeline.some(
        (e: { type: string; data: { level?: string } }) => e.type === 'graded' && e.data.level === 'major',
      ),
    ).toBe(true);
  });

  const resolvedTellsEveryReporter =
    'when the incident is resolved, ' +
    'then every reporter is told on their own channel and the web-chat one is listed as not pushable';
  it(resolvedTellsEveryReporter, async () => {
    numbers.push((await report(LIFT_REPORTS[10]!)).no);
    await drain();
    const incidentId = (await levelOf(numbers[0]!)).incidentId;
    const res = await admin(`/api/incidents/${incidentId}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ resolution: '电梯主板已更换，已恢复运行', by: '工程部王经理' }),
    });
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.notPushable).toEqual([numbers[2]]);
    platform.calls.length = 0;
    await drain();
    const mpSends = platform.callsTo('/cgi-bin/message/custom/send');
    const wecomSends = platform.callsTo('/cgi-bin/message/send');
    expect(new Set(mpSends.map((c) => c.body.touser))).toEqual(
      new Set(['r01', 'r04', 'r05', 'r07', 'r08', 'r09', 'r10']),
    );
    expect(new Set(wecomSends.map((c) => c.body.touser))).toEqual(new Set(['r02', 'r06', 'r11']));
    expect(mpSends.every((c) => c.body.text.content.includes('电梯主板已更换'))).toBe(true);
    for (const n of numbers) expect((await json(await admin(`/api/tickets/${n}`))).ticket.status).toBe('resolved');
    expect(
      (
        await admin(`/api/incidents/${incidentId}/resolve`, {
          method: 'POST',
          body: JSON.stringify({ resolution: '再次办结' }),
        })
      ).status,
    ).toBe(409);
  });

  const sameFaultAfterResolved =
    'when a reporter comes back with the same fault after it was resolved, ' +
    'then the new ticket is important and the 000 §6.5 deduction is recorded';
  it(sameFaultAfterResolved, async () => {
    await say('mp', 'r04', '电梯又坏了，跟上次一样不动了');
    const reply = await say('mp', 'r04', '是的');
    const no = /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
    const d = await json(await admin(`/api/tickets/${no}`));
    expect(d.ticket.level).toBe('important');
    const graded = d.timeline.find((e: { type: string }) => e.type === 'graded');
    expect(graded.data.reasons.join('')).toContain('000 §6.5 扣 4 分');
    expect(graded.data.score).toBe(-4);
  });

  const scanRaisesConcurrentJoins =
    'when concurrent joins left an incident at 3 residents but below hot, then the scheduled scan raises it once';
  it(scanRaisesConcurrentJoins, async () => {
    const first = /工单 (KF-\d{8}-\d{4})/.exec(await say('mp', 'z01', '我是何平，9栋1单元901，单元门坏了关不上'))![1]!;
    await say('mp', 'z01', '跳过');
    const second = await say('mp', 'z02', '我是何安，9栋2单元902，单元门关不上了');
    expect(second).toContain('2 位业主反映');
    const incidentId = (await levelOf(first)).incidentId!;
    // What two joins in concurrent transactions leave behind: the count is right, the raise was judged on 2.
    await svc.ds.query('UPDATE incident SET residents = 3 WHERE id = ?', [incidentId]);
    platform.calls.length = 0;
    await svc.scheduler.runOnce('deadline-scan');
    const d = await json(await admin(`/api/incidents/${incidentId}`));
    expect(d.incident.level).toBe('hot');
    expect((d.tickets as { level: string }[]).every((t) => t.level === 'hot')).toBe(true);
    await drain();
    expect(sentTo('pz01').filter((c) => String(c.body.text.content).includes('热点事件'))).toHaveLength(1);
    await svc.scheduler.runOnce('deadline-scan');
    await drain();
    expect(sentTo('pz01').filter((c) => String(c.body.text.content).includes('热点事件'))).toHaveLength(1);
  });

  const countedResidentPulledInAgain =
    'when a resident already counted is pulled in again through a report of theirs not yet linked, ' +
    'then only the new resident is counted';
  it(countedResidentPulledInAgain, async () => {
    const first = /工单 (KF-\d{8}-\d{4})/.exec(await say('mp', 'a01', '我是齐飞，11栋1单元101，电梯坏了'))![1]!;
    await say('mp', 'a01', '跳过');
    expect(await say('mp', 'a02', '我是齐云，11栋2单元202，电梯又停了')).toContain('2 位业主反映');
    const incidentId = (await levelOf(first)).incidentId!;
    // Fifty newer members from other residents: a01's lift report is no longer among the candidates a new report reads.
    const tickets = svc.ds.getRepository(TicketEntity);
    const model = await tickets.findOneByOrFail({ no: first });
    const { id: _id, ...copy } = model;
    await tickets.insert(
      Array.from({ length: 50 }, (_, i) => ({
        ...copy,
        no: `FILL-${String(i).padStart(4, '0')}`,
        channel: 'web',
        userId: `filler-${i}`,
        createdAt: testClock.now(),
        updatedAt: testClock.now(),
      })),
    );
    await svc.ds.query('UPDATE incident SET residents = residents + 50 WHERE id = ?', [incidentId]);
    // a01 again, in words that match no member (the lift car's buttons), until a03 words it both ways and pulls it in.
    await say('mp', 'a01', '轿厢里的楼层按钮失灵了，按了不亮');
    const own = /工单 (KF-\d{8}-\d{4})/.exec(await say('mp', 'a01', '是的'))![1]!;
    expect((await levelOf(own)).incidentId).toBeNull();
    const joined = await say('mp', 'a03', '我是齐星，11栋1单元303，电梯轿厢里的楼层按钮失灵了，按了不亮');
    expect(joined).toContain('同一问题已有 53 位业主反映');
    expect((await levelOf(own)).incidentId).toBe(incidentId);
    const d = await json(await admin(`/api/incidents/${incidentId}`));
    expect(d.incident.residents).toBe(53);
  });
});
