// Deadline maths on the mainland-China calendar: holidays, make-up working days, year ends, lunch breaks.
import { describe, expect, it } from 'vitest';
import { shanghaiTime } from '../../src/calendar/work-calendar.js';
import { buildCalendar, loadCalendarConfig } from '../../src/lib/calendar-data.js';

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
    // Thu 31 Dec 2026 → Fri 1 Jan 2027? 2027 has no official data in the package, so it is a plain Friday.
    expect(cal.knowsYear(2026)).toBe(true);
    expect(cal.knowsYear(2027)).toBe(false);
    expect(cal.unknownYears(at('2026-12-31T10:00'), cal.addWorkdays(at('2026-12-31T10:00'), 1))).toEqual([2027]);
  });

  it('lets operators add a year and closed days in config', () => {
    const withYear = buildCalendar({
      years: { '2027': { holidays: ['2027-01-01'], workdays: [] } },
      closedDays: ['2026-11-24'],
      workingHours: [['09:00', '18:00']],
    });
    expect(withYear.knowsYear(2027)).toBe(true);
    expect(withYear.isWorkday('2027-01-01')).toBe(false);
    expect(withYear.isWorkday('2026-11-24')).toBe(false);
    expect(iso(withYear.addWorkdays(at('2026-12-31T10:00'), 1))).toBe('2027-01-04 18:00');
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
