// npm run report -- --month 2026-11 [--project XFL] [--full] --out DIR
// One month's ledger.xlsx, summary.md and kpi.png from the configured database: the same code as the scheduled
// report, so an operator can run a month again by hand. --full writes residents' names and phones (logged).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { createConsoleStore } from '../db/console-store.js';
import { openDatabase } from '../db/data-source.js';
import { loadCipher } from '../db/keyring-source.js';
import { isMonth } from '../kpi/index.js';
import { systemClock } from '../lib/clock.js';
import { companyReport, monthReport, projectReport, writeMonthLedger } from '../reports/monthly-report.js';
import { reportDeps } from '../reports/report-deps.js';

const USAGE = '用法：npm run report -- --month YYYY-MM [--project 项目编码] [--full] --out 目录';
const { values } = parseArgs({
  options: {
    month: { type: 'string' },
    project: { type: 'string' },
    out: { type: 'string' },
    full: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

if (!values.month || !isMonth(values.month)) fail('缺少或错误的 --month（例如 2026-11）');
if (!values.out) fail('缺少 --out 输出目录');
const config = loadConfig({ ...process.env, CLASSIFIER: 'rules' });
const project = values.project ? config.organisation.projects.find((p) => p.code === values.project) : undefined;
if (values.project && !project)
  fail(`未知项目 ${values.project}（可选：${config.organisation.projects.map((p) => p.code).join('、')}）`);

const ds = await openDatabase(config.database, loadCipher(config.personalData, config.database));
try {
  const now = systemClock.now();
  const deps = reportDeps(config, ds);
  const report = await monthReport(deps, values.month, now);
  mkdirSync(values.out, { recursive: true });
  if (values.full)
    await createConsoleStore(ds).audit(
      { actor: 'cli', action: 'ledger_full', reason: `${values.month} ${values.project ?? '全部项目'}` },
      now,
    );
  const ledger = await writeMonthLedger(deps, report, join(values.out, 'ledger.xlsx'), {
    projects: values.project ? [values.project] : undefined,
    full: values.full,
  });
  // The project's summary and chart, or the company's (whether or not a group robot is configured for it).
  const target = project ? projectReport(deps, report, project) : companyReport(deps, report);
  writeFileSync(join(values.out, 'summary.md'), `${target.text}\n`);
  writeFileSync(join(values.out, 'kpi.png'), target.png);
  console.log(
    `已写入 ${values.out}：ledger.xlsx（${ledger.rows} 行）、summary.md、kpi.png` +
      `${values.full ? '（完整台账，含住户姓名电话，已记入审计日志）' : ''}`,
  );
} finally {
  await ds.destroy();
}
