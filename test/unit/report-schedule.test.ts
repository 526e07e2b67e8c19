// Which report periods are due when: the monthly report on the 1st at 09:00 Beijing time for the month just ended,
// the weekly digest on Monday for Monday–Sunday before, and the caught-up period after a restart.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { dueReports, monthSpan, previousMonth } from '../../src/reports/schedule.js';

const schedule = { monthly: { day: 1, time: '09:00' }, weekly: { time: '09:00' } };
const bj = (s: string) => new Date(`${s}+08:00`);
const monthly = (now: string) => dueReports(bj(now), schedule).find((r) => r.kind === 'monthly')!;
const weekly = (now: string) => dueReports(bj(now), schedule).find((r) => r.kind === 'weekly')!;

describe('report schedule', () => {
  it('when it is the 1st at 09:00 Beijing time, then last month is due; a minute before, the month before that', () => {
    expect(monthly('2026-12-01T09:00:00')).toMatchObject({ period: '2026-11', dueAt: bj('2026-12-01T09:00:00') });
    expect(monthly('2026-12-01T08:59:00')).toMatchObject({ period: '2026-10', dueAt: bj('2026-11-01T09:00:00') });
    // Every instance was down on the 1st: on the 3rd the November report is still the one due (and is sent late).
    expect(monthly('2026-12-03T15:00:00').period).toBe('2026-11');
    expect(monthly('2027-01-01T10:00:00').period).toBe('2026-12');
  });

  it("when a month is reported, then it spans Beijing midnight to midnight, whatever the server's zone", () => {
    expect(monthSpan('2026-12')).toEqual({ from: bj('2026-12-01T00:00:00'), to: bj('2027-01-01T00:00:00') });
    expect(monthly('2026-12-01T09:00:00')).toMatchObject({
      from: bj('2026-11-01T00:00:00'),
      to: bj('2026-12-01T00:00:00'),
    });
    expect(previousMonth('2027-01')).toBe('2026-12');
  });

  it('when it is Monday 09:00, then the week before is due; on Sunday night, the week before that', () => {
    // 2026-11-23 is a Monday.
    expect(weekly('2026-11-23T09:00:00')).toMatchObject({
      period: '2026-11-16',
      from: bj('2026-11-16T00:00:00'),
      to: bj('2026-11-23T00:00:00'),
    });
    expect(weekly('2026-11-23T08:00:00').period).toBe('2026-11-09');
    expect(weekly('2026-11-29T23:00:00').period).toBe('2026-11-16');
  });

  it('when REPORT_MONTHLY_AT is written wrongly, then start-up says how to write it', () => {
    const env = (at: string) => ({ CONFIG_DIR: 'config', CLASSIFIER: 'rules', REPORT_MONTHLY_AT: at });
    expect(loadConfig(env('3 08:30')).reports.monthly).toEqual({ day: 3, time: '08:30' });
    expect(() => loadConfig(env('31 09:00'))).toThrow('日为 1–28');
    expect(() => loadConfig(env('1 9:00'))).toThrow('例如 "1 09:00"');
  });
});
