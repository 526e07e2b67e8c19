// The labelled corpus through `npm run eval`: a real process, and the targets as a regression guard.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run eval', () => {
  const meetsTheTargets =
    'meets the targets on the labelled corpus (category ≥ 90%, ' +
    'emergency recall ≥ 98% at precision ≥ 90%, level ≥ 85%, slots ≥ 95%)';
  it(meetsTheTargets, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--json'], { encoding: 'utf8' });
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
