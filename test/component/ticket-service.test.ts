// The ticket use cases driven by actors other than a chat message — a console manager, a handler, an auditor, the
// admin API — through the same code as the WeCom commands: authorisation decided once, the resident told alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import type { Actor } from '../../src/tickets/index.js';
import { mpSay, ticketNoIn } from '../support/callbacks.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { json } from '../support/http.js';
import { startTestService } from '../support/service.js';
import { testClock } from '../support/clock.js';

const manager: Actor = { type: 'console', userId: 'li', roles: ['manager'], projects: ['XFL'] };
const otherProjectHandler: Actor = { type: 'console', userId: 'zhang', roles: ['handler'], projects: ['OTHER'] };
const auditor: Actor = { type: 'console', userId: 'audit', roles: ['auditor'], projects: 'all' };
const linkedHandler: Actor = {
  type: 'console',
  userId: 'wang',
  roles: ['handler'],
  projects: ['XFL'],
  wecomUserId: 'wx01',
};

describe.each(DB_KINDS)('ticket use cases from the console on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  const resident = (from: string, text: string) => mpSay(svc.url, from, text);
  const ticket = async (no: string) =>
    json(await fetch(`${svc.url}/api/tickets/${no}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const ticketNo = ticketNoIn;
  const drain = async () => {
    while ((await svc.dispatcher.tick()) > 0);
  };
  const mpTo = (user: string) =>
    platform
      .callsTo('/cgi-bin/message/custom/send')
      .filter((c) => c.body.touser === user)
      .map((c) => c.body.text.content as string);
  const events = async (no: string, type: string) =>
    (await ticket(no)).timeline.filter((e: { type: string }) => e.type === type);

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'tickets', {
      platformUrl: platform.url,
      config: { organisation: loadOrganisation('config/organisation.json') },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  const managerCorrectsLabels =
    'when a manager corrects the labels, then the ticket changes and the correction is kept for training';
  it(managerCorrectsLabels, async () => {
    const no = ticketNo(await resident('o-cat', '我是赵敏，2栋1单元202，楼道的灯坏了好几天了'));
    const before = (await ticket(no)).ticket;
    expect(before.level).toBe('general');
    const out = await svc.tickets.recategorise(manager, no, { category: 'engineering', level: 'important' });
    expect(out.kind).toBe('done');
    const after = (await ticket(no)).ticket;
    expect(after).toMatchObject({ category: 'engineering', level: 'important' });
    const [fix] = await events(no, 'reclassified');
    expect(fix).toMatchObject({
      actor: 'console:li',
      data: {
        correction: true,
        from_category: before.category,
        category: 'engineering',
        from_level: 'general',
        level: 'important',
      },
    });
    expect((await events(no, 'graded')).some((e: { actor: string }) => e.actor === 'rules')).toBe(true);
  });

  it('when a user of another project or an auditor tries, then nothing changes', async () => {
    const no = ticketNo(await resident('o-deny', '我是钱多，2栋1单元203，垃圾桶满了没人清'));
    const before = (await ticket(no)).ticket;
    expect((await svc.tickets.recategorise(otherProjectHandler, no, { category: 'engineering' })).kind).toBe(
      'not-allowed',
    );
    expect((await svc.tickets.accept(auditor, no)).kind).toBe('not-allowed');
    expect((await svc.tickets.addHandlingNotes(auditor, no, { causeAnalysis: '—' })).kind).toBe('not-allowed');
    const after = (await ticket(no)).ticket;
    expect(after).toMatchObject({ category: before.category, status: 'open', handler: before.handler });
    expect(after.causeAnalysis).toBeNull();
    expect(await events(no, 'reclassified')).toEqual([]);
  });

  it('when a manager writes the handling notes, then the complaint form has them', async () => {
    const no = ticketNo(await resident('o-notes', '我是孙丽，2栋1单元204，物业费收费不透明，我要投诉'));
    const notes = {
      causeAnalysis: '收费公示未及时更新',
      correctiveAction: '本周内更新公示栏',
      handlingOpinion: '已致电解释',
    };
    expect((await svc.tickets.addHandlingNotes(manager, no, notes)).kind).toBe('done');
    expect((await ticket(no)).ticket).toMatchObject(notes);
    const [e] = await events(no, 'updated');
    expect(e).toMatchObject({ actor: 'console:li', data: notes });
  });

  const acceptInConsole =
    'when a handler accepts in the console, then the resident is told exactly as when staff accept in chat';
  it(acceptInConsole, async () => {
    const no = ticketNo(await resident('o-acc', '我是周强，2栋1单元205，厨房水龙头坏了'));
    expect((await svc.tickets.accept(linkedHandler, no)).kind).toBe('done');
    const t = await ticket(no);
    expect(t.ticket).toMatchObject({ status: 'assigned', handler: 'wx01' });
    expect(t.timeline.find((e: { type: string }) => e.type === 'accepted').actor).toBe('console:wang');
    await drain();
    expect(mpTo('o-acc')).toContain(`您的工单 ${no} 已有师傅接单，将尽快与您联系。`);
    // Another project's handler cannot complete it.
    expect((await svc.tickets.complete(otherProjectHandler, no, '')).kind).toBe('not-allowed');
  });

  const approveInConsole =
    'when a manager approves an escalation in the console, then it takes effect and the resident is told';
  it(approveInConsole, async () => {
    const no = ticketNo(await resident('o-appr', '我是吴刚，2栋1单元206，电梯老是坏，再不修我就找电视台曝光'));
    expect((await svc.tickets.decide(auditor, no, true, '')).kind).toBe('not-allowed');
    expect((await ticket(no)).ticket.level).toBe('general');
    const out = await svc.tickets.decide(manager, no, true, '同意升级');
    expect(out).toMatchObject({ kind: 'decided', approved: true });
    const t = await ticket(no);
    expect(t.ticket.level).toBe('hot');
    expect(t.timeline.find((e: { type: string }) => e.type === 'approved')).toMatchObject({
      actor: 'console:li',
      data: { reason: '同意升级' },
    });
    expect((await svc.tickets.decide(manager, no, false, '')).kind).toBe('nothing-pending');
    await drain();
    expect(mpTo('o-appr').some((m) => m.includes('已升级为热点事件'))).toBe(true);
  });

  it('when staff act, then each deadline is met at the moment they acted, not when the scan next looks', async () => {
    const no = ticketNo(await resident('o-met', '我是孙立，2栋1单元208，厨房下水道堵了'));
    const filed = testClock.now();
    const at = (minutes: number) => new Date(filed.getTime() + minutes * 60_000);
    try {
      testClock.set(at(20));
      expect((await svc.tickets.accept({ type: 'staff', userId: 'wx01' }, no)).kind).toBe('done');
      testClock.set(at(140));
      expect((await svc.tickets.complete({ type: 'staff', userId: 'wx01' }, no, '已疏通')).kind).toBe('done');
      testClock.set(at(60 * 24));
      await svc.scheduler.runOnce('deadline-scan');
      const items: { kind: string; stage: string; metAt: string | null }[] = (await ticket(no)).deadlines.items;
      const response = items.find((d) => d.kind === 'response')!;
      expect(response).toMatchObject({ stage: 'met', metAt: at(20).toISOString() });
      const resolution = items.filter((d) => !['response', 'lead_report', 'callback'].includes(d.kind));
      expect(resolution.length).toBeGreaterThan(0);
      for (const d of resolution) expect(d).toMatchObject({ stage: 'met', metAt: at(140).toISOString() });
      // The callback is still owed: nobody has rated yet.
      expect(items.find((d) => d.kind === 'callback')).toMatchObject({ metAt: null });
    } finally {
      testClock.set(filed);
    }
  });
});
