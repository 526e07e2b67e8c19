// The monthly report chart as an ECharts option. Pure and JSON-serialisable on purpose: the server renders it to
// PNG for the group robot, and the console dashboard will send the very same option to ECharts in the browser.
// Only types come from echarts, so nothing of it (and nothing of Node) ends up in the browser bundle.
import type { BarSeriesOption, EChartsOption, LineSeriesOption, YAXisComponentOption } from 'echarts';

export interface ChartSeries {
  name: string;
  /** One value per category; null = no data (no bar, a gap in a line). */
  values: (number | null)[];
}

export interface MonthlyChartInput {
  title: string;
  /** 'YYYY-MM', e.g. ['2026-10', '2026-11']; shown as the subtitle. */
  months: string[];
  /** x axis labels: project names, or categories such as 工程质量类. */
  categories: string[];
  /** Counts, drawn as bars on the left axis. */
  series: ChartSeries[];
  /** Percentages 0–100, drawn as lines on the right axis. */
  rates?: ChartSeries[];
}

// Bar colours come in pairs of one hue, dark then light, so "A 本月, A 上月, B 本月, B 上月" reads as two projects
// with this month emphasised; line colours are hues no bar uses.
const BAR_COLOURS = ['#2f5fb3', '#9db8e6', '#d9822b', '#f2c894', '#3f8f6b', '#a8d5bf', '#7a5bb0', '#cbbbe6'];
const LINE_COLOURS = ['#0f9d58', '#d93a49', '#8e44ad', '#0097a7'];
// A stack that every platform resolves: PingFang on macOS, YaHei on Windows, Noto or WenQuanYi on Linux (and the
// server, where resvg also falls back to the one font it is given).
const FONT_STACK = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif";
const TEXT = '#333333';
const MUTED = '#666666';
const GRID_LINE = '#e6e6e6';
// With rate lines the counts keep to the lower part of the plot, so bar labels stay clear of the lines above.
const BAR_HEADROOM = 0.62;
const AXIS_SPLITS = 5;

export function monthlyChartOption(input: MonthlyChartInput): EChartsOption {
  const rates = input.rates ?? [];
  checkLengths(input.categories, [...input.series, ...rates]);
  checkRates(rates);
  const hasRates = rates.length > 0;
  const subtitle = monthsLabel(input.months);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_STACK, color: TEXT },
    title: {
      text: input.title,
      subtext: subtitle,
      left: 24,
      top: 16,
      textStyle: { fontSize: 20, fontWeight: 'bold', color: TEXT },
      subtextStyle: { fontSize: 13, color: MUTED },
    },
    legend: {
      top: subtitle ? 76 : 56,
      left: 'center',
      itemGap: 22,
      itemWidth: 18,
      itemHeight: 11,
      textStyle: { fontSize: 13, color: TEXT },
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 72, right: hasRates ? 72 : 40, top: subtitle ? 128 : 108, bottom: 56 },
    xAxis: {
      type: 'category',
      data: input.categories,
      axisTick: { alignWithLabel: true },
      axisLine: { lineStyle: { color: '#999999' } },
      // Every category is named, rotated only when there are too many to sit side by side.
      axisLabel: { interval: 0, fontSize: 13, color: TEXT, rotate: input.categories.length > 8 ? 30 : 0 },
    },
    yAxis: [countAxis(input.series, hasRates), ...(hasRates ? [rateAxis()] : [])],
    series: [...input.series.map(barSeries), ...rates.map((s, i) => lineSeries(s, i, rates))],
  };
}

function countAxis(series: ChartSeries[], hasRates: boolean): YAXisComponentOption {
  const axis: YAXisComponentOption = {
    type: 'value',
    name: '工单数（件）',
    nameTextStyle: { color: MUTED, fontSize: 12, align: 'left' },
    min: 0,
    minInterval: 1,
    axisLabel: { color: MUTED, fontSize: 12 },
    splitLine: { lineStyle: { color: GRID_LINE, type: 'dashed' } },
  };
  if (!hasRates) return axis;
  // Five splits like the 0–100 % axis, so the two axes share one set of grid lines.
  const largest = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const step = niceStep(largest / (AXIS_SPLITS * BAR_HEADROOM));
  return { ...axis, max: step * AXIS_SPLITS, interval: step };
}

function rateAxis(): YAXisComponentOption {
  return {
    type: 'value',
    name: '比率',
    nameTextStyle: { color: MUTED, fontSize: 12, align: 'right' },
    min: 0,
    max: 100,
    interval: 100 / AXIS_SPLITS,
    axisLabel: { color: MUTED, fontSize: 12, formatter: '{value}%' },
    splitLine: { show: false },
  };
}

function barSeries(s: ChartSeries, i: number): BarSeriesOption {
  return {
    type: 'bar',
    name: s.name,
    yAxisIndex: 0,
    data: s.values.map((v) => v ?? '-'),
    itemStyle: { color: BAR_COLOURS[i % BAR_COLOURS.length], borderRadius: [2, 2, 0, 0] },
    barMaxWidth: 36,
    barGap: '12%',
    label: { show: true, position: 'top', fontSize: 11, color: TEXT },
  };
}

function lineSeries(s: ChartSeries, i: number, all: ChartSeries[]): LineSeriesOption {
  const colour = LINE_COLOURS[i % LINE_COLOURS.length];
  return {
    type: 'line',
    name: s.name,
    yAxisIndex: 1,
    z: 3,
    symbol: 'circle',
    symbolSize: 7,
    connectNulls: false,
    lineStyle: { width: 2.5, color: colour },
    itemStyle: { color: colour, borderColor: '#ffffff', borderWidth: 1.5 },
    // Per point, the higher of the lines puts its label above and the others below, so two close rates
    // (95.2 % and 93.8 %) never print on top of each other.
    data: s.values.map((v, c) =>
      v === null
        ? '-'
        : { value: round1(v), label: { position: isHighest(all, i, c) ? 'top' : 'bottom', distance: 6 } },
    ),
    label: { show: true, formatter: '{c}%', fontSize: 11, color: colour, fontWeight: 'bold' },
  };
}

function isHighest(all: ChartSeries[], index: number, category: number): boolean {
  const mine = all[index]?.values[category] ?? 0;
  // Ties go to the first line, so exactly one label of a category sits on top.
  return all.every((other, j) => {
    const theirs = other.values[category];
    return j === index || theirs === null || theirs === undefined || mine > theirs || (mine === theirs && index < j);
  });
}

/** The smallest of 1, 2, 5 × 10^k that is at least the wanted step (counts are whole numbers, so at least 1). */
function niceStep(wanted: number): number {
  if (wanted <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(wanted));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= wanted);
  return step ?? 10 * magnitude;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function monthsLabel(months: string[]): string {
  if (months.length === 0) return '';
  const sorted = [...months].sort();
  const first = monthName(sorted[0]!);
  const last = monthName(sorted[sorted.length - 1]!);
  return first === last ? `统计月份：${first}` : `统计月份：${first} — ${last}`;
}

function monthName(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${m[1]}年${Number(m[2])}月` : month;
}

function checkLengths(categories: string[], series: ChartSeries[]): void {
  const wrong = series.filter((s) => s.values.length !== categories.length);
  if (wrong.length) {
    const names = wrong.map((s) => `"${s.name}"（${s.values.length} 个）`).join('、');
    throw new RangeError(`图表数据不完整：${names}的数值个数与横轴的 ${categories.length} 个分类不一致`);
  }
}

function checkRates(rates: ChartSeries[]): void {
  const bad = rates.filter((s) => s.values.some((v) => v !== null && !(v >= 0 && v <= 100)));
  if (bad.length) {
    const names = bad.map((s) => `"${s.name}"`).join('、');
    throw new RangeError(`${names}应为 0 到 100 之间的百分比`);
  }
}
