// npx tsx scripts/sample-chart.ts [out.png] — renders the monthly report chart with plausible figures for two projects
// to docs/sample-monthly-chart.png, the picture the README shows. REPORT_FONT picks another CJK font file.
import { writeFileSync } from 'node:fs';
import { monthlyChartOption } from '../src/reports/chart-options.js';
import { DEFAULT_REPORT_FONT, renderChartPng } from '../src/reports/chart-png.js';

const out = process.argv[2] ?? 'docs/sample-monthly-chart.png';
const option = monthlyChartOption({
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
});
const png = renderChartPng(option, { fontFile: process.env['REPORT_FONT'] || DEFAULT_REPORT_FONT });
writeFileSync(out, png);
console.log(`${out}：${png.length} 字节`);
