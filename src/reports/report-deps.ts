// The report's dependencies from the service's configuration: one place for the job and the command.
import type { DataSource } from 'typeorm';
import { buildCalendar } from '../config/calendar-file.js';
import type { AppConfig } from '../config/load-config.js';
import type { ReportDeps } from './monthly-report.js';

export function reportDeps(config: AppConfig, ds: DataSource, rules = () => config.rules): ReportDeps {
  const calendars = new Map(config.organisation.projects.map((p) => [p.code, buildCalendar(config.calendar, p)]));
  return {
    ds,
    organisation: config.organisation,
    calendarOf: (code) => calendars.get(code) ?? buildCalendar(config.calendar),
    levelLabel: (pack, code) =>
      rules()
        .pack(pack)
        .levels.find((l) => l.code === code)?.label ?? code,
    fontFile: config.reports.fontFile,
    publicUrl: config.publicUrl,
    headOfficeRobotKey: config.organisation.reports?.headOfficeRobotKey,
  };
}
