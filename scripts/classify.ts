// npm run classify: JSON Lines {"id","text"} on stdin → {"id","kind","category","trade","urgency","level","slots"}
// on stdout.
// A bad line gets {"id","error"} in its place, so output lines stay aligned with input lines.
import { createInterface } from 'node:readline';
import { analyseText } from '../src/intake/analyse-text.js';
import { loadRuleEngine } from '../src/config/rule-packs.js';

// Same packs as the service: CONFIG_DIR or ./config; RULE_PACK picks one (default residential).
const engine = loadRuleEngine(process.env['CONFIG_DIR'] ?? 'config');
const pack = process.env['RULE_PACK'];

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let n = 0;
for await (const line of lines) {
  n++;
  if (!line.trim()) continue;
  let id: unknown = null;
  try {
    const rec = JSON.parse(line) as { id?: unknown; text?: unknown };
    id = rec.id ?? null;
    if (typeof rec.text !== 'string') throw new Error('缺少 text 字段');
    process.stdout.write(`${JSON.stringify({ id, ...(await analyseText(engine, rec.text, pack)) })}\n`);
  } catch (err) {
    process.stderr.write(`第 ${n} 行无法处理：${(err as Error).message}\n`);
    process.stdout.write(`${JSON.stringify({ id, error: (err as Error).message })}\n`);
  }
}
