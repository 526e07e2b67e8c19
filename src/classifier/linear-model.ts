// Multinomial logistic regression over sparse binary features, trained deterministically: the same examples in the
// same order give the same weights on any machine, so a test can retrain and compare with the committed model.

export interface Example {
  features: readonly string[];
  label: string;
}

export interface TrainOptions {
  epochs: number;
  /** L2 penalty per example step; keeps rare n-grams from memorising their one line. */
  l2: number;
  learningRate: number;
  /** Features seen in fewer examples are dropped. */
  minCount: number;
  seed: number;
}

// Chosen by leave-one-writer-out (15 epochs matched 30 and trains in half the time; stronger L2 lost accuracy).
export const DEFAULT_TRAINING: TrainOptions = { epochs: 15, l2: 1e-5, learningRate: 0.3, minCount: 2, seed: 7 };

/** A trained head: one weight row per feature, one column per label. */
export interface LinearHead {
  labels: string[];
  bias: number[];
  weights: Map<string, Float64Array>;
  /** Scores are divided by it before the softmax, so that P is right as often as it says (fitted on held-out). */
  temperature: number;
}

export function trainHead(examples: readonly Example[], options: TrainOptions = DEFAULT_TRAINING): LinearHead {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const k = labels.length;
  const counts = new Map<string, number>();
  for (const e of examples) for (const f of e.features) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocab = [...counts].filter(([, n]) => n >= options.minCount).map(([f]) => f);
  vocab.sort();
  const index = new Map(vocab.map((f, i) => [f, i]));
  const rows = examples.map((e) => ({
    x: Int32Array.from(e.features.flatMap((f) => (index.has(f) ? [index.get(f)!] : []))),
    y: labels.indexOf(e.label),
  }));
  const w = new Float64Array(vocab.length * k);
  const g2 = new Float64Array(vocab.length * k).fill(1e-8);
  const b = new Float64Array(k);
  const b2 = new Float64Array(k).fill(1e-8);
  const p = new Float64Array(k);
  const order = rows.map((_, i) => i);
  const random = mulberry32(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const { x, y } = rows[i]!;
      scores(w, b, x, k, p);
      softmax(p);
      for (let c = 0; c < k; c++) {
        const grad = p[c]! - (c === y ? 1 : 0);
        b2[c]! += grad * grad;
        b[c]! -= (options.learningRate * grad) / Math.sqrt(b2[c]!);
        for (const f of x) {
          const j = f * k + c;
          const gj = grad + options.l2 * w[j]!;
          g2[j]! += gj * gj;
          w[j]! -= (options.learningRate * gj) / Math.sqrt(g2[j]!);
        }
      }
    }
  }
  const weights = new Map<string, Float64Array>();
  vocab.forEach((f, i) => weights.set(f, w.slice(i * k, (i + 1) * k)));
  return { labels, bias: [...b], weights, temperature: 1 };
}

/** Probabilities from scores at a temperature (in place: `scores` is a scratch copy). */
export function softmaxOf(scores: Float64Array, temperature: number): Float64Array {
  if (temperature !== 1) for (let c = 0; c < scores.length; c++) scores[c]! /= temperature;
  return softmax(scores);
}

export function best(head: Pick<LinearHead, 'labels'>, p: ArrayLike<number>): { label: string; p: number } {
  let top = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[top]!) top = c;
  return { label: head.labels[top]!, p: p[top]! };
}

/**
 * The temperature that makes held-out probabilities honest (least log-loss): a model trained to near-certainty on
 * its own writers says 0.99 on a stranger's message it reads wrong; low confidence is what sends a report to the
 * second opinion. `held` are probabilities at temperature 1 with the true label's index.
 */
export function fitTemperature(held: readonly { p: ArrayLike<number>; y: number }[]): number {
  let bestT = 1;
  let bestLoss = Infinity;
  for (let t = 0.5; t <= 8.0001; t += 0.1) {
    let loss = 0;
    for (const { p, y } of held) loss -= Math.log(Math.max(1e-12, tempered(p, t)[y]!));
    if (loss < bestLoss) [bestLoss, bestT] = [loss, Math.round(t * 10) / 10];
  }
  return bestT;
}

/** Probabilities given at temperature 1, as they would be at `t` (log p are the scores up to a constant). */
export function tempered(p: ArrayLike<number>, t: number): Float64Array {
  const out = Float64Array.from(p, (x) => Math.log(Math.max(1e-300, x)) / t);
  return softmax(out);
}

function scores(w: Float64Array, b: Float64Array, x: Int32Array, k: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) out[c] = b[c]!;
  for (const f of x) for (let c = 0; c < k; c++) out[c]! += w[f * k + c]!;
}

function softmax(p: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of p) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < p.length; c++) {
    p[c] = Math.exp(p[c]! - max);
    sum += p[c]!;
  }
  for (let c = 0; c < p.length; c++) p[c]! /= sum;
  return p;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(a: number[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
