// The learned classifier: the committed model is what `npm run train` makes of the corpus, and the bot's code
// (model + rules + grading + slots, through `npm run eval`) still reads the project's first corpus right.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADS, parseModel, serialiseModel, type Temperatures, trainModel } from '../../src/classifier/index.js';
import { loadRuleEngine, modelPath } from '../../src/config/rule-packs.js';
import { earlyLines, writerLines } from '../../scripts/corpus-files.js';
import { featureRows } from '../../scripts/training.js';

describe('the learned classifier', () => {
  it('when retrained from the corpus, then it is exactly the committed model file', () => {
    const committed = readFileSync(modelPath('config'), 'utf8');
    const { emergency, heads } = parseModel(committed);
    const temperatures = Object.fromEntries(HEADS.map((h) => [h, heads[h].temperature])) as Temperatures;
    const engine = loadRuleEngine('config', undefined, { withModel: false });
    const lines = [...writerLines(), ...earlyLines()];
    const retrained = serialiseModel(trainModel(featureRows(engine, lines), emergency, temperatures));
    // Not toBe on 4 MB of text: a mismatch should say "run npm run train", not print the file.
    expect(retrained === committed, '语料或规则包改了：请运行 npm run train 并提交模型文件').toBe(true);
  }, 60_000);

  const meetsTheTargets =
    'when the first corpus goes through npm run eval, then category ≥ 90%, ' +
    'emergency recall ≥ 98% at precision ≥ 90%, level ≥ 85%, slots ≥ 95%';
  it(meetsTheTargets, () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/eval.ts', '--corpus', 'test/fixtures/corpus.jsonl'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(figures.messages).toBeGreaterThanOrEqual(300);
    expect(figures.accuracy.category).toBeGreaterThanOrEqual(0.9);
    expect(figures.emergency.recall).toBeGreaterThanOrEqual(0.98);
    expect(figures.emergency.precision).toBeGreaterThanOrEqual(0.9);
    expect(figures.accuracy.level).toBeGreaterThanOrEqual(0.85);
    expect(figures.slotsExact).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});
