// Emergencies in many wordings, and look-alikes that are not (a fifth round written after the others; a sixth,
// r6a/r6b, in 2026-11-23).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleEngine } from '../../src/config/rule-packs.js';
import { normalizeText } from '../../src/text/normalize.js';

const engine = loadRuleEngine('config');
const lines = readFileSync('test/fixtures/emergency-wordings.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { id: string; text: string; urgency: 'emergency' | 'normal' });

describe('emergency wordings', () => {
  it.each(lines.map((l) => [l.text, l.urgency]))('%s → %s', (text, urgency) => {
    expect(engine.classify(normalizeText(text).match).urgency).toBe(urgency);
  });
});
