// What people read: the figures' and groups' names in Chinese (reports, the dashboard, export headers), and the
// formatting of rates and hours. Codes stay English everywhere else.
import type { Dimension, FigureName } from './figures.js';

export const FIGURE_LABELS: Record<FigureName, string> = {
  filed: '报事数',
  cancelled: '已撤销',
  completed: '已完成',
  responseOnTime: '按时响应率',
  resolutionOnTime: '按时解决率',
  responseHours: '响应时长（工作小时）',
  resolutionHours: '解决时长（工作小时）',
  firstTimeFix: '一次解决率',
  callback: '回访率',
  satisfaction: '满意率',
  repeatComplaints: '重复投诉',
  collective: '集体投诉事件',
  complaintsPerHousehold: '户均投诉率',
};

/** Sub-figures' names, where a figure has several numbers. */
export const PART_LABELS = {
  satisfied: '满意',
  neutral: '一般',
  unsatisfied: '不满意',
  residents: '涉及住户',
  households: '入住户数',
  complaints: '投诉数',
  meanHours: '平均',
  medianHours: '中位数',
} as const;

export const DIMENSION_LABELS: Record<Dimension, string> = {
  project: '项目',
  category: '类别',
  kind: '诉求类型',
  level: '事件等级',
  handler: '处理人',
};

/** The handler group of tickets nobody is assigned to. */
export const UNASSIGNED_LABEL = '未派单';

/** A rate as people read it: 0.8333 → "83.3%"; no denominator → "—". */
export const formatPercent = (rate: number | null, digits = 1) =>
  rate === null ? '—' : `${(rate * 100).toFixed(digits)}%`;

/** Working hours to one decimal: 21.5 → "21.5 小时"; nothing measured → "—". */
export const formatHours = (hours: number | null) => (hours === null ? '—' : `${hours.toFixed(1)} 小时`);

/** Complaints per household as per mille (the usual figure for a housing estate): 0.012 → "12.0‰". */
export const formatPerMille = (rate: number | null) => (rate === null ? '—' : `${(rate * 1000).toFixed(1)}‰`);
