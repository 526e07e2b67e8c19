// One message's classification, grade and slots, with exactly the code the bot uses (`npm run classify`,
// `npm run eval`).
import { extractSlots } from '../dialogue/index.js';
import { judgedLevel, type Classification, type RuleEngine } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';

export interface Analysis extends Omit<Classification, 'confidence'> {
  slots: { name: string | null; room: string | null; phone: string | null };
}

export async function analyseText(engine: RuleEngine, text: string, pack?: string): Promise<Analysis> {
  const { match } = normalizeText(text);
  const c = engine.classify(match, pack);
  // The level the words justify, including one that still waits for a manager's approval in the workflow.
  const level = judgedLevel(await engine.grade(c));
  const s = extractSlots(match, text);
  return {
    kind: c.kind,
    category: c.category,
    trade: c.trade,
    urgency: c.urgency,
    level,
    slots: { name: s.name ?? null, room: s.room ?? null, phone: s.phone ?? null },
  };
}
