// The statutory holidays computed from the law, checked against the State Council's notices the package ships.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { statutoryHolidays } from '../../src/calendar/statutory-holidays.js';

const official = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const officialIn = (kind: 'holidays' | 'workdays', year: number) =>
  Object.keys(official[kind]).filter((d) => d.startsWith(`${year}-`));
const isWeekend = (day: string) => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
/** Off in the official calendar. The package leaves out some weekend days of a break (端午 on Sat 23 June 2012). */
const isDayOff = (day: string) => day in official.holidays || (isWeekend(day) && !(day in official.workdays));

describe('statutory holidays', () => {
  it.each([2025, 2026])('every statutory day of %i is a day off in the official notice', (year) => {
    const computed = statutoryHolidays(year);
    expect(computed).toHaveLength(13);
    expect(computed.filter((d) => !(d in official.holidays))).toEqual([]);
  });

  it.each([2025, 2026])(
    'the %i notice only moves days: its weekday days off are the law’s plus its make-up days',
    (year) => {
      // A statutory day on a weekend is made up on a weekday; every other extra weekday off is worked on a weekend.
      const weekdaysOff = officialIn('holidays', year).filter((d) => !isWeekend(d));
      expect(weekdaysOff.length).toBe(statutoryHolidays(year).length + officialIn('workdays', year).length);
    },
  );

  it('matches the festivals of every notice since they became holidays (2008–2026)', () => {
    // 除夕 and the 2024 amendment's extra days are younger; 初一, 清明, 端午 and 中秋 have been days off since 2008.
    const misses: string[] = [];
    let checked = 0;
    for (let year = 2008; year <= 2026; year++) {
      // Sorted: 元旦, then 除夕 and 初一 to 初三 (in late January or February), then the rest. 中秋 may be in 国庆.
      const days = statutoryHolidays(year);
      const festivals = [days[2]!, ...days.slice(5).filter((d) => !/-(05-0[12]|10-0[123])$/.test(d))];
      checked += festivals.length;
      misses.push(...festivals.filter((d) => !isDayOff(d)));
    }
    expect(misses).toEqual([]);
    expect(checked).toBe(19 * 4 - 2); // 中秋 was on 3 October in 2009 and on 1 October in 2020
  });

  it('computes 2027, which has no notice yet', () => {
    expect(statutoryHolidays(2027)).toEqual([
      '2027-01-01', // 元旦
      '2027-02-05', // 除夕 (腊月廿九: the twelfth month has 29 days this year)
      '2027-02-06', // 正月初一
      '2027-02-07',
      '2027-02-08',
      '2027-04-05', // 清明
      '2027-05-01',
      '2027-05-02',
      '2027-06-09', // 端午
      '2027-09-15', // 中秋
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
    ]);
  });

  it('counts 中秋 once when it falls in 国庆 (2028: 3 October)', () => {
    const days = statutoryHolidays(2028);
    expect(days).toHaveLength(12);
    expect(days.filter((d) => d.startsWith('2028-10-'))).toEqual(['2028-10-01', '2028-10-02', '2028-10-03']);
  });

  it('returns sorted dates and a fresh array each time', () => {
    const a = statutoryHolidays(2030);
    expect([...a].sort()).toEqual(a);
    a.pop();
    expect(statutoryHolidays(2030)).toHaveLength(13);
  });

  it('refuses years beyond the lunar tables', () => {
    expect(() => statutoryHolidays(2100)).toThrow(RangeError);
    expect(() => statutoryHolidays(2027.5)).toThrow(RangeError);
  });

  it('gives the same days in any process time zone', () => {
    const script = `import { statutoryHolidays } from './src/calendar/statutory-holidays.ts';
      console.log(JSON.stringify([2025, 2026, 2027, 2028].map(statutoryHolidays)));`;
    const here = JSON.stringify([2025, 2026, 2027, 2028].map(statutoryHolidays));
    for (const TZ of ['America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, TZ },
        encoding: 'utf8',
      });
      expect(out.trim(), TZ).toBe(here);
    }
  });
});
