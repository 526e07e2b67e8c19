// npm run eval [-- corpus.jsonl] [--errors] [--json]: the classifier against a labelled corpus, with the same code the
// bot uses. Prints accuracy per label, emergency precision/recall, slot exact-match rate and confusion matrices for
// category and level.
import { readFileSync } from 'node:fs';
import { analyseText, type Analysis } from '../src/intake/analyse-text.js';
import { loadRuleEngine } from '../src/config/rule-packs.js';

interface Labelled extends Analysis {
  id: string;
  text: string;
  tags?: string[];
}

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--')) ?? 'test/fixtures/corpus.jsonl';
const corpus: Labelled[] = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Labelled);
const engine = loadRuleEngine(process.env['CONFIG_DIR'] ?? 'config');

const LABELS = ['kind', 'category', 'trade', 'urgency', 'level'] as const;
const results: { want: Labelled; got: Analysis }[] = [];
for (const want of corpus) results.push({ want, got: await analyseText(engine, want.text) });

const pct = (n: number, d: number) => (d === 0 ? 1 : n / d);
const show = (x: number) => `${(x * 100).toFixed(1)}%`;
const accuracy = Object.fromEntries(
  LABELS.map((k) => [k, pct(results.filter((r) => r.got[k] === r.want[k]).length, results.length)]),
) as Record<(typeof LABELS)[number], number>;
const tp = results.filter((r) => r.want.urgency === 'emergency' && r.got.urgency === 'emergency').length;
const precision = pct(tp, results.filter((r) => r.got.urgency === 'emergency').length);
const recall = pct(tp, results.filter((r) => r.want.urgency === 'emergency').length);
const slots = pct(
  results.filter((r) => (['name', 'room', 'phone'] as const).every((k) => r.got.slots[k] === r.want.slots[k])).length,
  results.length,
);
const targets = [
  { name: '类别准确率 ≥ 90%', ok: accuracy.category >= 0.9 },
  { name: '紧急查全率 ≥ 98%', ok: recall >= 0.98 },
  { name: '紧急查准率 ≥ 90%', ok: precision >= 0.9 },
  { name: '等级准确率 ≥ 85%', ok: accuracy.level >= 0.85 },
  { name: '槽位完全正确 ≥ 95%', ok: slots >= 0.95 },
];

if (args.includes('--json')) {
  console.log(
    JSON.stringify({
      corpus: path,
      messages: results.length,
      accuracy,
      emergency: { precision, recall },
      slotsExact: slots,
      targetsMet: targets.every((t) => t.ok),
    }),
  );
} else {
  console.log(`语料：${path}，共 ${results.length} 条\n`);
  console.log('各标签准确率：');
  for (const k of LABELS) console.log(`  ${k.padEnd(9)} ${show(accuracy[k])}`);
  console.log(`  slots     ${show(slots)}（姓名、房号、电话全部正确）`);
  console.log(`\n紧急情况：查准率 ${show(precision)}，查全率 ${show(recall)}（真阳性 ${tp}）`);
  matrix('类别混淆矩阵（行 = 标注，列 = 预测）', 'category');
  matrix('等级混淆矩阵（行 = 标注，列 = 预测）', 'level');
  console.log('\n目标：');
  for (const t of targets) console.log(`  ${t.ok ? '✓' : '✗'} ${t.name}`);
  if (args.includes('--errors')) errors();
}

function matrix(title: string, key: 'category' | 'level'): void {
  const values = [...new Set(results.flatMap((r) => [r.want[key], r.got[key]]))].sort();
  const width = Math.max(...values.map((v) => v.length), 5) + 1;
  console.log(`\n${title}`);
  console.log(' '.repeat(width) + values.map((v) => v.padStart(width)).join(''));
  for (const row of values) {
    const cells = values.map((col) =>
      String(results.filter((r) => r.want[key] === row && r.got[key] === col).length).padStart(width),
    );
    console.log(row.padEnd(width) + cells.join(''));
  }
}

function errors(): void {
  const wrong = results.filter(
    (r) =>
      LABELS.some((k) => r.got[k] !== r.want[k]) ||
      (['name', 'room', 'phone'] as const).some((k) => r.got.slots[k] !== r.want.slots[k]),
  );
  console.log(`\n错例（${wrong.length} 条，最多列 40 条）：`);
  for (const { want, got } of wrong.slice(0, 40)) {
    const diffs = [
      ...LABELS.filter((k) => got[k] !== want[k]).map((k) => `${k} ${want[k]}→${got[k]}`),
      ...(['name', 'room', 'phone'] as const)
        .filter((k) => got.slots[k] !== want.slots[k])
        .map((k) => `${k} ${want.slots[k]}→${got.slots[k]}`),
    ];
    console.log(`  ${want.id} ${want.text}\n      ${diffs.join('；')}`);
  }
}
