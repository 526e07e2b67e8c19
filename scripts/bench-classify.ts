// npm run bench:classify — the bot's classification (learned model + rules; CLASSIFIER=rules for the rules alone) of
// the labelled corpus on one core (no LLM, no database). Prints how long the model takes to load and how much memory
// it adds, messages per second and where the time goes: normalisation, classification, grading (json-rules-engine).
import { readFileSync } from 'node:fs';
import { loadRuleEngine } from '../src/config/rule-packs.js';
import { normalizeText } from '../src/text/normalize.js';

const corpusPath = process.argv[2] ?? 'test/fixtures/corpus.jsonl';
const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
const texts = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => (JSON.parse(l) as { text: string }).text);
const configDir = process.env['CONFIG_DIR'] ?? 'config';
const withModel = process.env['CLASSIFIER'] !== 'rules';
loadRuleEngine(configDir, undefined, { withModel: false }); // the packs' own start-up cost, not the model's
const heapBefore = heapNow();
const loadStart = performance.now();
const engine = loadRuleEngine(configDir, undefined, { withModel });
const loadMs = performance.now() - loadStart;
const modelHeap = heapNow() - heapBefore;

function heapNow(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

async function pass(timed: boolean, spent: { normalise: bigint; classify: bigint; grade: bigint }): Promise<void> {
  for (const text of texts) {
    const t0 = timed ? process.hrtime.bigint() : 0n;
    const { match } = normalizeText(text);
    const t1 = timed ? process.hrtime.bigint() : 0n;
    const c = engine.classify(match);
    const t2 = timed ? process.hrtime.bigint() : 0n;
    await engine.grade(c);
    if (timed) {
      const t3 = process.hrtime.bigint();
      spent.normalise += t1 - t0;
      spent.classify += t2 - t1;
      spent.grade += t3 - t2;
    }
  }
}

const spent = { normalise: 0n, classify: 0n, grade: 0n };
for (let i = 0; i < 20; i++) await pass(false, spent); // warm-up: JIT, regex compilation

// Throughput without per-phase timers, then the split with them.
let messages = 0;
const start = process.hrtime.bigint();
const deadline = start + BigInt(seconds * 1e9);
while (process.hrtime.bigint() < deadline) {
  await pass(false, spent);
  messages += texts.length;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
for (let i = 0; i < 20; i++) await pass(true, spent);
const total = Number(spent.normalise + spent.classify + spent.grade);
const share = (x: bigint) => `${((Number(x) / total) * 100).toFixed(1)}%`;
const perMsg = (x: bigint) => `${(Number(x) / 1000 / (20 * texts.length)).toFixed(1)} µs`;
const rate = messages / elapsed;

console.log(
  engine.model
    ? `分类：学习模型 + 规则；载入 ${loadMs.toFixed(0)} ms（目标 < 1,000），模型占堆 ${modelHeap.toFixed(1)} MB`
    : '分类：只用规则',
);
console.log(`语料：${corpusPath}（${texts.length} 条），单核，${elapsed.toFixed(1)} 秒，共 ${messages} 条`);
console.log(`吞吐：${Math.round(rate).toLocaleString('zh-CN')} 条/秒（目标 ≥ 5,000）${rate >= 5000 ? ' ✓' : ' ✗'}`);
console.log(
  `耗时占比：文字规范化 ${share(spent.normalise)}（${perMsg(spent.normalise)}/条）` +
    `· 分类 ${share(spent.classify)}（${perMsg(spent.classify)}/条）` +
    `· 定级规则 ${share(spent.grade)}（${perMsg(spent.grade)}/条）`,
);
console.log(
  `内存：堆 ${heapNow().toFixed(1)} MB（载入模型前 ${heapBefore.toFixed(1)} MB），` +
    `常驻 ${(process.memoryUsage().rss / 1048576).toFixed(1)} MB`,
);
