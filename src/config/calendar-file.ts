// Official holidays from the chinese-days package, plus the years and closed days operators add in
// config/calendar.json; the years after those, until their notice is out, get the statutory holidays computed from
// the law (provisional).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { LAST_STATUTORY_YEAR, statutoryHolidays } from '../calendar/statutory-holidays.js';
import { type CalendarData, shanghaiDate, WorkCalendar, type YearCalendar } from '../calendar/work-calendar.js';
import { ConfigError } from '../lib/errors.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:MM');

const CalendarFile = z.object({
  /** A year the package does not have yet (the State Council publishes it each winter). */
  years: z
    .record(z.string().regex(/^\d{4}$/), z.object({ holidays: z.array(day), workdays: z.array(day).default([]) }))
    .default({}),
  closedDays: z.array(day).default([]),
  workingHours: z
    .array(z.tuple([hhmm, hhmm]))
    .min(1)
    .default([
      ['08:30', '12:00'],
      ['13:30', '17:30'],
    ]),
});

export type CalendarConfig = z.infer<typeof CalendarFile>;

/** holidays/workdays keyed by date, as the package ships them. */
function packageYears(): Record<number, YearCalendar> {
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
  };
  const years: Record<number, YearCalendar> = {};
  const add = (d: string, kind: 'holidays' | 'workdays') =>
    (years[Number(d.slice(0, 4))] ??= { holidays: [], workdays: [] })[kind].push(d);
  Object.keys(data.holidays).forEach((d) => add(d, 'holidays'));
  Object.keys(data.workdays).forEach((d) => add(d, 'workdays'));
  return years;
}

export function loadCalendarConfig(file: string): CalendarConfig {
  if (!existsSync(file)) return CalendarFile.parse({});
  const r = CalendarFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new ConfigError(`${file} 校验失败：\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** How many years past the newest official one get provisional statutory holidays. */
const PROVISIONAL_YEARS = 10;

/**
 * Config years replace the package's for the same year: operators correct it as well as extend it. Every year after
 * the package's newest, up to ten after the newest official one, that neither has, is provisional: the statutory
 * holidays without 调休. A newer package or a config entry for the year replaces it.
 */
export function calendarData(
  cfg: CalendarConfig,
  project?: { closedDays?: string[]; workingHours?: [string, string][] },
): CalendarData {
  const years = { ...packageYears() };
  const newestPackaged = Math.max(...Object.keys(years).map(Number));
  for (const [y, cal] of Object.entries(cfg.years)) years[Number(y)] = cal;
  const newestOfficial = Math.max(...Object.keys(years).map(Number));
  const last = Math.min(newestOfficial + PROVISIONAL_YEARS, LAST_STATUTORY_YEAR);
  for (let y = newestPackaged + 1; y <= last; y++)
    years[y] ??= { holidays: statutoryHolidays(y), workdays: [], provisional: true };
  return {
    years,
    closedDays: [...cfg.closedDays, ...(project?.closedDays ?? [])],
    workingHours: project?.workingHours ?? cfg.workingHours,
  };
}

export const buildCalendar = (cfg: CalendarConfig, project?: Parameters<typeof calendarData>[1]) =>
  new WorkCalendar(calendarData(cfg, project));

const LOOKAHEAD_DAYS = 90;

/** The admin API's warning for years ahead without the State Council's notice, or null. */
function missingYearsWarning(calendar: WorkCalendar, now: Date, ahead: Date): string | null {
  const missing = calendar.unknownYears(now, ahead);
  if (missing.length === 0) return null;
  const computed = missing.filter((y) => calendar.isProvisional(y));
  const bare = missing.filter((y) => !calendar.isProvisional(y));
  const law = '暂按《全国年节及纪念日放假办法》推算法定节假日（未含调休）';
  const how =
    bare.length === 0
      ? law
      : computed.length === 0
        ? '暂按周一至周五计算'
        : `${computed.join('、')} 年${law}，${bare.join('、')} 年暂按周一至周五计算`;
  const entering = `未来 ${LOOKAHEAD_DAYS} 天内进入 ${missing.join('、')} 年`;
  return `${entering}，尚未载入国务院公布的节假日安排，${how}，请在 config/calendar.json 中补充`;
}

/** For the admin API: each project's years around now, and a loud warning for a missing one ahead. */
export function calendarStatus(projects: { code: string; calendar: WorkCalendar }[], now: Date) {
  const ahead = new Date(now.getTime() + LOOKAHEAD_DAYS * 86_400_000);
  const year = Number(shanghaiDate(now).slice(0, 4));
  return {
    projects: projects.map(({ code, calendar }) => ({
      code,
      years: [year - 1, year, year + 1].map((y) => ({
        year: y,
        official: calendar.knowsYear(y),
        provisional: calendar.isProvisional(y),
      })),
      warning: missingYearsWarning(calendar, now, ahead),
    })),
  };
}
