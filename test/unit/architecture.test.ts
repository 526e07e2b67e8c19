// Dependencies point inward: domain modules import no HTTP, SQL or platform code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);

const DOMAIN = [
  'src/dialogue',
  'src/rules',
  'src/tickets',
  'src/text',
  'src/intake',
  'src/calendar',
  'src/staff',
  'src/alerts',
];
const ALLOWED = [/^\.\.?\//, /^zod$/, /^opencc-js$/, /^json-rules-engine$/, /^yaml$/];
const FORBIDDEN_INSIDE = [/\/db\//, /\/http\//, /\/channels\/(?!types\.js$)/, /\/notifications\//, /\/scheduler\//];

describe('architecture', () => {
  const domainFiles = DOMAIN.flatMap(files);

  it('finds the domain modules', () => expect(domainFiles.length).toBeGreaterThan(10));

  it.each(domainFiles.map((f) => [relative('.', f)]))('%s imports no framework, database or channel code', (file) => {
    for (const spec of importsOf(file)) {
      expect(
        ALLOWED.some((re) => re.test(spec)),
        `${file} imports ${spec}`,
      ).toBe(true);
      expect(
        FORBIDDEN_INSIDE.some((re) => re.test(spec)),
        `${file} imports ${spec}`,
      ).toBe(false);
    }
  });
});
