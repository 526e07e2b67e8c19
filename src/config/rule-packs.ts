// Reads config/rules/*.yaml into a rule engine; the engine itself never touches the file system.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPacks, parsePack, RuleEngine, RulePackError } from '../rules/index.js';
import type { Organisation } from '../organisation/index.js';

export const DEFAULT_PACK = 'residential';

/** Throws RulePackError (file, line, reason) for a broken pack, and for a project naming a pack that is not there. */
export function loadRuleEngine(configDir: string, organisation?: Organisation): RuleEngine {
  const dir = join(configDir, 'rules');
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const parsed = files.map((f) => parsePack(join(dir, f), readFileSync(join(dir, f), 'utf8')));
  const packs = buildPacks(parsed);
  for (const p of organisation?.projects ?? []) {
    if (!packs.has(p.rulePack))
      throw new RulePackError(
        join(configDir, 'organisation.json'),
        1,
        `项目 ${p.code} 使用的规则包 ${p.rulePack} 不存在（已有：${[...packs.keys()].join('、')}）`,
      );
  }
  const fallback = packs.has(DEFAULT_PACK)
    ? DEFAULT_PACK
    : (organisation?.projects[0]?.rulePack ?? [...packs.keys()][0]!);
  return new RuleEngine(packs, fallback);
}
