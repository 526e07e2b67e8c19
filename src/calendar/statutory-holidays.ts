// The statutory public holidays of a year as the law fixes them (《全国年节及纪念日放假办法》, amended 2024, in force
// from 2025), for years whose State Council notice is not out yet. Holidays only: the notice also moves days off next
// to weekends and adds make-up working days (调休), and nothing but the notice itself says which.
// Pure: the lunar calendar and the 清明 solar term come from the chinese-days package (tables for 1900–2100).
import chineseDays from 'chinese-days';

/** Gregorian years whose festivals the package's lunar table (1900–2100) covers. */
export const FIRST_STATUTORY_YEAR = 1901;
export const LAST_STATUTORY_YEAR = 2099;

const DAY_MS = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The Gregorian date of a day of the lunar year (not a leap month). */
function fromLunar(lunarYear: number, month: number, day: number): string {
  // A local-time Date: the package reads it with local getters and counts in local days, so the answer does not
  // depend on the process's time zone (a YYYY-MM-DD string would be parsed as UTC and read back locally).
  return chineseDays.getSolarDateFromLunar(new Date(lunarYear, month - 1, day)).date;
}

/** The day of the 清明 solar term (4 or 5 April in this range). */
function qingming(year: number): string {
  const day = chineseDays.getSolarTermDate(year, 4, 'pure_brightness');
  // The package formats a UTC midnight with local getters, which is the day before west of Greenwich. Undo that.
  return new Date(Date.UTC(year, 3, 5)).getTimezoneOffset() > 0 ? addDays(day, 1) : day;
}

const memo = new Map<number, string[]>();

/** The statutory days off of a Gregorian year (YYYY-MM-DD, sorted): 13 days, or 12 when 中秋 falls in 国庆. */
export function statutoryHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < FIRST_STATUTORY_YEAR || year > LAST_STATUTORY_YEAR)
    throw new RangeError(`法定节假日只能推算 ${FIRST_STATUTORY_YEAR}–${LAST_STATUTORY_YEAR} 年：${year}`);
  const cached = memo.get(year);
  if (cached) return [...cached];
  const springFestival = fromLunar(year, 1, 1);
  const days = [
    ymd(year, 1, 1), // 元旦
    addDays(springFestival, -1), // 除夕: the last day of the 12th (or leap 12th) month, the 29th or the 30th
    springFestival, // 春节 正月初一至初三
    addDays(springFestival, 1),
    addDays(springFestival, 2),
    qingming(year), // 清明节
    ymd(year, 5, 1), // 劳动节
    ymd(year, 5, 2),
    fromLunar(year, 5, 5), // 端午节
    fromLunar(year, 8, 15), // 中秋节
    ymd(year, 10, 1), // 国庆节
    ymd(year, 10, 2),
    ymd(year, 10, 3),
  ];
  // 中秋 can fall on 1–3 October (as in 2020 and 2028): one day off for both (the 2020 notice added none).
  const out = [...new Set(days)].sort();
  memo.set(year, out);
  return [...out];
}
