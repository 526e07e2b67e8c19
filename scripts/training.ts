// Training and leave-one-writer-out, shared by `npm run train`, `npm run eval` and the test that retrains the model.
import {
  emergencyProbability,
  featuresOf,
  type LabelledFeatures,
  type LabelledLine,
  type ModelReading,
  readWithModel,
  type TextModel,
  trainModel,
} from '../src/classifier/index.js';
import type { RuleEngine } from '../src/rules/index.js';
import { normalizeText } from '../src/text/normalize.js';

/** The model reads the rules' view of the text, so it is trained against the rule packs it will run with. */
export function featureRows(engine: RuleEngine, lines: readonly LabelledLine[]): LabelledFeatures[] {
  return lines.map((l) => {
    const { match } = normalizeText(l.text);
    return {
      features: featuresOf(match, engine.classifyByRules(match)),
      writer: l.writer,
      labels: { kind: l.kind, category: l.category, trade: l.trade ?? 'none', urgency: l.urgency, level: l.level },
    };
  });
}

export interface HeldOut {
  line: LabelledLine;
  reading: ModelReading;
}

/** Each of `folds` (writers) predicted by a model trained on every other line. */
export function leaveOneWriterOut(
  lines: readonly LabelledLine[],
  rows: readonly LabelledFeatures[],
  folds: readonly string[],
): { held: HeldOut[]; models: Map<string, TextModel> } {
  const out: HeldOut[] = [];
  const models = new Map<string, TextModel>();
  for (const writer of folds) {
    const model = trainModel(
      rows.filter((r) => r.writer !== writer),
      0.5,
    );
    models.set(writer, model);
    rows.forEach((r, i) => {
      if (r.writer === writer) out.push({ line: lines[i]!, reading: readWithModel(model, r.features) });
    });
  }
  return { held: out, models };
}

/**
 * The emergency threshold on held-out writers: the highest that still finds `recall` of the emergencies while
 * keeping `precision`; where both cannot hold, the lowest that keeps the precision (a flood of false alarms would
 * teach staff to ignore the alarm).
 */
export function chooseEmergencyThreshold(held: readonly HeldOut[], recall = 0.98, precision = 0.85): number {
  const scored = held.map((h) => ({ p: emergencyProbability(h.reading), yes: h.line.urgency === 'emergency' }));
  const positives = scored.filter((s) => s.yes).length;
  if (!positives) return 0.5;
  const candidates = [...new Set(scored.filter((s) => s.yes).map((s) => s.p))].sort((a, b) => b - a);
  const points = candidates.map((t) => {
    const flagged = scored.filter((s) => s.p >= t);
    const found = flagged.filter((s) => s.yes).length;
    return { t, recall: found / positives, precision: found / flagged.length };
  });
  const precise = points.filter((x) => x.precision >= precision);
  const enough = precise.find((x) => x.recall >= recall);
  return floor3(enough?.t ?? precise.at(-1)?.t ?? 0.5);
}

// Rounded down, so the boundary case stays caught and the committed file does not churn on float noise.
const floor3 = (t: number) => Math.floor(t * 1000) / 1000;

export const independentWriters = (lines: readonly LabelledLine[]) =>
  [...new Set(lines.map((l) => l.writer))].filter((w) => /^w\d+$/.test(w)).sort();

export interface Trained {
  model: TextModel;
  held: HeldOut[];
}

export function train(engine: RuleEngine, lines: readonly LabelledLine[]): Trained {
  const rows = featureRows(engine, lines);
  const { held } = leaveOneWriterOut(lines, rows, independentWriters(lines));
  return { model: trainModel(rows, chooseEmergencyThreshold(held)), held };
}
