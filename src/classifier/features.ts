// What the model reads of a message: its characters in short runs, and what the rules already saw in it.
// Character n-grams need no word list and survive typos, dialect and homophones better than words do: a slip
// changes one character and leaves most of the runs around it intact.

/** The rules' view of the text, fed to the model as features so it can learn when to trust them. */
export interface RuleView {
  signals: readonly string[];
  kind: string;
  category: string;
  trade: string | null;
  urgency: string;
  headcount: number | null;
  reportedDays: number | null;
}

const SEPARATORS = /[\s,.!?;:，。！？；：、…~～"'“”‘’()（）【】[\]<>《》]+/u;

/** Distinct features of one message (`match` is the normalised text), in a stable order. */
export function featuresOf(match: string, rules: RuleView): string[] {
  const out = new Set<string>();
  // Numbers say little by their value (room 502, phone digits) and much by being there.
  const text = match.replace(/\d+/g, '0').replace(/[A-Z]+/g, (w) => (w.length > 1 ? w : 'A'));
  for (const piece of text.split(SEPARATORS)) {
    if (!piece) continue;
    const c = [...piece];
    for (let i = 0; i < c.length; i++) {
      out.add(c[i]!);
      if (i + 1 < c.length) out.add(c[i]! + c[i + 1]!);
      if (i + 2 < c.length) out.add(c[i]! + c[i + 1]! + c[i + 2]!);
    }
  }
  for (const s of rules.signals) out.add(`#${s}`);
  out.add(`@kind=${rules.kind}`);
  out.add(`@category=${rules.category}`);
  out.add(`@trade=${rules.trade ?? 'none'}`);
  out.add(`@urgency=${rules.urgency}`);
  const h = rules.headcount ?? 0;
  if (h >= 3) out.add('@people>=3');
  if (h >= 10) out.add('@people>=10');
  const d = rules.reportedDays ?? 0;
  if (d >= 7) out.add('@reported>=7d');
  if (d >= 30) out.add('@reported>=30d');
  if (text.length <= 8) out.add('@short');
  else if (text.length >= 60) out.add('@long');
  return [...out];
}
