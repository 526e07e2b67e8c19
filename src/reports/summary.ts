// The monthly report's text for a managers' group: this month against last, in Chinese markdown the group robot
// shows (≤ 4096 bytes). It names no resident: only counts, rates and ticket numbers are in the KPIs it reads.
import { CATEGORY_LABEL, type Category } from '../rules/index.js';
import {
  FIGURE_LABELS,
  formatHours,
  formatPercent,
  formatPerMille,
  type KpiSet,
  type MonthKpis,
} from '../kpi/index.js';

export interface SummaryInput {
  /** Who it is for: a project's name, or the company for head office. */
  scope: string;
  current: MonthKpis;
  previous: MonthKpis;
  /** The KPIs of the scope: `all`, or one project's group. */
  pick: (k: MonthKpis) => KpiSet | undefined;
  /** Links to the console's report page and the ledger download, when the service has a public address. */
  links?: { report: string; ledger: string };
  /** Projects ranked for head office: name and the project's code in `by.project`. */
  projects?: { code: string; name: string }[];
  /** Sent after the due day (every instance was down): the text says so. */
  late?: boolean;
}

const monthTitle = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

function change(now: number | null, before: number | null, asPercent: boolean): string {
  if (now === null || before === null) return '';
  const d = now - before;
  if (Math.abs(d) < 1e-9) return '（与上月持平）';
  const sign = d > 0 ? '↑' : '↓';
  return asPercent
    ? `（${sign}${Math.abs(d * 100).toFixed(1)} 个百分点）`
    : `（上月 ${before}，${sign}${Math.abs(d)}）`;
}

const EMPTY = { count: 0, tickets: [] };

export function monthlySummary(s: SummaryInput): string {
  const now = s.pick(s.current);
  const before = s.pick(s.previous);
  const lines: string[] = [`**${s.scope} ${monthTitle(s.current.month)} 客户服务月报**`];
  if (s.late) lines.push('<font color="comment">（系统停机后补发）</font>');
  if (!now || now.filed.count === 0) {
    lines.push(`本月没有受理的报事与投诉。`);
    return lines.join('\n');
  }
  const was = before ?? undefined;
  const rate = (f: (k: KpiSet) => { rate: number | null }) =>
    `${formatPercent(f(now).rate)}${was ? change(f(now).rate, f(was).rate, true) : ''}`;
  const filedChange = was ? change(now.filed.count, was.filed.count, false) : '';
  const hours = (h: number | null) => formatHours(h);
  lines.push(
    `> 受理 <font color="info">${now.filed.count}</font> 单${filedChange}，` +
      `已完成 ${now.completed.count} 单，撤销 ${now.cancelled.count} 单`,
    `> ${FIGURE_LABELS.responseOnTime} ${rate((k) => k.responseOnTime)}`,
    `> ${FIGURE_LABELS.resolutionOnTime} ${rate((k) => k.resolutionOnTime)}`,
    `> 平均响应 ${hours(now.responseHours.meanHours)}，平均解决 ${hours(now.resolutionHours.meanHours)}（工作时间）`,
    `> ${FIGURE_LABELS.firstTimeFix} ${rate((k) => k.firstTimeFix)}`,
    `> ${FIGURE_LABELS.callback} ${rate((k) => k.callback)}；` +
      `${FIGURE_LABELS.satisfaction} ${rate((k) => k.satisfaction.rate)}` +
      `（满意 ${now.satisfaction.satisfied.count}、一般 ${now.satisfaction.neutral.count}、` +
      `不满意 <font color="warning">${now.satisfaction.unsatisfied.count}</font>）`,
    `> 重复投诉 <font color="warning">${now.repeatComplaints.count}</font> 单；集体投诉 ${now.collective.count} 起` +
      `（涉及 ${now.collective.residents} 户）`,
  );
  if (now.complaintsPerHousehold.households !== null)
    lines.push(
      `> ${FIGURE_LABELS.complaintsPerHousehold} ${formatPerMille(now.complaintsPerHousehold.rate)}` +
        `（投诉 ${now.complaintsPerHousehold.complaints.count} 单 / ${now.complaintsPerHousehold.households} 户）`,
    );
  const categories = Object.entries(s.current.by.category)
    .map(([code]) => [code, categoryCount(s, code)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (categories.length)
    lines.push(`**各类别**：${categories.map(([c, n]) => `${CATEGORY_LABEL[c as Category] ?? c} ${n}`).join('、')}`);
  if (s.projects?.length) {
    const ranked = s.projects
      .map((p) => ({ ...p, k: s.current.by.project[p.code] }))
      .map((p) => ({ ...p, filed: p.k?.filed ?? EMPTY, onTime: p.k?.resolutionOnTime.rate ?? null }))
      .sort((a, b) => (b.onTime ?? -1) - (a.onTime ?? -1));
    lines.push(
      '**各项目**（按时解决率）：' +
        ranked.map((p) => `${p.name} ${p.filed.count} 单 ${formatPercent(p.onTime)}`).join('；'),
    );
  }
  if (s.links) lines.push(`[查看月报](${s.links.report}) · [下载台账](${s.links.ledger})`);
  return lines.join('\n');
}

/** Category groups are the whole month's: a project's report counts its own tickets of each. */
function categoryCount(s: SummaryInput, code: string): number {
  const mine = new Set(s.pick(s.current)?.filed.tickets ?? []);
  return (s.current.by.category[code]?.filed.tickets ?? []).filter((id) => mine.has(id)).length;
}
