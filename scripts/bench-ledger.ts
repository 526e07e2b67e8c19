// npm run bench:ledger — the Excel ledger with 100,000 lines must stream: under 30 s and under 200 MB more memory
// (issue #14). Generates tickets lazily (no database), builds each line with ledgerRowOf as the export does, writes
// them over LEDGER_MONTHS month sheets (default 12) to a temporary file, and samples memory while it writes.
// LEDGER_ROWS / LEDGER_MONTHS / LEDGER_MALL=1 / LEDGER_OUT=path change the run.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerRow, ledgerRowOf, writeLedger } from '../src/reports/ledger.js';
import type { Ticket } from '../src/tickets/index.js';

const total = Number(process.env['LEDGER_ROWS'] ?? 100_000);
const monthCount = Number(process.env['LEDGER_MONTHS'] ?? 12);
const mall = process.env['LEDGER_MALL'] === '1';
const dir = mkdtempSync(join(tmpdir(), 'kf-ledger-bench-'));
const out = process.env['LEDGER_OUT'] ?? join(dir, 'ledger.xlsx');

// A fixed-seed generator: every run writes the same ledger.
let seed = 20261118;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴', '欧阳'];
const GIVEN = ['伟', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '玉兰', '小梅'];
const PROBLEMS = [
  '卫生间天花板在滴水，楼上502装修后就开始漏，已经报过一次了还没人来看',
  '电梯又停了，老人上下楼很不方便，请尽快安排维修',
  '小区门口道闸抬不起来，车辆排队很长',
  '楼下餐馆油烟太大，晚上窗户都不敢开',
  '客服电话一直没人接，态度也不好，希望改进',
  '车库照明坏了好几盏，晚上走路看不清',
  '厨房下水道堵塞返水，家里已经没法做饭了',
  '物业费收费标准不清楚，想了解一下明细',
];
const CATEGORIES = ['engineering', 'planning', 'sales', 'property', 'service', 'other'] as const;
const KINDS = ['repair', 'complaint', 'inquiry', 'suggestion', 'praise'] as const;
const TRADES = ['civil', 'water_electric', 'hvac', 'doors_windows', 'fitout', null] as const;
const STATUSES = ['open', 'assigned', 'in_progress', 'resolved', 'closed', 'closed', 'closed'] as const;
const RATINGS = ['satisfied', 'satisfied', 'neutral', 'unsatisfied', null] as const;

function ticketOf(i: number, createdAt: Date): Ticket {
  const status = pick(STATUSES);
  const done = status === 'resolved' || status === 'closed';
  return {
    id: i + 1,
    no: `KF-20260101-${String(i % 10_000).padStart(4, '0')}`,
    projectCode: 'lake',
    channel: pick(['mp', 'wecom', 'web']),
    userId: `o-${i}`,
    residentName: pick(SURNAMES) + pick(GIVEN),
    room: `${1 + (i % 20)}-${1 + (i % 3)}-${100 * (1 + (i % 30)) + (i % 4) + 1}`,
    phone: `138${String(i).padStart(8, '0')}`,
    content: pick(PROBLEMS),
    summary: '',
    kind: pick(KINDS),
    category: pick(CATEGORIES),
    trade: pick(TRADES),
    urgency: rand() < 0.1 ? 'emergency' : 'normal',
    level: 'general',
    confidence: 0.9,
    status,
    receiver: '王客服',
    images: [],
    location: null,
    causeAnalysis: done ? '管道老化' : null,
    correctiveAction: done ? '更换管道并做闭水试验' : null,
    handlingOpinion: done ? '已处理完毕，住户确认' : null,
    leaderInstruction: null,
    rulePack: mall ? 'mall' : 'residential',
    department: 'engineering',
    handler: pick(['李师傅', '赵师傅', '孙工']),
    incidentId: null,
    faultTerms: null,
    commonArea: false,
    rating: done ? pick(RATINGS) : null,
    completedAt: done ? new Date(createdAt.getTime() + 86_400_000) : null,
    responseDueAt: new Date(createdAt.getTime() + 2 * 3_600_000),
    createdAt,
    updatedAt: createdAt,
  };
}

/** The lines of one month, made as they are read, like rows from a database cursor. */
function* monthRows(month: number, from: number, count: number): Iterable<LedgerRow> {
  const start = Date.parse(`2026-${String(month).padStart(2, '0')}-01T00:00:00+08:00`);
  for (let k = 0; k < count; k++) {
    const i = from + k;
    const t = ticketOf(i, new Date(start + (k % 27) * 86_400_000 + (i % 600) * 60_000));
    const done = t.completedAt !== null;
    yield ledgerRowOf(
      t,
      {
        projectName: '湖畔花园',
        levelLabel: pick(['一般事件', '一般事件', '重要事件', '热点事件']),
        responseWorkHours: rand() * 6,
        resolutionWorkHours: done ? rand() * 40 : null,
        respondedOnTime: rand() < 0.9,
        resolvedOnTime: done ? rand() < 0.8 : null,
        repeat: rand() < 0.05,
        incident: rand() < 0.02 ? `事件#${i % 97}` : null,
        ...(mall ? { mall: { handlingUnit: '三楼服务台', cost: rand() < 0.1 ? 200 : null } } : {}),
      },
      { full: false },
    );
  }
}

const months = Array.from({ length: monthCount }, (_, m) => {
  const from = Math.floor((total * m) / monthCount);
  const to = Math.floor((total * (m + 1)) / monthCount);
  const month = ((m % 12) + 1) as number;
  return {
    month: `${2026 + Math.floor(m / 12)}-${String(month).padStart(2, '0')}`,
    rows: monthRows(month, from, to - from),
  };
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const before = process.memoryUsage();
const peak = { rss: before.rss, heapUsed: before.heapUsed, external: before.external };
const sample = () => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
};
const sampler = setInterval(sample, 25);

const t0 = performance.now();
const result = await writeLedger(out, {
  months,
  kpi: [{ title: '基准测试', rows: [['工单数', total]] }],
  mall,
  title: '台账基准测试',
  generatedAt: new Date('2026-12-01T09:00:00+08:00'),
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
sample();
const after = process.memoryUsage();

const rssGrowth = peak.rss - before.rss;
const heapGrowth = peak.heapUsed - before.heapUsed;
const ok = seconds < 30 && rssGrowth < 200 * 1024 * 1024;
console.log(`台账：${result.rows} 行，${result.sheets.length} 个月份工作表${mall ? '（购物中心列）' : ''}`);
console.log(`文件：${out}（${mb(statSync(out).size)}）`);
console.log(`用时：${seconds.toFixed(1)} 秒（${Math.round(result.rows / seconds)} 行/秒）`);
console.log(`RSS：开始 ${mb(before.rss)}，结束 ${mb(after.rss)}，峰值 ${mb(peak.rss)}，增长 ${mb(rssGrowth)}`);
console.log(
  `堆：开始 ${mb(before.heapUsed)}，结束 ${mb(after.heapUsed)}，峰值 ${mb(peak.heapUsed)}，增长 ${mb(heapGrowth)}`,
);
console.log(`堆外（Buffer）：开始 ${mb(before.external)}，峰值 ${mb(peak.external)}，结束 ${mb(after.external)}`);
console.log(`目标（< 30 秒，内存增长 < 200 MB）：${ok ? '达到' : '未达到'}`);
if (!process.env['LEDGER_OUT']) rmSync(dir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
