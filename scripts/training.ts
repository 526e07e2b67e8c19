// Training and leave-one-writer-out, shared by `npm run train`, `npm run eval` and the test that retrains the model.
import {
  type EmergencyRule,
  emergencyProbability,
  isEmergency,
  featuresOf,
  fitTemperatures,
  HEADS,
  type LabelledFeatures,
  type LabelledLine,
  type ModelReading,
  readWithModel,
  recalibrated,
  type Temperatures,
  type TextModel,
  trainModel,
} from '../src/classifier/index.js';
import type { RuleEngine } from '../src/rules/index.js';
import { normalizeText } from '../src/text/normalize.js';

/** The model reads the rules' view of the text, so it is trained against the rule packs it will run with. */
export interface FeatureRow extends LabelledFeatures {
  strongEmergency: boolean;
}

export function featureRows(engine: RuleEngine, lines: readonly LabelledLine[]): FeatureRow[] {
  return lines.map((l) => {
    const { match } = normalizeText(l.text);
    const byRules = engine.classifyByRules(match);
    return {
      features: featuresOf(match, byRules),
      strongEmergency: engine.strongEmergency(byRules),
      writer: l.writer,
      labels: { kind: l.kind, category: l.category, trade: l.trade ?? 'none', urgency: l.urgency, level: l.level },
    };
  });
}

export interface HeldOut {
  line: LabelledLine;
  reading: ModelReading;
  strongEmergency: boolean;
}

/** Each of `folds` (writers) predicted by a model trained on every other line. */
export function leaveOneWriterOut(
  lines: readonly LabelledLine[],
  rows: readonly FeatureRow[],
  folds: readonly string[],
): { held: HeldOut[]; models: Map<string, TextModel> } {
  const out: HeldOut[] = [];
  const models = new Map<string, TextModel>();
  for (const writer of folds) {
    const model = trainModel(
      rows.filter((r) => r.writer !== writer),
      { threshold: 0.5, veto: 1 },
    );
    models.set(writer, model);
    rows.forEach((r, i) => {
      if (r.writer !== writer) return;
      out.push({ line: lines[i]!, reading: readWithModel(model, r.features), strongEmergency: r.strongEmergency });
    });
  }
  return { held: out, models };
}

// How sure (calibrated P below it) the model must be that a report is not an emergency to overrule the rules' strong
// signal; 1: never trust the signal alone.
const VETOES = [0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 1];

/**
 * The emergency rule on held-out writers: of the thresholds and vetoes that keep `precision`, one that finds
 * `recall` of the emergencies with the fewest alarms, else the one that finds the most (a flood of false alarms
 * would teach staff to ignore the alarm).
 */
export function chooseEmergencyRule(held: readonly HeldOut[], recall = 0.98, precision = 0.85): EmergencyRule {
  const scored = held.map((h) => ({
    p: emergencyProbability(h.reading),
    rules: h.strongEmergency,
    yes: h.line.urgency === 'emergency',
  }));
  const positives = scored.filter((s) => s.yes).length;
  if (!positives) return { threshold: 0.5, veto: 1 };
  const thresholds = [...new Set(scored.filter((s) => s.yes).map((s) => floor3(s.p)))].sort((a, b) => b - a);
  const points = VETOES.flatMap((veto) =>
    thresholds.map((threshold) => {
      const rule = { threshold, veto };
      const flagged = scored.filter((s) => isEmergency(rule, s.p, s.rules));
      const found = flagged.filter((s) => s.yes).length;
      return { rule, recall: found / positives, precision: found / flagged.length };
    }),
  );
  const precise = points.filter((x) => x.precision >= precision);
  const enough = precise.filter((x) => x.recall >= recall).sort((a, b) => b.precision - a.precision)[0];
  const most = [...precise].sort((a, b) => b.recall - a.recall || b.precision - a.precision)[0];
  return (enough ?? most)?.rule ?? { threshold: 0.5, veto: 1 };
}

// Rounded down, so the boundary case stays caught and the committed file does not churn on float noise.
const floor3 = (t: number) => Math.floor(t * 1000) / 1000;

export const independentWriters = (lines: readonly LabelledLine[]) =>
  [...new Set(lines.map((l) => l.writer))].filter((w) => /^w\d+$/.test(w)).sort();

export interface Trained {
  model: TextModel;
  held: HeldOut[];
}

export interface Calibration {
  temperatures: Temperatures;
  emergency: EmergencyRule;
}

/** Fitted on held-out lines only: how sure each head may say it is, then when a report is an emergency. */
export function calibrateOn(held: readonly HeldOut[]): Calibration {
  const temperatures = fitTemperatures(
    held.map((h) => ({
      reading: h.reading,
      labels: {
        kind: h.line.kind,
        category: h.line.category,
        trade: h.line.trade ?? 'none',
        urgency: h.line.urgency,
        level: h.line.level,
      },
    })),
  );
  const emergency = chooseEmergencyRule(held.map((h) => ({ ...h, reading: recalibrated(h.reading, temperatures) })));
  return { temperatures, emergency };
}

/** A fold's model with a calibration: its heads at the fitted temperatures, and the emergency rule. */
export function calibrated(model: TextModel, { temperatures, emergency }: Calibration): TextModel {
  const heads = Object.fromEntries(
    HEADS.map((name) => [name, { ...model.heads[name], temperature: temperatures[name] }]),
  ) as TextModel['heads'];
  return { ...model, heads, emergency };
}

export function train(engine: RuleEngine, lines: readonly LabelledLine[]): Trained & Calibration {
  const rows = featureRows(engine, lines);
  const { held } = leaveOneWriterOut(lines, rows, independentWriters(lines));
  const { temperatures, emergency } = calibrateOn(held);
  return { model: trainModel(rows, emergency, temperatures), held, temperatures, emergency };
}
