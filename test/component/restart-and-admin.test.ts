// A restart mid-dialogue resumes where the resident left off; the admin API shows what was recorded.
import { json } from '../support/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { startTestService } from '../support/service.js';
import { testClock } from '../support/clock.js';
import { shanghaiDate } from '../../src/calendar/work-calendar.js';

describe.each(DB_KINDS)('restart and admin API on %s', (kind) => {
  let svc: Service;
  const database = databaseFor(kind, kind === 'mariadb' ? 'restart' : 'x');
  const say = async (from: string, text: string) =>
    openWecomReply((await post(svc.url, wecomPost({ from, text }))).text).Content ?? '';
  const admin = (path: string, token = 'test-admin-token') =>
    fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    svc = await startTestService(kind, 'restart', { database });
  });
  afterAll(async () => svc?.close());

  it('when the service restarts between two answers, then the dialogue resumes and creates the ticket', async () => {
    expect(await say('r_user', '你好，我家厨房下水道堵了')).toContain('怎么称呼');
    expect(await say('r_user', '陈静')).toContain('房号');
    await svc.close();
    svc = await startTestService(kind, 'restart', { database });
    const reply = await say('r_user', '6号楼1202');
    expect(reply).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
    expect(reply).toContain('6-1202 陈静');
  });

  it('when the same resident comes back, then only a confirmation of name and room is asked', async () => {
    await say('r_user', '跳过');
    const ask = await say('r_user', '客厅的插座没电了');
    expect(ask).toContain('6-1202');
    expect(ask).toContain('陈静');
    expect(await say('r_user', '是')).toMatch(/已为您登记工单/);
  });

  it('when the admin lists tickets, then filters and paging work', async () => {
    await say('r_other', '我是2栋1单元301的刘洋，物业费收费太乱了，我们楼有5户都要投诉，再不处理就打12345');
    const all = await json(await admin('/api/tickets?pageSize=2'));
    expect(all.total).toBe(3);
    expect(all.items).toHaveLength(2);
    const page2 = await json(await admin('/api/tickets?pageSize=2&page=2'));
    expect(page2.items).toHaveLength(1);
    const hot = await json(await admin('/api/tickets?level=hot'));
    // Masked like every page people read: the full name is for the console, with a reason.
    expect(hot.items.map((t: { residentName: string }) => t.residentName)).toEqual(['刘*']);
    const byResident = await json(await admin(`/api/tickets?resident=${encodeURIComponent('陈静')}`));
    expect(byResident.total).toBe(2);
    const today = shanghaiDate(testClock.now());
    expect((await json(await admin(`/api/tickets?from=${today}&to=${today}`))).total).toBe(3);
    expect((await json(await admin('/api/tickets?from=2020-01-01&to=2020-01-31'))).total).toBe(0);
    expect((await admin('/api/tickets?level=urgent')).status).toBe(400);
  });

  it('when the admin opens a ticket, then its fields, resident, deadlines and timeline are there', async () => {
    const list = await json(await admin(`/api/tickets?resident=${encodeURIComponent('刘洋')}`));
    const no = list.items[0].no;
    const d = await json(await admin(`/api/tickets/${no}`));
    expect(d.ticket).toMatchObject({
      no,
      room: '2-1-301',
      kind: 'complaint',
      category: 'property',
      level: 'hot',
      status: 'open',
      receiver: 'kf01',
    });
    expect(d.resident).toMatchObject({ name: '刘*', room: '2-1-301' });
    expect(new Date(d.deadlines.responseDueAt).getTime()).toBeGreaterThan(new Date(d.ticket.createdAt).getTime());
    expect(d.ticket.rulePack).toBe('residential');
    expect(d.timeline.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'graded',
      'routed',
      'notified',
      'notified',
    ]);
    expect(d.timeline[1].data.level).toBe('hot');
    // This organisation names nobody in the quality department: the hot-event notice is visible as undelivered.
    expect(d.timeline[3].data).toMatchObject({ rule: '热点事件报品质部', undelivered: 'quality' });
    expect((await admin('/api/tickets/KF-19990101-0001')).status).toBe(404);
  });

  it('when the token is missing or wrong, then 401', async () => {
    expect((await fetch(`${svc.url}/api/tickets`)).status).toBe(401);
    expect((await admin('/api/tickets', 'wrong')).status).toBe(401);
  });

  it('healthz reports the database and the intake queue', async () => {
    const h = await json(await fetch(`${svc.url}/healthz`));
    expect(h).toEqual({ status: 'ok', database: kind, waiting: 0 });
  });
});
