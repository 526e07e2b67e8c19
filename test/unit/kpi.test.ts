// A hand-made month's KPIs: October 2026 (国庆 1–7 Oct off, Saturday 10 Oct worked as 调休), eleven tickets in two
// projects. Every expected number is written out with its arithmetic.
//
// XFL works 08:30–12:00 and 13:30–17:30 (450 minutes a day); YHY 09:00–18:00 (540 minutes). Households: XFL 800,
// YHY 500. The figures are taken on Tue 3 Nov 12:00.
//
// | id | project | kind / category / trade       | level     | handler | resident | filed, then
// |  1 | XFL     | repair engineering water_elec | general   | wx01    | mp:a     | Wed 14 Oct 10:00; acted 10:30; done
// |    |         |                               |           |         |          | Thu 15 Oct 10:00; 满意
// |  2 | XFL     | complaint property –          | general   | kf01    | mp:b     | Fri 16 Oct 16:00; acted Mon 19 Oct
// |    |         |                               |           |         |          | 09:00 (late); done 11:00; 一般
// |  3 | XFL     | repair engineering water_elec | important | wx01    | mp:a     | Tue 20 Oct 09:00; acted 09:30; done
// |    |         |                               |           |         |          | Wed 21 Oct 09:00; 满意
// |  4 | XFL     | repair engineering water_elec | general   | wx02    | wx:c     | Sat 3 Oct 20:00 (国庆, emergency);
// |    |         |                               |           |         |          | acted 20:20; done Sun 18:00; 满意
// |  5 | XFL     | repair engineering doors_win  | important | wx01    | web:d    | Fri 9 Oct 17:00; acted Sat (调休)
// |    |         |                               |           |         |          | 09:00 (late); done Mon 12th 09:00;
// |    |         |                               |           |         |          | 不满意 → reopened, open again
// |  6 | XFL     | inquiry property –            | general   | kf01    | mp:e     | Mon 12 Oct 11:00; answered (done)
// |    |         |                               |           |         |          | 11:10; not rated
// |  7 | XFL     | complaint property –          | general   | –       | mp:b     | Mon 26 Oct 10:00; nobody acted;
// |    |         |                               |           |         |          | incident 2
// |  8 | XFL     | repair engineering fitout     | general   | –       | mp:f     | Tue 20 Oct 11:00; withdrawn
// |  9 | YHY     | repair property –             | hot       | ba01    | mp:g     | Thu 22 Oct 17:00; acted 17:30; done
// |    |         |                               |           |         |          | Mon 26 Oct 10:00; 满意; incident 1
// | 10 | YHY     | repair property –             | hot       | ba01    | mp:h     | Fri 23 Oct 09:00; acted 12:00
// |    |         |                               |           |         |          | (late); done Mon 26 Oct 10:00;
// |    |         |                               |           |         |          | incident 1
// | 11 | YHY     | complaint service –           | general   | –       | wx:i     | Sat 31 Oct 10:00; acted Mon 2 Nov
// |    |         |                               |           |         |          | 09:30 (late)
//
// Before and after the month: mp:g reported a property repair on 25 Sep (27 days before #9: a repeat); mp:h on 1 Sep
// (52 days before #10: not); wx:c an engineering *civil* repair on 2 Nov (a different trade from #4: its fix held).
import { describe, expect, it } from 'vitest';
import { buildCalendar, loadCalendarConfig } from '../../src/config/calendar-file.js';
import {
  computeMonthKpis,
  formatHours,
  formatPercent,
  formatPerMille,
  type IncidentFacts,
  type KpiOptions,
  kpiOptions,
  type MonthFacts,
  monthRange,
  type ProblemFiling,
  type TicketFacts,
} from '../../src/kpi/index.js';

const at = (s: string) => new Date(`${s}+08:00`);
const companyCalendar = loadCalendarConfig('/nonexistent/calendar.json');
const calendars = {
  XFL: buildCalendar(companyCalendar),
  YHY: buildCalendar(companyCalendar, { workingHours: [['09:00', '18:00']] }),
};
const households: Record<string, number> = { XFL: 800, YHY: 500 };
const options: KpiOptions = {
  calendarOf: (p) => calendars[p as keyof typeof calendars],
  households: (p) => households[p],
  projects: ['XFL', 'YHY'],
  asOf: at('2026-11-03T12:00'),
};

let seq = 0;
function ticket(o: Partial<TicketFacts> & Pick<TicketFacts, 'projectCode' | 'createdAt'>): TicketFacts {
  const id = ++seq;
  const day = new Date(o.createdAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return {
    id,
    no: `${o.projectCode === 'XFL' ? 'KF' : 'YH'}-${day}-${String(id).padStart(4, '0')}`,
    kind: 'repair',
    category: 'engineering',
    trade: 'water_electric',
    level: 'general',
    status: 'resolved',
    handler: null,
    resident: `mp:${id}`,
    completedAt: null,
    rating: null,
    reopened: false,
    response: null,
    resolution: null,
    incidentId: null,
    ...o,
  };
}
const due = (dueAt: string, metAt: string | null) => ({ dueAt: at(dueAt), metAt: metAt ? at(metAt) : null });

const tickets: TicketFacts[] = [
  ticket({
    projectCode: 'XFL',
    handler: 'wx01',
    resident: 'mp:a',
    createdAt: at('2026-10-14T10:00'),
    response: due('2026-10-14T12:00', '2026-10-14T10:30'),
    resolution: due('2026-10-21T17:30', '2026-10-15T10:00'),
    completedAt: at('2026-10-15T10:00'),
    rating: 'satisfied',
  }),
  ticket({
    projectCode: 'XFL',
    kind: 'complaint',
    category: 'property',
    trade: null,
    handler: 'kf01',
    resident: 'mp:b',
    createdAt: at('2026-10-16T16:00'),
    response: due('2026-10-16T18:00', '2026-10-19T09:00'),
    resolution: due('2026-10-23T17:30', '2026-10-19T11:00'),
    completedAt: at('2026-10-19T11:00'),
    rating: 'neutral',
  }),
  ticket({
    projectCode: 'XFL',
    level: 'important',
    handler: 'wx01',
    resident: 'mp:a',
    createdAt: at('2026-10-20T09:00'),
    response: due('2026-10-20T11:00', '2026-10-20T09:30'),
    resolution: due('2026-10-27T17:30', '2026-10-21T09:00'),
    completedAt: at('2026-10-21T09:00'),
    rating: 'satisfied',
  }),
  ticket({
    projectCode: 'XFL',
    handler: 'wx02',
    resident: 'wx:c',
    createdAt: at('2026-10-03T20:00'),
    response: due('2026-10-03T20:30', '2026-10-03T20:20'),
    resolution: due('2026-10-04T20:00', '2026-10-04T18:00'),
    completedAt: at('2026-10-04T18:00'),
    rating: 'satisfied',
  }),
  ticket({
    projectCode: 'XFL',
    trade: 'doors_windows',
    level: 'important',
    status: 'open',
    handler: 'wx01',
    resident: 'web:d',
    createdAt: at('2026-10-09T17:00'),
    response: due('2026-10-09T19:00', '2026-10-10T09:00'),
    resolution: due('2026-10-15T17:30', '2026-10-12T09:00'),
    rating: 'unsatisfied',
    reopened: true,
  }),
  ticket({
    projectCode: 'XFL',
    kind: 'inquiry',
    category: 'property',
    trade: null,
    handler: 'kf01',
    resident: 'mp:e',
    createdAt: at('2026-10-12T11:00'),
    response: due('2026-10-12T13:00', '2026-10-12T11:10'),
    completedAt: at('2026-10-12T11:10'),
  }),
  ticket({
    projectCode: 'XFL',
    kind: 'complaint',
    category: 'property',
    trade: null,
    status: 'open',
    resident: 'mp:b',
    createdAt: at('2026-10-26T10:00'),
    response: due('2026-10-26T12:00', null),
    resolution: due('2026-11-02T17:30', null),
    incidentId: 2,
  }),
  ticket({
    projectCode: 'XFL',
    trade: 'fitout',
    status: 'cancelled',
    resident: 'mp:f',
    createdAt: at('2026-10-20T11:00'),
    response: due('2026-10-20T13:00', null),
    resolution: due('2026-10-27T17:30', null),
  }),
  ticket({
    projectCode: 'YHY',
    category: 'property',
    trade: null,
    level: 'hot',
    handler: 'ba01',
    resident: 'mp:g',
    createdAt: at('2026-10-22T17:00'),
    response: due('2026-10-22T19:00', '2026-10-22T17:30'),
    resolution: due('2026-10-27T18:00', '2026-10-26T10:00'),
    completedAt: at('2026-10-26T10:00'),
    rating: 'satisfied',
    incidentId: 1,
  }),
  ticket({
    projectCode: 'YHY',
    category: 'property',
    trade: null,
    level: 'hot',
    handler: 'ba01',
    resident: 'mp:h',
    createdAt: at('2026-10-23T09:00'),
    response: due('2026-10-23T11:00', '2026-10-23T12:00'),
    resolution: due('2026-10-28T18:00', '2026-10-26T10:00'),
    completedAt: at('2026-10-26T10:00'),
    incidentId: 1,
  }),
  ticket({
    projectCode: 'YHY',
    kind: 'complaint',
    category: 'service',
    trade: null,
    status: 'assigned',
    resident: 'wx:i',
    createdAt: at('2026-10-31T10:00'),
    response: due('2026-10-31T12:00', '2026-11-02T09:30'),
    resolution: due('2026-11-06T18:00', null),
  }),
];

const incident = (o: Partial<IncidentFacts> & Pick<IncidentFacts, 'id' | 'projectCode'>): IncidentFacts => ({
  category: 'property',
  trade: null,
  level: 'general',
  residents: 2,
  status: 'open',
  createdAt: at('2026-10-23T09:00'),
  ...o,
});
const incidents = [
  incident({ id: 1, projectCode: 'YHY', level: 'hot', residents: 3, status: 'resolved' }),
  incident({ id: 2, projectCode: 'XFL', createdAt: at('2026-10-26T10:00') }),
];

const filing = (o: Omit<ProblemFiling, 'kind'>): ProblemFiling => ({ kind: 'repair', ...o });
const history = [
  filing({ id: 101, resident: 'mp:g', category: 'property', trade: null, createdAt: at('2026-09-25T10:00') }),
  filing({ id: 102, resident: 'mp:h', category: 'property', trade: null, createdAt: at('2026-09-01T10:00') }),
  filing({ id: 103, resident: 'wx:c', category: 'engineering', trade: 'civil', createdAt: at('2026-11-02T10:00') }),
];

const facts: MonthFacts = { month: '2026-10', ...monthRange('2026-10'), tickets, incidents, history };
const kpis = computeMonthKpis(facts, options);
const hours = (minutes: number) => minutes / 60;

describe('the month as a whole', () => {
  const all = kpis.all;

  it('counts the tickets filed, withdrawn and done', () => {
    // all eleven; #8 withdrawn (and out of every other figure); done at least once: #1–#6, #9, #10 (#5 reopened since)
    expect(all.filed).toEqual({ count: 11, tickets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
    expect(all.cancelled).toEqual({ count: 1, tickets: [8] });
    expect(all.completed).toEqual({ count: 8, tickets: [1, 2, 3, 4, 5, 6, 9, 10] });
  });

  it('rates the responses kept on time', () => {
    // kept: #1 (10:30 ≤ 12:00), #3, #4, #6, #9; late: #2, #5, #10, #11; #7 never answered and due long ago
    // → 5 of 10 = 50 %
    expect(all.responseOnTime).toEqual({
      numerator: 5,
      denominator: 10,
      rate: 0.5,
      hits: [1, 3, 4, 6, 9],
      misses: [2, 5, 7, 10, 11],
    });
  });

  it('rates the resolutions kept on time, leaving out the pending and those without a resolution deadline', () => {
    // kept: #1, #2, #3, #4, #5 (first done Mon 12 Oct, due Thu 15 Oct), #9, #10; missed: #7 (due 2 Nov, open);
    // #6 (an inquiry) has no resolution deadline; #11 is due 6 Nov, after the figures are taken
    // → 7 of 8 = 87.5 %
    expect(all.resolutionOnTime).toMatchObject({ numerator: 7, denominator: 8, rate: 0.875, misses: [7] });
    expect(all.resolutionOnTime.hits).toEqual([1, 2, 3, 4, 5, 9, 10]);
  });

  it('measures the response time in working hours', () => {
    // #1 Wed 10:00→10:30 = 30 min; #2 Fri 16:00→17:30 (90) + Mon 08:30→09:00 (30) = 120 across the weekend;
    // #3 30; #4 filed and answered on 国庆 = 0; #5 Fri 17:00→17:30 (30) + 调休 Sat 08:30→09:00 (30) = 60; #6 10;
    // #9 (YHY) 30; #10 Fri 09:00→12:00 = 180; #11 Sat (0) + Mon 09:00→09:30 = 30; #7 none.
    // 9 tickets, 490 minutes → mean 490 / 9 = 54.4 min = 0.91 h; sorted 0 10 30 30 [30] 30 60 120 180 → median 0.5 h
    expect(all.responseHours.count).toBe(9);
    expect(all.responseHours.tickets).toEqual([1, 2, 3, 4, 5, 6, 9, 10, 11]);
    expect(all.responseHours.meanHours).toBeCloseTo(hours(490 / 9), 10);
    expect(all.responseHours.medianHours).toBe(0.5);
  });

  it('measures the resolution time in working hours, over weekends and holidays', () => {
    // #1 Wed 10:00→12:00 (120) + 13:30→17:30 (240) + Thu 08:30→10:00 (90) = 450 min
    // #2 Fri 16:00→17:30 (90) + Mon 08:30→11:00 (150) = 240;  #3 Tue 09:00→ (180 + 240) + Wed →09:00 (30) = 450
    // #4 国庆 = 0;  #6 10;  #9 YHY Thu 17:00→18:00 (60) + Fri (540) + Mon 09:00→10:00 (60) = 660
    // #10 Fri (540) + Mon (60) = 600;  #5 reopened, not done now: none
    // 7 tickets, 2410 minutes → mean 344.3 min = 5.74 h; sorted 0 10 240 [450] 450 600 660 → median 7.5 h
    expect(all.resolutionHours).toMatchObject({ count: 7, medianHours: 7.5, tickets: [1, 2, 3, 4, 6, 9, 10] });
    expect(all.resolutionHours.meanHours).toBeCloseTo(hours(2410 / 7), 10);
  });

  it('rates the first-time fixes', () => {
    // of the 8 done: #1 missed (mp:a back on the same problem, #3, 5 days after it was done); #2 missed (mp:b back,
    // #7, 7 days after); #5 missed (reopened); #3, #6, #9, #10 held; #4 held (wx:c came back about *civil* work,
    // another trade) → 5 of 8 = 62.5 %
    expect(all.firstTimeFix).toEqual({
      numerator: 5,
      denominator: 8,
      rate: 0.625,
      hits: [3, 4, 6, 9, 10],
      misses: [1, 2, 5],
    });
  });

  it('rates the callbacks and the satisfaction', () => {
    // of the 8 done, rated: #1 #2 #3 #4 #5 #9; not: #6 #10 → 6 of 8 = 75 %
    expect(all.callback).toMatchObject({ numerator: 6, denominator: 8, rate: 0.75, misses: [6, 10] });
    // 满意 #1 #3 #4 #9, 一般 #2, 不满意 #5 → 4 of 6 rated = 66.7 %
    const s = all.satisfaction;
    expect([s.satisfied, s.neutral, s.unsatisfied]).toEqual([
      { count: 4, tickets: [1, 3, 4, 9] },
      { count: 1, tickets: [2] },
      { count: 1, tickets: [5] },
    ]);
    expect(s.rate).toMatchObject({ numerator: 4, denominator: 6, hits: [1, 3, 4, 9], misses: [2, 5] });
    expect(formatPercent(s.rate.rate)).toBe('66.7%');
  });

  it('finds the repeat complaints', () => {
    // #3 (mp:a, #1 six days before), #7 (mp:b, #2 ten days before), #9 (mp:g, 25 Sep: 27 days before);
    // not #10 (mp:h, 52 days before), nor #8 (withdrawn) → 3
    expect(all.repeatComplaints).toEqual({ count: 3, tickets: [3, 7, 9] });
  });

  it('counts the collective incidents and their head counts by level', () => {
    // incident 1 (YHY, hot, 3 residents: #9 #10 and one from September), incident 2 (XFL, general, 2: #7 and one
    // from September) → 2 incidents, 3 + 2 = 5 residents
    expect(all.collective).toEqual({
      count: 2,
      residents: 5,
      incidents: [1, 2],
      byLevel: {
        hot: { count: 1, residents: 3, incidents: [1] },
        general: { count: 1, residents: 2, incidents: [2] },
      },
      tickets: [7, 9, 10],
    });
  });

  it('divides the complaints by the occupied households', () => {
    // complaints #2 #7 #11 = 3; households 800 + 500 = 1300 → 3 / 1300 = 2.3‰
    expect(all.complaintsPerHousehold).toMatchObject({ complaints: { count: 3 }, households: 1300 });
    expect(all.complaintsPerHousehold.rate).toBeCloseTo(3 / 1300, 12);
    expect(formatPerMille(all.complaintsPerHousehold.rate)).toBe('2.3‰');
  });

  it('gives each ticket number for the drill-down', () => {
    expect(kpis.ticketNos[1]).toBe('KF-20261014-0001');
    expect(kpis.ticketNos[11]).toBe('YH-20261031-0011');
    expect(Object.keys(kpis.ticketNos)).toHaveLength(11);
    expect([kpis.month, kpis.from, kpis.to]).toEqual(['2026-10', at('2026-10-01T00:00'), at('2026-11-01T00:00')]);
  });
});

describe('the month by group', () => {
  it('by project, on its own calendar and households', () => {
    const { XFL, YHY } = kpis.by.project;
    // XFL #1–#8: responses kept #1 #3 #4 #6, late #2 #5 #7 → 4 of 7; resolutions kept #1–#5, missed #7 → 5 of 6
    expect(XFL!.filed.count).toBe(8);
    expect(XFL!.responseOnTime).toMatchObject({ numerator: 4, denominator: 7 });
    expect(XFL!.resolutionOnTime).toMatchObject({ numerator: 5, denominator: 6 });
    // first-time fix: held #3 #4 #6, not #1 #2 #5 → 3 of 6 = 50 %
    expect(XFL!.firstTimeFix).toMatchObject({ numerator: 3, denominator: 6, rate: 0.5 });
    // complaints #2 #7 of 800 households = 2.5‰; incident 2 only
    expect(XFL!.complaintsPerHousehold).toMatchObject({ households: 800, rate: 2 / 800 });
    expect(XFL!.collective).toMatchObject({ count: 1, residents: 2, incidents: [2], tickets: [7] });
    // YHY #9–#11: responses kept #9, late #10 #11 → 1 of 3; resolutions #9 #10 kept, #11 pending → 2 of 2
    expect(YHY!.responseOnTime).toMatchObject({ numerator: 1, denominator: 3, hits: [9], misses: [10, 11] });
    expect(YHY!.resolutionOnTime).toMatchObject({ numerator: 2, denominator: 2, rate: 1 });
    // response 30, 180, 30 min → mean 80 min = 1.33 h, median 0.5 h; resolution 660, 600 → mean = median = 10.5 h
    expect(YHY!.responseHours.meanHours).toBeCloseTo(hours(80), 10);
    expect(YHY!.responseHours.medianHours).toBe(0.5);
    expect(YHY!.resolutionHours).toMatchObject({ count: 2, meanHours: 10.5, medianHours: 10.5 });
    expect(formatHours(YHY!.resolutionHours.meanHours)).toBe('10.5 小时');
    // complaint #11 of 500 households = 2‰; incident 1: 3 residents, hot
    expect(YHY!.complaintsPerHousehold).toMatchObject({ households: 500, rate: 1 / 500 });
    expect(YHY!.collective).toMatchObject({ count: 1, residents: 3, byLevel: { hot: { count: 1 } } });
  });

  it('by handler, with the unassigned tickets under ""', () => {
    const { wx01, kf01, wx02, ba01, '': nobody } = kpis.by.handler;
    expect(Object.keys(kpis.by.handler).sort()).toEqual(['', 'ba01', 'kf01', 'wx01', 'wx02']);
    // wx01 #1 #3 #5: responses kept #1 #3, late #5 → 2 of 3; first-time fix held #3, not #1 #5 → 1 of 3
    expect(wx01!.responseOnTime).toMatchObject({ numerator: 2, denominator: 3, misses: [5] });
    expect(wx01!.firstTimeFix).toMatchObject({ numerator: 1, denominator: 3, hits: [3], misses: [1, 5] });
    // kf01 #2 #6: callbacks rated #2, not #6 → 1 of 2
    expect(kf01!.callback).toMatchObject({ numerator: 1, denominator: 2, hits: [2], misses: [6] });
    // wx02 #4: handled over 国庆, 0 working hours
    expect(wx02!.resolutionHours).toMatchObject({ count: 1, meanHours: 0 });
    // ba01 #9 #10, both in incident 1
    expect(ba01!.collective).toMatchObject({ count: 1, residents: 3, tickets: [9, 10] });
    // nobody: #7 #8 #11; #8 withdrawn; responses late #7 #11 → 0 of 2; #7 is in incident 2
    expect(nobody!.filed.tickets).toEqual([7, 8, 11]);
    expect(nobody!.responseOnTime).toMatchObject({ numerator: 0, denominator: 2, rate: 0 });
    expect(nobody!.collective).toMatchObject({ count: 1, incidents: [2], tickets: [7] });
  });

  it('by kind, category and level', () => {
    const { complaint, inquiry, repair } = kpis.by.kind;
    // complaints #2 #7 #11: one repeat (#7); per household over the whole company: 3 / 1300
    expect(complaint!.repeatComplaints.tickets).toEqual([7]);
    expect(complaint!.complaintsPerHousehold.rate).toBeCloseTo(3 / 1300, 12);
    expect(inquiry!.resolutionOnTime).toMatchObject({ denominator: 0, rate: null });
    // repairs #1 #3 #4 #5 #8 #9 #10 (#8 withdrawn): repeats #3 #9; incident 1 through #9 #10
    expect(repair!.repeatComplaints.tickets).toEqual([3, 9]);
    expect(repair!.collective.incidents).toEqual([1]);
    // the category and the level of an incident are its own: both are property, one hot and one general
    expect(kpis.by.category.property!.collective).toMatchObject({ count: 2, residents: 5, tickets: [7, 9, 10] });
    expect(kpis.by.category.engineering!.collective.count).toBe(0);
    expect(kpis.by.level.hot!.collective.incidents).toEqual([1]);
    expect(kpis.by.level.general!.collective).toMatchObject({ incidents: [2], tickets: [7] });
    // important: #3 #5 → first-time fix held #3, not #5 (reopened) → 1 of 2
    expect(kpis.by.level.important!.firstTimeFix).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe('edge cases', () => {
  it('counts a deadline met at the very moment it is due as kept, and an empty month as no rates at all', () => {
    const [one] = [ticket({ projectCode: 'XFL', createdAt: at('2026-10-14T10:00') })];
    one!.response = due('2026-10-14T12:00', '2026-10-14T12:00');
    const k = computeMonthKpis({ ...facts, tickets: [one!], incidents: [], history: [] }, options);
    expect(k.all.responseOnTime).toMatchObject({ numerator: 1, denominator: 1, rate: 1 });
    const empty = computeMonthKpis({ ...facts, tickets: [], incidents: [], history: [] }, options);
    expect(empty.all.responseOnTime.rate).toBeNull();
    expect(empty.all.responseHours).toEqual({ count: 0, meanHours: null, medianHours: null, tickets: [] });
    expect(empty.by.project).toEqual({});
  });

  it('never matches anonymised residents as the same person', () => {
    const a = ticket({ projectCode: 'XFL', resident: null, createdAt: at('2026-10-14T10:00') });
    const b = ticket({ projectCode: 'XFL', resident: null, createdAt: at('2026-10-15T10:00') });
    const k = computeMonthKpis({ ...facts, tickets: [a, b], incidents: [], history: [] }, options);
    expect(k.all.repeatComplaints.count).toBe(0);
  });

  it("takes the households and the projects from the organisation's configuration", () => {
    const org = { projects: [{ code: 'XFL', households: 800 }, { code: 'YHY', households: 500 }, { code: 'LSW' }] };
    const o = kpiOptions(org, options.calendarOf, options.asOf);
    expect([o.households('XFL'), o.households('LSW'), o.projects]).toEqual([800, undefined, ['XFL', 'YHY', 'LSW']]);
    // LSW has no households configured: the whole company's rate is blank, XFL's is not
    const k = computeMonthKpis(facts, o);
    expect(k.all.complaintsPerHousehold).toMatchObject({ complaints: { count: 3 }, households: null, rate: null });
    expect(k.by.project.XFL!.complaintsPerHousehold.rate).toBe(2 / 800);
    expect(formatPerMille(null)).toBe('—');
  });

  it('takes a calendar month in Asia/Shanghai', () => {
    expect(monthRange('2026-12')).toEqual({ from: at('2026-12-01T00:00'), to: at('2027-01-01T00:00') });
    expect(() => monthRange('2026-13')).toThrow('YYYY-MM');
  });
});
