// npm run train [-- --with-final] [-- --with-corrections] [-- --dry-run]: the learned classifier from the labelled
// corpus, written to config/model/classifier.json. Deterministic: the same corpus and rule packs give the same file.
// --with-corrections adds the tickets staff corrected (from the configured database); they are trained on, never
// held out, so the leave-one-writer-out folds stay the independent writers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HEADS, serialiseModel } from '../src/classifier/index.js';
import { loadRuleEngine, modelPath } from '../src/config/rule-packs.js';
import { CORRECTIONS_WRITER, correctionLines, earlyLines, finalLines, writerLines } from './corpus-files.js';
import { train } from './training.js';

const args = process.argv.slice(2);
const configDir = process.env['CONFIG_DIR'] ?? 'config';
const started = performance.now();
const lines = [
  ...writerLines(),
  ...earlyLines(),
  ...(args.includes('--with-final') ? finalLines() : []),
  ...(args.includes('--with-corrections') ? await correctionLines() : []),
];
const perWriter = new Map<string, number>();
for (const l of lines) perWriter.set(l.writer, (perWriter.get(l.writer) ?? 0) + 1);
const corrections = perWriter.get(CORRECTIONS_WRITER) ?? 0;
if (args.includes('--with-corrections')) console.log(`人工更正：${corrections} 条（来自配置的数据库）`);
// --dry-run: what would be trained on, per writer, without training (JSON on the last line).
if (args.includes('--dry-run')) {
  console.log(JSON.stringify({ lines: lines.length, perWriter: Object.fromEntries(perWriter) }));
  process.exit(0);
}
const { model, held } = train(loadRuleEngine(configDir, undefined, { withModel: false }), lines);
const out = modelPath(configDir);
mkdirSync(dirname(out), { recursive: true });
const text = serialiseModel(model);
writeFileSync(out, text);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `已训练：${lines.length} 条语料，${model.trainedOn.writers.length} 位作者；` +
    `紧急：模型概率 ≥ ${model.emergency.threshold}，或规则判紧急且概率 ≥ ${model.emergency.veto}` +
    `；置信度温度 ${HEADS.map((h) => `${h} ${model.heads[h].temperature}`).join('、')}` +
    `（均在留一作者交叉验证的 ${held.length} 条上选定）；` +
    `模型 ${(text.length / 1024).toFixed(0)} KB → ${out}，用时 ${seconds} 秒`,
);
