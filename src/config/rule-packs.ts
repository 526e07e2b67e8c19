// Reads config/rules/*.yaml into a rule engine; the engine itself never touches the file system.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModel, type TextModel } from '../classifier/index.js';
import { buildPacks, parsePack, RuleEngine, RulePackError } from '../rules/index.js';
import type { Organisation } from '../organisation/index.js';

export const DEFAULT_PACK = 'residential';

/** The learned classifier that `npm run train` writes, beside the rule packs it was trained with. */
export const modelPath = (configDir: string) => join(configDir, 'model', 'classifier.json');

export function loadTextModel(configDir: string): TextModel | undefined {
  const path = modelPath(configDir);
  if (!existsSync(path)) return undefined;
  try {
    return parseModel(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RulePackError(path, 1, `分类模型无法读取：${(err as Error).message}（可用 npm run train 重新生成）`);
  }
}

/**
 * Throws RulePackError (file, line, reason) for a broken pack, and for a project naming a pack that is not there.
 * `withModel` (default): read with the learned classifier as well, where `npm run train` has written one; off, the
 * decision lists decide alone (CLASSIFIER=rules, and tests of the rules themselves).
 */
export function loadRuleEngine(
  configDir: string,
  organisation?: Organisation,
  options: { withModel?: boolean } = {},
): RuleEngine {
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
  return new RuleEngine(packs, fallback, options.withModel === false ? undefined : loadTextModel(configDir));
}
