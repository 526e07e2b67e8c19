// The optional LLM through the real service: only unsure tickets go to it, after the reply, and a failure keeps the
// rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DB_KINDS } from '../support/databases.js';
import { FakeLlm } from '../support/fake-llm.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';
import { openWebChat, webVisitors } from '../support/web-visitor.js';

describe.each(DB_KINDS)('LLM second opinion on %s', (kind) => {
  let svc: Service;
  const llm = new FakeLlm('sk-local');
  const visitors = webVisitors(() => svc.url);
  const say = async (name: string, text: string) => {
    const visitor = await visitors(name);
    const started = performance.now();
    const { replies } = await visitor.say(text);
    return { replies: replies.join('\n'), ms: performance.now() - started };
  };
  const ticket = async (no: string) =>
    json(await fetch(`${svc.url}/api/tickets/${no}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const ticketNo = (reply: string) => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;

  beforeAll(async () => {
    const base = await llm.start();
    svc = await startTestService(kind, 'llm', {
      env: {
        OPENAI_BASE_URL: base,
        OPENAI_API_KEY: 'sk-local',
        OPENAI_MODEL: 'deepseek-chat',
        OPENAI_TIMEOUT_MS: '3000',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await llm.stop();
  });

  const classifierUnsure =
    'when the classifier is unsure, then the ticket is created at once and relabelled later from the LLM answer';
  it(classifierUnsure, async () => {
    llm.behaviours = [
      {
        delayMs: 500,
        answer: {
          kind: 'complaint',
          category: 'service',
          trade: null,
          urgency: 'normal',
          confidence: 0.85,
          reason: '反映的是员工工作质量',
        },
      },
    ];
    const { replies, ms } = await say('visitor-llm-1', '我是李娜，3栋2单元502，你们的人来看过了还是不行');
    expect(ms).toBeLessThan(400); // the reply did not wait for the model
    const no = ticketNo(replies);
    expect(llm.requests).toHaveLength(0);
    while ((await svc.dispatcher.tick()) > 0);
    expect(llm.requests).toHaveLength(1);
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({ kind: 'complaint', category: 'service' });
    expect(t.timeline.find((e: { type: string }) => e.type === 'reclassified').data).toMatchObject({
      changed: true,
      reason: '反映的是员工工作质量',
    });
  });

  const sureFarFromDanger =
    'when the classifier is sure and nothing is near water, power, gas or structure, then the LLM is not asked';
  it(sureFarFromDanger, async () => {
    const before = llm.requests.length;
    await say('visitor-llm-2', '我是王强，3栋1单元101，楼上邻居天天半夜唱歌，吵得睡不着');
    while ((await svc.dispatcher.tick()) > 0);
    expect(llm.requests.length).toBe(before);
  });

  const sureReportNearDanger =
    'when a sure report near danger is not an emergency, then a safety review may raise only its urgency';
  it(sureReportNearDanger, async () => {
    // The rules know this is about a lift but not that someone is trapped; the model also proposes another category.
    llm.behaviours = [
      {
        answer: {
          kind: 'repair',
          category: 'engineering',
          trade: 'water_electric',
          urgency: 'emergency',
          confidence: 0.9,
          reason: '住户母亲被困在电梯里',
        },
      },
    ];
    const no = ticketNo(
      (await say('visitor-llm-4', '我是孙丽，3栋1单元303，电梯坏了，按了没反应，我妈还在里头打电话给我')).replies,
    );
    const rules = (await ticket(no)).ticket;
    expect(rules.urgency).toBe('normal');
    const asked = llm.requests.length;
    while ((await svc.dispatcher.tick()) > 0);
    expect(llm.requests.length).toBe(asked + 1);
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({
      urgency: 'emergency',
      kind: rules.kind,
      category: rules.category,
      trade: rules.trade,
      confidence: rules.confidence,
    });
    expect(t.timeline.find((e: { type: string }) => e.type === 'reclassified').data).toMatchObject({
      changed: true,
      scope: 'urgency',
      fields: ['urgency'],
    });
  });

  const safetyReviewFindsNoEmergency =
    'when the safety review does not find an emergency, then nothing changes, whatever else the model says';
  it(safetyReviewFindsNoEmergency, async () => {
    llm.behaviours = [
      {
        answer: {
          kind: 'complaint',
          category: 'service',
          trade: null,
          urgency: 'normal',
          confidence: 0.9,
          reason: '普通维修',
        },
      },
    ];
    const no = ticketNo((await say('visitor-llm-5', '我是周平，3栋2单元204，厨房水龙头坏了，一直滴水')).replies);
    const rules = (await ticket(no)).ticket;
    while ((await svc.dispatcher.tick()) > 0);
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({ urgency: rules.urgency, kind: rules.kind, category: rules.category });
    expect(t.timeline.find((e: { type: string }) => e.type === 'reclassified').data).toMatchObject({
      changed: false,
      scope: 'urgency',
      reason: '安全复核：大模型未判为紧急',
    });
  });

  it('when the LLM fails, then the rules answer stays and the timeline says so', async () => {
    llm.behaviours = [{ status: 503 }];
    const no = ticketNo((await say('visitor-llm-3', '我是赵敏，3栋1单元707，那个事情到底怎么说')).replies);
    const labelled = (await ticket(no)).ticket;
    while ((await svc.dispatcher.tick()) > 0);
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({ kind: labelled.kind, category: labelled.category });
    expect(t.timeline.find((e: { type: string }) => e.type === 'reclassified').data.changed).toBe(false);
  });
});

describe.each(DB_KINDS)('LLM second opinion finding an emergency on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const llm = new FakeLlm('sk-local');

  beforeAll(async () => {
    const base = await llm.start();
    platform = await new FakePlatform().start();
    // The shipped organisation with its roster, duty officer and project lead, and a managers' group robot.
    const shipped = loadConfig({ CONFIG_DIR: 'config' }).organisation;
    const organisation = {
      ...shipped,
      projects: shipped.projects.map((p) => ({ ...p, alerts: { robotKey: 'robot-key-sos' } })),
    };
    svc = await startTestService(kind, 'llm', {
      platformUrl: platform.url,
      env: {
        OPENAI_BASE_URL: base,
        OPENAI_API_KEY: 'sk-local',
        OPENAI_MODEL: 'deepseek-chat',
        OPENAI_TIMEOUT_MS: '3000',
      },
      config: { organisation },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await llm.stop();
    await platform?.stop();
  });

  const llmSaysEmergency =
    'when the LLM says an unsure report is an emergency, ' +
    "then duty, project lead and the managers' group are told as for any emergency";
  it(llmSaysEmergency, async () => {
    llm.behaviours = [
      {
        answer: {
          kind: 'repair',
          category: 'engineering',
          trade: 'water_electric',
          urgency: 'emergency',
          confidence: 0.9,
          reason: '配电箱冒烟有起火危险',
        },
      },
    ];
    const visitor = await openWebChat(svc.url);
    const { replies } = await visitor.say('我是李娜，3栋2单元502，楼道那个箱子有点怪');
    const no = /工单 (KF-\d{8}-\d{4})/.exec(replies.join('\n'))![1]!;
    const before = await json(
      await fetch(`${svc.url}/api/tickets/${no}`, { headers: { authorization: 'Bearer test-admin-token' } }),
    );
    expect(before.ticket.urgency).not.toBe('emergency');
    while ((await svc.dispatcher.tick()) > 0);
    while ((await svc.dispatcher.tick()) > 0);
    await svc.scheduler.runOnce('robot-alerts');
    const after = await json(
      await fetch(`${svc.url}/api/tickets/${no}`, { headers: { authorization: 'Bearer test-admin-token' } }),
    );
    expect(after.ticket.urgency).toBe('emergency');
    const told = platform
      .callsTo('/cgi-bin/message/send')
      .filter((c) => String(c.body.text?.content ?? '').includes(no));
    const people = new Set(told.map((c) => c.body.touser as string));
    expect(people.has('xm01')).toBe(true); // the project lead
    expect(told.some((c) => String(c.body.text.content).includes('大模型复核判定为紧急'))).toBe(true);
    const group = platform
      .callsTo('/cgi-bin/webhook/send')
      .filter((c) => c.query.key === 'robot-key-sos')
      .map((c) => String(c.body.markdown.content));
    expect(group.some((g) => g.includes(no) && g.includes('紧急'))).toBe(true);
    // The promise becomes the emergency one (30 minutes from the report instead of 120), on the ticket, its response
    // deadline (urgent: alerts at any hour) and in what staff were told.
    const reported = new Date(before.ticket.createdAt as string).getTime();
    expect(new Date(before.ticket.responseDueAt as string).getTime() - reported).toBe(120 * 60_000);
    expect(new Date(after.ticket.responseDueAt as string).getTime() - reported).toBe(30 * 60_000);
    const response = (after.deadlines.items as { kind: string; dueAt: string; urgent: boolean; stage: string }[]).find(
      (d) => d.kind === 'response',
    )!;
    expect(new Date(response.dueAt).getTime()).toBe(reported + 30 * 60_000);
    expect(response).toMatchObject({ urgent: true, stage: 'pending' });
    const due = new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(new Date(reported + 30 * 60_000));
    expect(
      told.some(
        (c) =>
          String(c.body.text.content).includes('大模型复核判定为紧急') && String(c.body.text.content).includes(due),
      ),
    ).toBe(true);
  });
});
