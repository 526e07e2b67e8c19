// One message's classification, grade and slots, with exactly the code the bot uses (`npm run classify`, `npm run eval`).
import { extractSlots } from '../dialogue/index.js';
import type { Classification, RuleEngine } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';

export interface Analysis extends Omit<Classification, 'confidence'> {
  slots: { name: string | null; room: string | null; phone: string | null };
}

export async function analyseText(engine: RuleEngine, text: string, pack?: string): Promise<Analysis> {
  const { match } = normalizeText(text);
  const c = engine.classify(match, pack);
  const { level } = await engine.grade(c);
  const s = extractSlots(match);
  return {
    kind: c.kind,
    category: c.category,
    trade: c.trade,
    urgency: c.urgency,
    level,
    slots: { name: s.name ?? null, room: s.room ?? null, phone: s.phone ?? null },
  };
}
