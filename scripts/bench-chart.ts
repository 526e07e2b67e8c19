// npx tsx scripts/bench-chart.ts [runs] — how long the monthly report chart takes on this machine: loading ECharts,
// the first render (resvg parses the font), then per render the option, ECharts' SVG and resvg's PNG.
// REPORT_FONT picks another CJK font file.
const loadStart = performance.now();
const { monthlyChartOption } = await import('../src/reports/chart-options.js');
const { DEFAULT_REPORT_FONT, renderChartPng, renderChartSvg } = await import('../src/reports/chart-png.js');
const { robotImage } = await import('../src/reports/robot-image.js');
const loadMs = performance.now() - loadStart;

const runs = Number(process.argv[2] ?? 30);
const fontFile = process.env['REPORT_FONT'] || DEFAULT_REPORT_FONT;
const input = {
  title: '2026年11月 客户诉求分类统计',
  months: ['2026-10', '2026-11'],
  categories: ['工程质量类', '规划设计类', '销售管理类', '物业管理类', '客户服务类', '其他类'],
  series: [
    { name: '幸福里花园 本月', values: [38, 3, 2, 57, 14, 6] },
    { name: '幸福里花园 上月', values: [42, 2, 4, 49, 11, 8] },
    { name: '怡和苑 本月', values: [21, 1, 0, 33, 9, 4] },
    { name: '怡和苑 上月', values: [18, 2, 1, 36, 12, 3] },
  ],
  rates: [
    { name: '按时响应率', values: [94.9, 100, 100, 96.7, 91.3, 90] },
    { name: '满意度', values: [88.2, 75, 100, 92.6, 85, 90] },
  ],
};

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

const [, firstMs] = time(() => renderChartPng(monthlyChartOption(input), { fontFile }));
const samples = { option: [] as number[], svg: [] as number[], png: [] as number[], robot: [] as number[] };
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const [option, optionMs] = time(() => monthlyChartOption(input));
  const [, svgMs] = time(() => renderChartSvg(option, { width: 1000, height: 600 }));
  const [png, pngMs] = time(() => renderChartPng(option, { fontFile }));
  const [, robotMs] = time(() => robotImage(png));
  samples.option.push(optionMs);
  samples.svg.push(svgMs);
  samples.png.push(pngMs);
  samples.robot.push(robotMs);
  bytes = png.length;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? 0;
const show = (xs: number[]) => `中位 ${quantile(xs, 0.5).toFixed(1)} ms，p95 ${quantile(xs, 0.95).toFixed(1)} ms`;
console.log(`载入 ECharts 与 resvg：${loadMs.toFixed(0)} ms；首次出图（含读字体）：${firstMs.toFixed(0)} ms`);
console.log(`${runs} 次，1000×600，PNG ${(bytes / 1024).toFixed(0)} KB`);
console.log(`  生成 option：${show(samples.option)}`);
console.log(`  ECharts 出 SVG：${show(samples.svg)}`);
console.log(`  SVG + PNG 合计（renderChartPng）：${show(samples.png)}`);
console.log(`  机器人图片消息（base64 + md5）：${show(samples.robot)}`);
