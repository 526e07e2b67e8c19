// The month's KPIs from the real service's own rows: tickets filed over the Official Account, worked by staff through
// the ticket use cases at moments the test clock is moved to, rated in the chat, then loaded (db/kpi-queries.ts) and
// computed (kpi/) on the project's working calendar — on SQLite and on MariaDB.
//
// November 2026, project XFL (08:30–12:00, 13:30–17:30; 1,860 households in config/organisation.json), with one
// ticket of October before it:
//   Z  Wed 28 Oct 10:00  E's resident, the same problem as E; accepted 10:30, done Thu 29 Oct 10:00
//   A  Wed 18 Nov 10:00  accepted 10:20, done 14:00, 满意
//   B  Wed 18 Nov 10:00  accepted 13:00 (due 12:00: late), done Mon 23 Nov 09:00, 不满意 → reopened 09:10,
//                        done again 09:30
//   C  Wed 18 Nov 10:00  a complaint, routed to hj01, nobody acts on it
//   E  Wed 18 Nov 10:00  Z's resident again, the same problem; accepted 10:05, done 11:00, not rated
//   D  Fri 20 Nov 10:00  A's resident with the same problem again; accepted 10:30
// The figures are taken on Mon 23 Nov 10:00.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar, loadCalendarConfig } from '../../src/config/calendar-file.js';
import { loadOrganisation } from '../../src/config/load-config.js';
import { createKpiQueries } from '../../src/db/kpi-queries.js';
import { computeMonthKpis, kpiOptions, type MonthKpis } from '../../src/kpi/index.js';
import type { Service } from '../../src/service.js';
import type { Actor } from '../../src/tickets/index.js';
import { mpSay, ticketNoIn } from '../support/callbacks.js';
import { TEST_NOW, testClock } from '../support/clock.js';
import { DB_KINDS } from '../support/databases.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';

const organisation = loadOrganisation('config/organisation.json');
const staff: Actor = { type: 'staff', userId: 'wx01' };
const at = (s: string) => new Date(`${s}+08:00`);
const hours = (minutes: number) => minutes / 60;

describe.each(DB_KINDS)('the month KPIs from the service on %s', (kind) => {
  let svc: Service;
  let platform: FakePlatform;
  let kpis: MonthKpis;
  let october: MonthKpis;
  const no: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'Z', string> = { A: '', B: '', C: '', D: '', E: '', Z: '' };
  /** The figure's tickets as the letters above. */
  const letters = (ids: number[], of = kpis) =>
    ids.map((id) => Object.entries(no).find(([, n]) => n === of.ticketNos[id])?.[0] ?? `#${id}`).sort();
  const work = async (when: string, act: () => Promise<{ kind: string }>) => {
    testClock.set(at(when));
    expect((await act()).kind).toBe('done');
  };
  const say = async (when: string, user: string, text: string) => {
    testClock.set(at(when));
    return mpSay(svc.url, user, text);
  };

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService(kind, 'kpi', { platformUrl: platform.url, config: { organisation } });
    try {
      expect(TEST_NOW).toEqual(at('2026-11-18T10:00'));
      no.Z = ticketNoIn(
        await say('2026-10-28T10:00', 'o-kpi-e', '我是周强，9栋1单元101，电话13812340004，楼道的灯坏了'),
      );
      await work('2026-10-28T10:30', () => svc.tickets.accept(staff, no.Z));
      await work('2026-10-29T10:00', () => svc.tickets.complete(staff, no.Z, '换了灯管'));
      no.A = ticketNoIn(
        await say('2026-11-18T10:00', 'o-kpi-a', '我是赵敏，2栋1单元202，电话13812340001，厨房水龙头坏了'),
      );
      no.B = ticketNoIn(
        await say('2026-11-18T10:00', 'o-kpi-b', '我是钱多，5栋1单元203，电话13812340002，卫生间天花板漏水'),
      );
      no.C = ticketNoIn(
        await say('2026-11-18T10:00', 'o-kpi-c', '我是孙丽，7栋1单元204，电话13812340003，物业费收费不透明，我要投诉'),
      );
      no.E = ticketNoIn(
        await say('2026-11-18T10:00', 'o-kpi-e', '我是周强，9栋1单元101，电话13812340004，楼道的灯坏了'),
      );
      await work('2026-11-18T10:05', () => svc.tickets.accept(staff, no.E));
      await work('2026-11-18T10:20', () => svc.tickets.accept(staff, no.A));
      await work('2026-11-18T11:00', () => svc.tickets.complete(staff, no.E, '换了灯管'));
      await work('2026-11-18T13:00', () => svc.tickets.accept(staff, no.B));
      await work('2026-11-18T14:00', () => svc.tickets.complete(staff, no.A, '换了阀芯'));
      expect(await say('2026-11-18T14:10', 'o-kpi-a', '满意')).toContain('感谢');
      no.D = ticketNoIn(await say('2026-11-20T10:00', 'o-kpi-a', '我是赵敏，2栋1单元202，厨房水龙头又坏了'));
      await work('2026-11-20T10:30', () => svc.tickets.accept(staff, no.D));
      await work('2026-11-23T09:00', () => svc.tickets.complete(staff, no.B, '修好了'));
      expect(await say('2026-11-23T09:10', 'o-kpi-b', '不满意')).toContain('已重新打开');
      await work('2026-11-23T09:30', () => svc.tickets.complete(staff, no.B, '重新修好了'));
      testClock.set(at('2026-11-23T10:00'));
      const queries = createKpiQueries(svc.ds);
      const projects = new Map(organisation.projects.map((p) => [p.code, p]));
      const calendar = loadCalendarConfig('config/calendar.json');
      const calendarOf = (p: string) => buildCalendar(calendar, projects.get(p));
      const options = kpiOptions(organisation, calendarOf, testClock.now());
      kpis = computeMonthKpis(await queries.monthFacts('2026-11', testClock.now()), options);
      october = computeMonthKpis(await queries.monthFacts('2026-10', testClock.now()), options);
    } finally {
      testClock.set(TEST_NOW);
    }
  });
  afterAll(async () => {
    await svc?.close();
    await platform?.stop();
  });

  it('when tickets are filed and worked, then the month counts them and the on-time rates', () => {
    const all = kpis.all;
    expect(letters(all.filed.tickets)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(all.cancelled.count).toBe(0);
    expect(letters(all.completed.tickets)).toEqual(['A', 'B', 'E']);
    // kept: A (10:20 ≤ 12:00), D (10:30 ≤ 12:00), E (10:05); late: B (13:00), C (never, due 12:00) → 3 of 5 = 60 %
    expect(all.responseOnTime).toMatchObject({ numerator: 3, denominator: 5, rate: 0.6 });
    expect(letters(all.responseOnTime.misses)).toEqual(['B', 'C']);
    // A, B (first done Mon 09:00), E done long before their tightest due (upgrade to hot after 7 days: Wed 25 Nov);
    // C and D not due yet → 3 of 3
    expect(all.resolutionOnTime).toMatchObject({ numerator: 3, denominator: 3, rate: 1 });
  });

  it('when staff act over the lunch break and the weekend, then the times are working hours', () => {
    const all = kpis.all;
    // response: A 20 min, B 10:00→12:00 = 120 (13:00 is in the lunch break), D 30, E 5 → mean 175 / 4 = 43.75 min;
    // sorted 5 20 | 30 120 → median 25 min
    expect(all.responseHours.count).toBe(4);
    expect(all.responseHours.meanHours).toBeCloseTo(hours(43.75), 10);
    expect(all.responseHours.medianHours).toBeCloseTo(hours(25), 10);
    // resolution: E 60 min; A 10:00→12:00 + 13:30→14:00 = 150; B Wed 10:00→17:30 (360) + Thu (450) + Fri (450) +
    // Mon 08:30→09:30 (60) = 1320, to its last completion → mean 1530 / 3 = 510 min = 8.5 h, median 150 min = 2.5 h
    expect(letters(all.resolutionHours.tickets)).toEqual(['A', 'B', 'E']);
    expect(all.resolutionHours.meanHours).toBeCloseTo(8.5, 10);
    expect(all.resolutionHours.medianHours).toBeCloseTo(2.5, 10);
  });

  it('when a resident comes back or is not satisfied, then the fix did not hold the first time', () => {
    const all = kpis.all;
    // A: its resident filed D on the same problem two days after A was done; B: reopened; E held → 1 of 3
    expect(all.firstTimeFix).toMatchObject({ numerator: 1, denominator: 3 });
    expect(letters(all.firstTimeFix.misses)).toEqual(['A', 'B']);
    // D: A's resident two days after A; E: Z's resident, 21 days after Z (a report of October)
    expect(letters(all.repeatComplaints.tickets)).toEqual(['D', 'E']);
    // rated: A 满意, B 不满意; E not → callbacks 2 of 3, satisfied 1 of 2
    expect(all.callback).toMatchObject({ numerator: 2, denominator: 3 });
    expect(letters(all.satisfaction.satisfied.tickets)).toEqual(['A']);
    expect(letters(all.satisfaction.unsatisfied.tickets)).toEqual(['B']);
    expect(all.satisfaction.rate).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 });
  });

  it('when a complaint is filed, then the rate per household uses the configured households', () => {
    const all = kpis.all;
    // C is the one complaint; XFL has 1,860 households (the only project) → 1 / 1860
    expect(letters(all.complaintsPerHousehold.complaints.tickets)).toEqual(['C']);
    expect(all.complaintsPerHousehold).toMatchObject({ households: 1860, rate: 1 / 1860 });
    expect(all.collective).toMatchObject({ count: 0, residents: 0 });
    // By handler: wx01 took A, B, D and E; C was routed to hj01 (environment, on duty), who never acted.
    expect(letters(kpis.by.handler.wx01!.filed.tickets)).toEqual(['A', 'B', 'D', 'E']);
    expect(letters(kpis.by.handler.hj01!.filed.tickets)).toEqual(['C']);
    expect(kpis.by.handler.hj01!.responseOnTime).toMatchObject({ numerator: 0, denominator: 1 });
    expect(kpis.by.project.XFL!.filed.count).toBe(5);
  });

  it("when a resident comes back in the next month, then last month's fix did not hold", () => {
    // October holds Z alone; E (18 Nov, same resident and problem) came 20 days after Z was done → 0 of 1
    expect(letters(october.all.filed.tickets, october)).toEqual(['Z']);
    expect(october.all.firstTimeFix).toMatchObject({ numerator: 0, denominator: 1 });
    // Wed 28 Oct 10:00→12:00 (120) + 13:30→17:30 (240) + Thu 08:30→10:00 (90) = 450 min = 7.5 h
    expect(october.all.resolutionHours).toMatchObject({ count: 1, meanHours: 7.5 });
    expect(october.all.responseOnTime).toMatchObject({ numerator: 1, denominator: 1 });
  });
});
