// Deadline maths on the mainland-China calendar: holidays, make-up working days, year ends, lunch breaks.
import { describe, expect, it } from 'vitest';
import { shanghaiTime, WorkCalendar } from '../../src/calendar/work-calendar.js';
import { buildCalendar, calendarStatus, loadCalendarConfig } from '../../src/config/calendar-file.js';

const cal = buildCalendar(loadCalendarConfig('/nonexistent/calendar.json'));
const at = (s: string) => new Date(`${s}+08:00`);
const iso = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working days', () => {
  it.each([
    ['2026-10-01', false], // 国庆
    ['2026-10-07', false],
    ['2026-10-08', true],
    ['2026-10-10', true], // make-up Saturday
    ['2026-10-11', false], // ordinary Sunday
    ['2026-09-20', true], // make-up Sunday
    ['2026-02-14', true], // make-up Saturday before 春节
    ['2026-02-16', false], // 春节
    ['2026-11-23', true],
  ])('%s is a working day: %s', (day, expected) => expect(cal.isWorkday(day)).toBe(expected));

  it('counts 3 working days over 国庆 and the make-up Saturday', () => {
    // Wed 30 Sep → Thu 8 Oct (1), Fri 9 Oct (2), Sat 10 Oct make-up day (3), closing time 17:30.
    expect(iso(cal.addWorkdays(at('2026-09-30T10:00'), 3))).toBe('2026-10-10 17:30');
  });

  it('counts across the year end and a weekend', () => {
    // Thu 31 Dec 2026 → Mon 4 Jan 2027: the package has no 2027, but 元旦 is a statutory holiday (provisional year).
    expect(cal.knowsYear(2026)).toBe(true);
    expect(cal.knowsYear(2027)).toBe(false);
    expect(cal.isProvisional(2026)).toBe(false);
    expect(cal.isProvisional(2027)).toBe(true);
    const due = cal.addWorkdays(at('2026-12-31T10:00'), 1);
    expect(iso(due)).toBe('2027-01-04 17:30');
    expect(cal.unknownYears(at('2026-12-31T10:00'), due)).toEqual([2027]);
    expect(cal.provisionalYears(at('2026-12-31T10:00'), due)).toEqual([2027]);
    expect(cal.provisionalYears(at('2026-06-01T10:00'), at('2026-12-31T23:59'))).toEqual([]);
  });

  it('counts the statutory holidays of a year without a notice, and no make-up days', () => {
    // 春节 2027 by the law: 除夕 Fri 5 Feb, 初一–初三 Sat 6 – Mon 8 Feb. The notice will add days and 调休.
    expect(cal.isWorkday('2027-02-04')).toBe(true);
    expect(cal.isWorkday('2027-02-05')).toBe(false);
    expect(cal.isWorkday('2027-02-08')).toBe(false);
    expect(cal.isWorkday('2027-02-09')).toBe(true);
    expect(iso(cal.addWorkdays(at('2027-02-04T10:00'), 1))).toBe('2027-02-09 17:30');
    for (const day of ['2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01'])
      expect(cal.isWorkday(day), day).toBe(false);
    expect(cal.isWorkday('2027-05-03')).toBe(true); // 劳动节 is 1–2 May by law; only a notice's 调休 adds Monday 3rd
    // Ten years past the newest official one, then weekends only.
    expect(cal.isProvisional(2036)).toBe(true);
    expect(cal.isProvisional(2037)).toBe(false);
    expect(cal.isWorkday('2037-01-01')).toBe(true);
  });

  it('lets operators add a year and closed days in config', () => {
    const withYear = buildCalendar({
      years: { '2027': { holidays: ['2027-01-01'], workdays: [] } },
      closedDays: ['2026-11-24'],
      workingHours: [['09:00', '18:00']],
    });
    expect(withYear.knowsYear(2027)).toBe(true);
    expect(withYear.isProvisional(2027)).toBe(false);
    expect(withYear.isWorkday('2027-01-01')).toBe(false);
    expect(withYear.isWorkday('2027-02-05')).toBe(true); // the config year replaces the computed one wholesale
    expect(withYear.isProvisional(2028)).toBe(true);
    expect(withYear.isProvisional(2037)).toBe(true); // ten years past the newest official one, now 2027
    expect(withYear.isWorkday('2026-11-24')).toBe(false);
    expect(iso(withYear.addWorkdays(at('2026-12-31T10:00'), 1))).toBe('2027-01-04 18:00');
  });
});

describe('provisional years', () => {
  it('counts their holidays but reports them as having no official calendar', () => {
    const c = new WorkCalendar({
      years: {
        2030: { holidays: ['2030-01-01'], workdays: ['2030-01-05'] },
        2031: { holidays: ['2031-01-01'], workdays: [], provisional: true },
      },
      workingHours: [['09:00', '18:00']],
    });
    expect([c.knowsYear(2030), c.isProvisional(2030)]).toEqual([true, false]);
    expect([c.knowsYear(2031), c.isProvisional(2031)]).toEqual([false, true]);
    expect([c.knowsYear(2032), c.isProvisional(2032)]).toEqual([false, false]);
    expect(c.isWorkday('2031-01-01')).toBe(false);
    expect(c.unknownYears(at('2030-06-01T00:00'), at('2032-06-01T00:00'))).toEqual([2031, 2032]);
    expect(c.provisionalYears(at('2030-06-01T00:00'), at('2032-06-01T00:00'))).toEqual([2031]);
  });
});

describe('calendar status for the admin API', () => {
  const project = (now: string) => calendarStatus([{ code: 'P1', calendar: cal }], at(now)).projects[0]!;

  it('lists the years around now, official or provisional', () => {
    expect(project('2026-12-01T10:00').years).toEqual([
      { year: 2025, official: true, provisional: false },
      { year: 2026, official: true, provisional: false },
      { year: 2027, official: false, provisional: true },
    ]);
    // The Shanghai year: 00:30 on 1 January is 2027 already.
    expect(project('2027-01-01T00:30').years.map((y) => y.year)).toEqual([2026, 2027, 2028]);
  });

  it('warns when the next 90 days reach a year without the notice, and says how it is counted', () => {
    expect(project('2026-12-01T10:00').warning).toBe(
      '未来 90 天内进入 2027 年，尚未载入国务院公布的节假日安排，暂按《全国年节及纪念日放假办法》推算法定节假日（未含调休），' +
        '请在 config/calendar.json 中补充',
    );
    expect(project('2026-06-01T10:00').warning).toBeNull();
    expect(project('2036-12-01T10:00').warning).toBe(
      '未来 90 天内进入 2036、2037 年，尚未载入国务院公布的节假日安排，' +
        '2036 年暂按《全国年节及纪念日放假办法》推算法定节假日（未含调休），2037 年暂按周一至周五计算，' +
        '请在 config/calendar.json 中补充',
    );
  });
});

describe('working hours with a lunch break', () => {
  it('skips the lunch break', () => {
    expect(iso(cal.addWorkingMinutes(at('2026-11-23T11:00'), 120))).toBe('2026-11-23 14:30');
  });
  it('carries over the night and the weekend', () => {
    expect(iso(cal.addWorkingMinutes(at('2026-11-27T17:00'), 60))).toBe('2026-11-30 09:00');
  });
  it('starts at the next working period when asked outside working time', () => {
    expect(iso(cal.nextWorkingTime(at('2026-11-23T12:30')))).toBe('2026-11-23 13:30');
    expect(iso(cal.nextWorkingTime(at('2026-09-30T20:00')))).toBe('2026-10-08 08:30');
    expect(cal.isWorkingTime(at('2026-11-23T09:00'))).toBe(true);
    expect(cal.isWorkingTime(shanghaiTime('2026-11-23', '12:00'))).toBe(false);
  });
});

describe('working minutes between two instants', () => {
  // The default day: 08:30–12:00 (210 minutes) and 13:30–17:30 (240 minutes), 450 minutes in all.
  const between = (a: string, b: string) => cal.workingMinutesBetween(at(a), at(b));

  it('counts within one day, and skips the lunch break', () => {
    expect(between('2026-11-23T09:00', '2026-11-23T11:00')).toBe(120);
    // 11:00–12:00 (60) + 13:30–14:30 (60)
    expect(between('2026-11-23T11:00', '2026-11-23T14:30')).toBe(120);
    // a whole working day
    expect(between('2026-11-23T00:00', '2026-11-24T00:00')).toBe(450);
  });

  it('counts nothing outside working hours', () => {
    expect(between('2026-11-23T18:00', '2026-11-24T08:00')).toBe(0); // the night
    expect(between('2026-11-23T12:10', '2026-11-23T13:20')).toBe(0); // the lunch break
    expect(between('2026-11-28T10:00', '2026-11-29T16:00')).toBe(0); // Saturday to Sunday
    expect(between('2026-11-23T07:00', '2026-11-23T09:00')).toBe(30); // only 08:30–09:00
  });

  it('carries over a weekend', () => {
    // Fri 27 Nov 17:00–17:30 (30) + Mon 30 Nov 08:30–09:00 (30)
    expect(between('2026-11-27T17:00', '2026-11-30T09:00')).toBe(60);
  });

  it('skips the 国庆 2026 holidays', () => {
    // Wed 30 Sep 16:00–17:30 (90); Thu 1 – Wed 7 Oct off; Thu 8 Oct 08:30–09:30 (60)
    expect(between('2026-09-30T16:00', '2026-10-08T09:30')).toBe(150);
  });

  it('counts the 调休 Saturday 2026-10-10 as a working day', () => {
    // Fri 9 Oct 17:00–17:30 (30) + Sat 10 Oct, worked (450) + Sun 11 Oct off + Mon 12 Oct 08:30–09:00 (30)
    expect(between('2026-10-09T17:00', '2026-10-12T09:00')).toBe(510);
    // The make-up Sunday before 国庆, 20 Sep: a whole working day.
    expect(between('2026-09-20T00:00', '2026-09-21T00:00')).toBe(450);
  });

  it('keeps fractions of a minute and answers 0 for an empty or reversed span', () => {
    expect(between('2026-11-23T09:00:30', '2026-11-23T09:02')).toBe(1.5);
    expect(between('2026-11-23T10:00', '2026-11-23T10:00')).toBe(0);
    expect(between('2026-11-23T11:00', '2026-11-23T10:00')).toBe(0);
  });

  it("uses the project's own working hours", () => {
    const late = buildCalendar({ years: {}, closedDays: ['2026-11-24'], workingHours: [['09:00', '18:00']] });
    // Mon 23 Nov 17:00–18:00 (60); Tue 24 Nov closed; Wed 25 Nov 09:00–10:00 (60)
    expect(late.workingMinutesBetween(at('2026-11-23T17:00'), at('2026-11-25T10:00'))).toBe(120);
  });

  it('undoes addWorkingMinutes', () => {
    const starts = ['2026-09-30T16:00', '2026-10-09T12:30', '2026-11-27T17:00', '2026-12-31T20:00', '2026-11-23T08:00'];
    for (const start of starts)
      for (const minutes of [0, 1, 45, 210, 450, 1000, 5000])
        expect(cal.workingMinutesBetween(at(start), cal.addWorkingMinutes(at(start), minutes)), start).toBe(minutes);
  });
});
