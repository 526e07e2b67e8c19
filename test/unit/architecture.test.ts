// The layers hold, checked on the import graph (type-only imports count, and so does everything reached through
// other modules): the domain reaches only itself and the domain-free lib; the use cases never reach the database or
// the edge; the database reaches no channel; and there are no import cycles.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SOURCES = files('src').map((f) => normalize(f));
const specsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
const resolveSpec = (file: string, spec: string) => normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')));
const graph = new Map(
  SOURCES.map((f) => [
    f,
    specsOf(f)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveSpec(f, s)),
  ]),
);

/** Every source file the file reaches through its imports, itself excluded. */
function reach(file: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(file) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.get(next) ?? []));
  }
  return seen;
}

const folderOf = (file: string) => relative('src', file).split('/')[0]!.replace(/\.ts$/, '');

const DOMAIN = ['dialogue', 'rules', 'classifier', 'tickets', 'calendar', 'text', 'staff', 'organisation', 'kpi'];
const USE_CASES = ['intake', 'alerts'];
const LAYERS: { name: string; folders: string[]; mayReach: string[] }[] = [
  { name: 'lib', folders: ['lib'], mayReach: ['lib'] },
  { name: 'domain', folders: DOMAIN, mayReach: [...DOMAIN, 'lib'] },
  { name: 'use cases', folders: USE_CASES, mayReach: [...USE_CASES, ...DOMAIN, 'lib'] },
  {
    name: 'database',
    folders: ['db'],
    mayReach: ['db', 'intake', 'notifications', 'config', 'llm', ...DOMAIN, 'lib'],
  },
];
/** npm packages the domain may use: pure libraries, no I/O. */
const DOMAIN_PACKAGES = [/^zod$/, /^opencc-js$/, /^json-rules-engine$/, /^yaml$/, /^chinese-days$/];

describe('architecture', () => {
  it('finds the modules', () => expect(SOURCES.length).toBeGreaterThan(60));

  for (const layer of LAYERS) {
    const members = SOURCES.filter((f) => layer.folders.includes(folderOf(f)));
    it.each(members.map((f) => [relative('.', f)]))(`${layer.name}: %s stays inside its layer`, (f) => {
      const outside = [...reach(normalize(f))].filter((r) => !layer.mayReach.includes(folderOf(r)));
      expect(outside, `${f} reaches ${outside.join(', ')}`).toEqual([]);
    });
  }

  it('the database layer reaches no channel', () => {
    const bad = SOURCES.filter((f) => folderOf(f) === 'db').flatMap((f) =>
      [...reach(f)].filter((r) => ['channels', 'http', 'scheduler'].includes(folderOf(r))).map((r) => `${f} → ${r}`),
    );
    expect(bad).toEqual([]);
  });

  it('the domain imports only pure npm packages', () => {
    const bad = SOURCES.filter((f) => DOMAIN.includes(folderOf(f)) || folderOf(f) === 'lib').flatMap((f) =>
      specsOf(f)
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
        .filter((s) => folderOf(f) !== 'lib' && !DOMAIN_PACKAGES.some((re) => re.test(s)))
        .map((s) => `${f} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles = SOURCES.filter((f) => reach(f).has(f)).map((f) => relative('.', f));
    expect(cycles).toEqual([]);
  });
});
