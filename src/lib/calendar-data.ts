// Official holidays from the chinese-days package, plus the years and closed days operators add in config/calendar.json.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { WorkCalendar, type CalendarData, type YearCalendar } from '../calendar/work-calendar.js';
import { ConfigError } from './config.js';

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
  const add = (d: string, kind: keyof YearCalendar) =>
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

/** Config years replace the package's for the same year: operators correct it as well as extend it. */
export function calendarData(
  cfg: CalendarConfig,
  project?: { closedDays?: string[]; workingHours?: [string, string][] },
): CalendarData {
  const years = { ...packageYears() };
  for (const [y, cal] of Object.entries(cfg.years)) years[Number(y)] = cal;
  return {
    years,
    closedDays: [...cfg.closedDays, ...(project?.closedDays ?? [])],
    workingHours: project?.workingHours ?? cfg.workingHours,
  };
}

export const buildCalendar = (cfg: CalendarConfig, project?: Parameters<typeof calendarData>[1]) =>
  new WorkCalendar(calendarData(cfg, project));

const LOOKAHEAD_DAYS = 90;

/** For the admin API: the years each project's calendar knows around now, and a loud warning for a missing one ahead. */
export function calendarStatus(projects: { code: string; calendar: WorkCalendar }[], now: Date) {
  const ahead = new Date(now.getTime() + LOOKAHEAD_DAYS * 86_400_000);
  return {
    projects: projects.map(({ code, calendar }) => {
      const year = Number(now.toISOString().slice(0, 4));
      const missing = calendar.unknownYears(now, ahead);
      return {
        code,
        years: [year - 1, year, year + 1].map((y) => ({ year: y, official: calendar.knowsYear(y) })),
        warning: missing.length
          ? `未来 ${LOOKAHEAD_DAYS} 天内进入 ${missing.join('、')} 年，尚未载入官方节假日安排（请在 config/calendar.json 中补充）`
          : null,
      };
    }),
  };
}
