// One month's report, the same for the scheduled job and `npm run report`: the KPIs of this month and the last, the
// Chinese summary and the chart for each project's managers' group and for head office, and the Excel ledger.
import type { Writable } from 'node:stream';
import { Between, type DataSource, MoreThan } from 'typeorm';
import type { WorkCalendar } from '../calendar/work-calendar.js';
import { createKpiQueries } from '../db/kpi-queries.js';
import { TicketEntity } from '../db/schema.js';
import {
  computeMonthKpis,
  FIGURE_LABELS,
  formatHours,
  formatPercent,
  kpiOptions,
  type KpiSet,
  type MonthFacts,
  type MonthKpis,
  type TicketFacts,
} from '../kpi/index.js';
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import { CATEGORIES, CATEGORY_LABEL } from '../rules/index.js';
import type { OutboxItem } from '../tickets/index.js';
import { monthlyChartOption } from './chart-options.js';
import { renderChartPng } from './chart-png.js';
import { ledgerRowOf, type LedgerRow, writeLedger } from './ledger.js';
import { robotImage } from './robot-image.js';
import { previousMonth } from './schedule.js';
import { monthlySummary } from './summary.js';

export interface ReportDeps {
  ds: DataSource;
  organisation: Organisation;
  calendarOf: (projectCode: string) => WorkCalendar;
  /** A level code's label in a rule pack (一般事件, 一级客诉…). */
  levelLabel: (rulePack: string, code: string) => string;
  /** The CJK font the chart is drawn with (REPORT_FONT). */
  fontFile?: string;
  /** Where the console is reachable: the summary links to the report page and the ledger. */
  publicUrl?: string;
  /** Head office's group robot (organisation.json `reports.headOfficeRobotKey`): every project's figures. */
  headOfficeRobotKey?: string;
}

export interface MonthReport {
  month: string;
  current: MonthKpis;
  previous: MonthKpis;
  facts: MonthFacts;
}

/** The KPIs of `month` and of the month before, as they stand at `asOf`. */
export async function monthReport(deps: ReportDeps, month: string, asOf: Date): Promise<MonthReport> {
  const queries = createKpiQueries(deps.ds);
  const options = kpiOptions(deps.organisation, deps.calendarOf, asOf);
  const [facts, before] = await Promise.all([
    queries.monthFacts(month, asOf),
    queries.monthFacts(previousMonth(month), asOf),
  ]);
  return { month, facts, current: computeMonthKpis(facts, options), previous: computeMonthKpis(before, options) };
}

const categoryNames = CATEGORIES.map((c) => CATEGORY_LABEL[c]);
const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

/** A project's chart: its tickets by category, this month against last, with on-time response and satisfaction. */
function projectChart(r: MonthReport, p: ProjectConfig, fontFile?: string): Buffer {
  const mine = (k: MonthKpis) => new Set(k.by.project[p.code]?.filed.tickets ?? []);
  const byCategory = (k: MonthKpis, f: (s: KpiSet) => number | null) =>
    CATEGORIES.map((c) => {
      const s = k.by.category[c];
      if (!s) return null;
      return f(s);
    });
  const count = (k: MonthKpis) => {
    const ids = mine(k);
    return CATEGORIES.map((c) => (k.by.category[c]?.filed.tickets ?? []).filter((id) => ids.has(id)).length);
  };
  const option = monthlyChartOption({
    title: `${p.name} ${monthTitle(r.month)} 报事与投诉分类统计`,
    months: [previousMonth(r.month), r.month],
    categories: categoryNames,
    series: [
      { name: '本月', values: count(r.current) },
      { name: '上月', values: count(r.previous) },
    ],
    rates: [
      { name: FIGURE_LABELS.responseOnTime, values: byCategory(r.current, (s) => pct(s.responseOnTime.rate)) },
      { name: FIGURE_LABELS.satisfaction, values: byCategory(r.current, (s) => pct(s.satisfaction.rate.rate)) },
    ],
  });
  return renderChartPng(option, { fontFile });
}

/** Head office's chart: every project's tickets, this month against last, with on-time resolution and satisfaction. */
function companyChart(r: MonthReport, projects: ProjectConfig[], fontFile?: string): Buffer {
  const of = (k: MonthKpis, code: string) => k.by.project[code];
  const option = monthlyChartOption({
    title: `${monthTitle(r.month)} 各项目报事与投诉`,
    months: [previousMonth(r.month), r.month],
    categories: projects.map((p) => p.name),
    series: [
      { name: '本月', values: projects.map((p) => of(r.current, p.code)?.filed.count ?? 0) },
      { name: '上月', values: projects.map((p) => of(r.previous, p.code)?.filed.count ?? 0) },
    ],
    rates: [
      {
        name: FIGURE_LABELS.resolutionOnTime,
        values: projects.map((p) => pct(of(r.current, p.code)?.resolutionOnTime.rate ?? null)),
      },
      {
        name: FIGURE_LABELS.satisfaction,
        values: projects.map((p) => pct(of(r.current, p.code)?.satisfaction.rate.rate ?? null)),
      },
    ],
  });
  return renderChartPng(option, { fontFile });
}

const monthTitle = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

export interface ReportTarget {
  /** The group robot's webhook key. */
  robotKey: string;
  scope: string;
  text: string;
  png: Buffer;
}

const linksOf = (deps: ReportDeps, month: string) =>
  deps.publicUrl
    ? {
        report: `${deps.publicUrl}/console/reports/${month}`,
        ledger: `${deps.publicUrl}/console/reports/${month}/ledger.xlsx`,
      }
    : undefined;

/** A project's summary and chart. */
export function projectReport(deps: ReportDeps, r: MonthReport, p: ProjectConfig, o: { late?: boolean } = {}) {
  const text = monthlySummary({
    scope: p.name,
    current: r.current,
    previous: r.previous,
    pick: (k) => k.by.project[p.code],
    links: linksOf(deps, r.month),
    late: o.late,
  });
  return { scope: p.name, text, png: projectChart(r, p, deps.fontFile) };
}

/** Head office's summary (every project, ranked) and chart. */
export function companyReport(deps: ReportDeps, r: MonthReport, o: { late?: boolean } = {}) {
  const projects = deps.organisation.projects;
  const text = monthlySummary({
    scope: deps.organisation.company,
    current: r.current,
    previous: r.previous,
    pick: (k) => k.all,
    links: linksOf(deps, r.month),
    projects: projects.map((p) => ({ code: p.code, name: p.name })),
    late: o.late,
  });
  return { scope: '总部', text, png: companyChart(r, projects, deps.fontFile) };
}

/** What goes to whom: each project with a managers' group robot, and head office when configured. */
export function reportTargets(deps: ReportDeps, r: MonthReport, o: { late?: boolean } = {}): ReportTarget[] {
  const targets: ReportTarget[] = deps.organisation.projects.flatMap((p) =>
    p.alerts.robotKey ? [{ robotKey: p.alerts.robotKey, ...projectReport(deps, r, p, o) }] : [],
  );
  if (deps.headOfficeRobotKey) targets.push({ robotKey: deps.headOfficeRobotKey, ...companyReport(deps, r, o) });
  return targets;
}

/** The outbox rows of a report: the summary, then its chart, to each group (dedupe keys: sent once, ever). */
export function reportOutbox(kind: string, period: string, targets: ReportTarget[]): OutboxItem[] {
  return targets.flatMap((t) => [
    {
      dedupeKey: `report:${kind}:${period}:${t.robotKey}:text`,
      channel: 'wecom_robot' as const,
      recipient: t.robotKey,
      payload: { text: t.text },
    },
    {
      dedupeKey: `report:${kind}:${period}:${t.robotKey}:chart`,
      channel: 'wecom_robot' as const,
      recipient: t.robotKey,
      payload: { text: `${t.scope} 月报图表`, image: robotImage(t.png).image },
    },
  ]);
}

/** The month's ledger: every ticket of the month (of one project, or all), masked unless `full`, and a KPI sheet. */
export async function writeMonthLedger(
  deps: ReportDeps,
  r: MonthReport,
  out: Writable | string,
  o: { projects?: readonly string[]; full?: boolean } = {},
) {
  const projects = deps.organisation.projects.filter((p) => !o.projects || o.projects.includes(p.code));
  const facts = new Map(r.facts.tickets.map((t) => [t.id, t]));
  const incidents = new Map(r.facts.incidents.map((i) => [i.id, i]));
  const repeats = new Set(r.current.all.repeatComplaints.tickets);
  const one = projects.length === 1 && o.projects ? projects[0] : undefined;
  // A user of some projects sees their figures only, one table each; the whole company's is for a user of all.
  const tables = o.projects
    ? projects.flatMap((p) => {
        const k = r.current.by.project[p.code];
        return k ? [kpiTable(`${p.name} ${monthTitle(r.month)} 指标`, k)] : [];
      })
    : [kpiTable(`${monthTitle(r.month)} 指标`, r.current.all)];
  const mall = projects.some((p) => p.rulePack === 'mall');
  const rows = async function* (): AsyncGenerator<LedgerRow> {
    const repo = deps.ds.getRepository(TicketEntity);
    let after = 0;
    for (;;) {
      const page = await repo.find({
        where: { id: MoreThan(after), createdAt: Between(r.facts.from, new Date(r.facts.to.getTime() - 1)) },
        order: { id: 'ASC' },
        take: 500,
      });
      const mine = page.filter((t) => projects.some((p) => p.code === t.projectCode));
      for (const t of mine) {
        const f = facts.get(t.id);
        const project = projects.find((p) => p.code === t.projectCode)!;
        const incident = t.incidentId ? incidents.get(t.incidentId) : undefined;
        yield ledgerRowOf(
          t,
          {
            projectName: project.name,
            levelLabel: deps.levelLabel(t.rulePack, t.level),
            ...timings(f, deps.calendarOf(t.projectCode), r.current.asOf),
            repeat: repeats.has(t.id),
            incident: t.incidentId ? `事件#${t.incidentId}${incident ? `（${incident.residents}户）` : ''}` : null,
          },
          { full: o.full === true },
        );
      }
      if (page.length < 500) return;
      after = page.at(-1)!.id;
    }
  };
  return writeLedger(out, {
    months: [{ month: r.month, rows: rows() }],
    kpi: tables,
    mall,
    full: o.full,
    title: `${one ? one.name : deps.organisation.company} ${monthTitle(r.month)} 客户服务台账`,
  });
}

function timings(f: TicketFacts | undefined, cal: WorkCalendar, asOf: Date) {
  const hours = (from: Date, to: Date | null | undefined) =>
    to ? Math.round((cal.workingMinutesBetween(from, to) / 60) * 10) / 10 : null;
  const kept = (d: TicketFacts['response']) =>
    !d ? null : d.metAt ? d.metAt <= d.dueAt : asOf > d.dueAt ? false : null;
  return {
    responseWorkHours: f ? hours(f.createdAt, f.response?.metAt) : null,
    resolutionWorkHours: f ? hours(f.createdAt, f.completedAt) : null,
    respondedOnTime: f ? kept(f.response) : null,
    resolvedOnTime: f ? kept(f.resolution) : null,
  };
}

/** The KPI sheet's table: each figure as people read it. */
export function kpiTable(title: string, k: KpiSet): { title: string; rows: [string, string | number][] } {
  const rate = (f: { rate: number | null; numerator: number; denominator: number }) =>
    `${formatPercent(f.rate)}（${f.numerator}/${f.denominator}）`;
  return {
    title,
    rows: [
      [FIGURE_LABELS.filed, k.filed.count],
      [FIGURE_LABELS.completed, k.completed.count],
      [FIGURE_LABELS.cancelled, k.cancelled.count],
      [FIGURE_LABELS.responseOnTime, rate(k.responseOnTime)],
      [FIGURE_LABELS.resolutionOnTime, rate(k.resolutionOnTime)],
      [FIGURE_LABELS.responseHours, formatHours(k.responseHours.meanHours)],
      [FIGURE_LABELS.resolutionHours, formatHours(k.resolutionHours.meanHours)],
      [FIGURE_LABELS.firstTimeFix, rate(k.firstTimeFix)],
      [FIGURE_LABELS.callback, rate(k.callback)],
      [FIGURE_LABELS.satisfaction, rate(k.satisfaction.rate)],
      [
        '满意 / 一般 / 不满意',
        `${k.satisfaction.satisfied.count} / ${k.satisfaction.neutral.count} / ${k.satisfaction.unsatisfied.count}`,
      ],
      [FIGURE_LABELS.repeatComplaints, k.repeatComplaints.count],
      [FIGURE_LABELS.collective, `${k.collective.count} 起，涉及 ${k.collective.residents} 户`],
    ],
  };
}
