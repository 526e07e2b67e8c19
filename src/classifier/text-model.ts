// The learned part of understanding a message: one linear head per label, over featuresOf(). The rules still
// decide what they decide well (head counts, dates, threats, amounts, the packs' explicit policy); the model
// reads the ways people write that no hand-written pattern covers.
import { best, type Example, type LinearHead, predictHead, type TrainOptions, trainHead } from './linear-model.js';

export const HEADS = ['kind', 'category', 'trade', 'urgency', 'level'] as const;
export type HeadName = (typeof HEADS)[number];

export interface TextModel {
  heads: Record<HeadName, LinearHead>;
  /** P(emergency) at or above this is an emergency: chosen on held-out writers for recall. */
  emergencyThreshold: number;
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

export function trainModel(
  rows: readonly LabelledFeatures[],
  emergencyThreshold: number,
  options?: TrainOptions,
): TextModel {
  const head = (name: HeadName) =>
    trainHead(
      rows.map((r): Example => ({ features: r.features, label: r.labels[name] })),
      options,
    );
  return {
    heads: {
      kind: head('kind'),
      category: head('category'),
      trade: head('trade'),
      urgency: head('urgency'),
      level: head('level'),
    },
    emergencyThreshold,
    trainedOn: { examples: rows.length, writers: [...new Set(rows.map((r) => r.writer))].sort() },
  };
}

export function readWithModel(model: TextModel, features: readonly string[]): ModelReading {
  const one = (name: HeadName): Prediction => {
    const h = model.heads[name];
    const p = predictHead(h, features);
    return { ...best(h, p), all: Object.fromEntries(h.labels.map((l, i) => [l, p[i]!])) };
  };
  return {
    kind: one('kind'),
    category: one('category'),
    trade: one('trade'),
    urgency: one('urgency'),
    level: one('level'),
  };
}

export const emergencyProbability = (r: ModelReading) => r.urgency.all['emergency'] ?? 0;

// The committed file: weights rounded to 1/1000 (the model's answers do not change at that precision), features
// whose every weight rounds to zero left out.
interface StoredHead {
  labels: string[];
  bias: number[];
  weights: Record<string, number[]>;
}
interface StoredModel {
  format: 1;
  emergencyThreshold: number;
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
    heads[name] = { labels: h.labels, bias: h.bias.map(round), weights };
  }
  const stored: StoredModel = {
    format: 1,
    emergencyThreshold: model.emergencyThreshold,
    trainedOn: model.trainedOn,
    heads,
  };
  return `${JSON.stringify(stored)}\n`;
}

export function parseModel(text: string): TextModel {
  const stored = JSON.parse(text) as StoredModel;
  if (stored.format !== 1) throw new Error(`未知的模型格式：${String(stored.format)}`);
  const heads = {} as Record<HeadName, LinearHead>;
  for (const name of HEADS) {
    const h = stored.heads[name];
    if (!h) throw new Error(`模型缺少 ${name} 分类器`);
    heads[name] = {
      labels: h.labels,
      bias: h.bias,
      weights: new Map(Object.entries(h.weights).map(([f, row]) => [f, Float64Array.from(row)])),
    };
  }
  return { heads, emergencyThreshold: stored.emergencyThreshold, trainedOn: stored.trainedOn };
}
