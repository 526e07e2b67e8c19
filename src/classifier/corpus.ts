// The labelled corpus: one JSON object per line, each recording who wrote it (data/corpus/, test/fixtures/).
import { CATEGORIES, KINDS, LEVELS, TRADES, URGENCIES } from '../rules/codes.js';

export interface Slots {
  name: string | null;
  room: string | null;
  phone: string | null;
}

export interface LabelledLine {
  id: string;
  writer: string;
  text: string;
  kind: string;
  category: string;
  /** Categories a careful clerk could also defend: counted as right. */
  categoryAlt: string[];
  trade: string | null;
  urgency: string;
  level: string;
  slots: Slots;
}

export class CorpusError extends Error {}

/** Parses a JSON Lines corpus; `writer` names lines that do not say who wrote them (the project's early sets). */
export function parseCorpus(source: string, text: string, writer?: string): LabelledLine[] {
  const out: LabelledLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    const where = `${source}:${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new CorpusError(`${where}: 不是合法的 JSON`);
    }
    const code = (key: string, allowed: readonly string[], nullable = false) => {
      const v = o[key];
      if (nullable && v === null) return null;
      if (typeof v !== 'string' || !allowed.includes(v))
        throw new CorpusError(`${where}: ${key} 取值 ${JSON.stringify(v)} 不在 ${allowed.join('/')} 之中`);
      return v;
    };
    const slots = (o['slots'] ?? {}) as Partial<Slots>;
    const alt = Array.isArray(o['category_alt']) ? (o['category_alt'] as unknown[]) : [];
    out.push({
      id: String(o['id'] ?? where),
      writer: typeof o['writer'] === 'string' ? o['writer'] : (writer ?? 'unknown'),
      text: String(o['text'] ?? ''),
      kind: code('kind', KINDS)!,
      category: code('category', CATEGORIES)!,
      categoryAlt: alt.filter((c): c is string => typeof c === 'string' && CATEGORIES.includes(c as never)),
      trade: code('trade', TRADES, true),
      urgency: code('urgency', URGENCIES)!,
      level: code('level', LEVELS)!,
      slots: { name: slots.name ?? null, room: slots.room ?? null, phone: slots.phone ?? null },
    });
  });
  return out;
}
