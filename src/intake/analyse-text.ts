// One message's classification and slots, with exactly the code the bot uses (for `npm run classify`).
import { extractSlots } from '../dialogue/index.js';
import { classify, type Classification } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';

export interface Analysis extends Omit<Classification, 'confidence'> {
  slots: { name: string | null; room: string | null; phone: string | null };
}

export function analyseText(text: string): Analysis {
  const { match } = normalizeText(text);
  const { confidence: _confidence, ...c } = classify(match);
  const s = extractSlots(match);
  return { ...c, slots: { name: s.name ?? null, room: s.room ?? null, phone: s.phone ?? null } };
}
