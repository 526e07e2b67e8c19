// The learned part of understanding a message: one linear head per label, over featuresOf(). The rules still
// decide what they decide well (head counts, dates, threats, amounts, the packs' explicit policy); the model
// reads the ways people write that no hand-written pattern covers.
import {
  best,
  type Example,
  fitTemperature,
  type LinearHead,
  softmaxOf,
  tempered,
  type TrainOptions,
  trainHead,
} from './linear-model.js';

export const HEADS = ['kind', 'category', 'trade', 'urgency', 'level'] as const;
export type HeadName = (typeof HEADS)[number];

/**
 * When a report is an emergency, chosen on held-out writers for recall: the model's P(emergency) at or above
 * `threshold`, or the rules' emergency on a life-threatening signal (gas, fire, a trapped lift) unless the model is
 * sure it is not one (P below `veto`: a question about a past or imagined emergency). Missing an emergency costs
 * hours; a false alarm, a visit.
 */
export interface EmergencyRule {
  threshold: number;
  veto: number;
}

export interface TextModel {
  heads: Record<HeadName, LinearHead>;
  emergency: EmergencyRule;
  /** What the model was trained on, for the README and `npm run eval`. */
  trainedOn: { examples: number; writers: string[] };
}

export interface Prediction {
  label: string;
  p: number;
  /** Probability of every label, for thresholds and second opinions. */
  all: Record<string, number>;
}

export type ModelReading = Record<HeadName, Prediction>;

export interface LabelledFeatures {
  features: readonly string[];
  writer: string;
  labels: Record<HeadName, string>;
}

export type Temperatures = Record<HeadName, number>;
export const UNCALIBRATED: Temperatures = { kind: 1, category: 1, trade: 1, urgency: 1, level: 1 };

export function trainModel(
  rows: readonly LabelledFeatures[],
  emergency: EmergencyRule,
  temperatures: Temperatures = UNCALIBRATED,
  options?: TrainOptions,
): TextModel {
  const head = (name: HeadName) => ({
    ...trainHead(
      rows.map((r): Example => ({ features: r.features, label: r.labels[name] })),
      options,
    ),
    temperature: temperatures[name],
  });
  return {
    heads: {
      kind: head('kind'),
      category: head('category'),
      trade: head('trade'),
      urgency: head('urgency'),
      level: head('level'),
    },
    emergency,
    trainedOn: { examples: rows.length, writers: [...new Set(rows.map((r) => r.writer))].sort() },
  };
}

export function readWithModel(model: TextModel, features: readonly string[]): ModelReading {
  const { rows, offsets, width } = compiled(model);
  const scores = new Float64Array(width);
  for (const name of HEADS) scores.set(model.heads[name].bias, offsets[name]);
  for (const f of features) {
    const row = rows.get(f);
    if (row) for (let i = 0; i < width; i++) scores[i]! += row[i]!;
  }
  const one = (name: HeadName): Prediction => {
    const h = model.heads[name];
    return prediction(
      h.labels,
      softmaxOf(scores.subarray(offsets[name], offsets[name] + h.labels.length), h.temperature),
    );
  };
  return {
    kind: one('kind'),
    category: one('category'),
    trade: one('trade'),
    urgency: one('urgency'),
    level: one('level'),
  };
}

const prediction = (labels: string[], p: ArrayLike<number>): Prediction => ({
  ...best({ labels }, p),
  all: Object.fromEntries(labels.map((l, i) => [l, p[i]!])),
});

// Every head's weights for a feature side by side, so a message costs one lookup per feature instead of five (the
// lookups in a map of ~100,000 n-grams were most of the time a report took to read).
interface Compiled {
  rows: Map<string, Float64Array>;
  offsets: Record<HeadName, number>;
  width: number;
}
const compiledModels = new WeakMap<TextModel, Compiled>();

function compiled(model: TextModel): Compiled {
  const known = compiledModels.get(model);
  if (known) return known;
  const offsets = {} as Record<HeadName, number>;
  let width = 0;
  for (const name of HEADS) {
    offsets[name] = width;
    width += model.heads[name].labels.length;
  }
  const rows = new Map<string, Float64Array>();
  for (const name of HEADS)
    for (const [f, w] of model.heads[name].weights) {
      let row = rows.get(f);
      if (!row) rows.set(f, (row = new Float64Array(width)));
      row.set(w, offsets[name]);
    }
  const made = { rows, offsets, width };
  compiledModels.set(model, made);
  return made;
}

/** Per head, the temperature that fits readings of held-out lines (made at temperature 1) to their labels. */
export function fitTemperatures(held: readonly { reading: ModelReading; labels: Record<HeadName, string> }[]) {
  const fitted = (name: HeadName) => {
    const labels = Object.keys(held[0]!.reading[name].all);
    return fitTemperature(
      held
        .map((h) => ({ p: labels.map((l) => h.reading[name].all[l]!), y: labels.indexOf(h.labels[name]) }))
        .filter((x) => x.y >= 0),
    );
  };
  return Object.fromEntries(HEADS.map((h) => [h, fitted(h)])) as Temperatures;
}

/** A reading made at temperature 1, as the calibrated model would make it. */
export function recalibrated(reading: ModelReading, temperatures: Temperatures): ModelReading {
  const one = (name: HeadName): Prediction => {
    const labels = Object.keys(reading[name].all);
    return prediction(
      labels,
      tempered(
        labels.map((l) => reading[name].all[l]!),
        temperatures[name],
      ),
    );
  };
  return Object.fromEntries(HEADS.map((h) => [h, one(h)])) as ModelReading;
}

export const emergencyProbability = (r: ModelReading) => r.urgency.all['emergency'] ?? 0;

export const isEmergency = (rule: EmergencyRule, p: number, strongRuleSignal: boolean) =>
  p >= rule.threshold || (strongRuleSignal && p >= rule.veto);

// The committed file: weights rounded to 1/1000 (the model's answers do not change at that precision), features
// whose every weight rounds to zero left out.
interface StoredHead {
  labels: string[];
  bias: number[];
  weights: Record<string, number[]>;
  temperature: number;
}
interface StoredModel {
  format: 2;
  emergency: EmergencyRule;
  trainedOn: TextModel['trainedOn'];
  heads: Record<HeadName, StoredHead>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function serialiseModel(model: TextModel): string {
  const heads = {} as Record<HeadName, StoredHead>;
  for (const name of HEADS) {
    const h = model.heads[name];
    const weights: Record<string, number[]> = {};
    for (const [f, row] of [...h.weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const r = [...row].map(round);
      if (r.some((x) => x !== 0)) weights[f] = r;
    }
    heads[name] = { labels: h.labels, bias: h.bias.map(round), weights, temperature: h.temperature };
  }
  const stored: StoredModel = {
    format: 2,
    emergency: model.emergency,
    trainedOn: model.trainedOn,
    heads,
  };
  return `${JSON.stringify(stored)}\n`;
}

export function parseModel(text: string): TextModel {
  const stored = JSON.parse(text) as StoredModel;
  if (stored.format !== 2) throw new Error(`未知的模型格式：${String(stored.format)}`);
  const heads = {} as Record<HeadName, LinearHead>;
  for (const name of HEADS) {
    const h = stored.heads[name];
    if (!h) throw new Error(`模型缺少 ${name} 分类器`);
    heads[name] = {
      labels: h.labels,
      bias: h.bias,
      weights: new Map(Object.entries(h.weights).map(([f, row]) => [f, Float64Array.from(row)])),
      temperature: h.temperature,
    };
  }
  return { heads, emergency: stored.emergency, trainedOn: stored.trainedOn };
}
