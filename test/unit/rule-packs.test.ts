// Rule packs load as data; a broken pack is refused with its file, line and reason.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { parseOrganisation } from '../../src/organisation/index.js';
import { loadRuleEngine } from '../../src/config/rule-packs.js';
import { buildPacks, parsePack, RulePackError } from '../../src/rules/index.js';

const shipped = (name: string) => readFileSync(join('config/rules', name), 'utf8');

function refusal(files: Record<string, string>): RulePackError {
  try {
    buildPacks(Object.entries(files).map(([f, text]) => parsePack(f, text)));
  } catch (err) {
    if (err instanceof RulePackError) return err;
    throw err;
  }
  throw new Error('the pack was accepted');
}

/** The residential pack with one line replaced. */
const residentialWith = (from: string, to: string) => {
  const text = shipped('residential.yaml');
  expect(text).toContain(from);
  return text.replace(from, to);
};
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the shipped rule packs', () => {
  const engine = loadRuleEngine('config');

  it('loads residential, mall and sales-office, with the residential pack as the default', () => {
    expect(engine.packNames().sort()).toEqual(['mall', 'residential', 'sales_office']);
    expect(engine.pack().pack).toBe('residential');
  });

  it('gives each pack its own levels from the seeds', () => {
    expect(engine.pack('residential').levels.map((l) => l.label)).toEqual([
      '重大事件',
      '热点事件',
      '重要事件',
      '一般事件',
    ]);
    expect(engine.pack('mall').levels.map((l) => l.label)).toEqual(['二级客诉', '一级客诉', '初级客诉']);
    expect(engine.pack('sales_office').levels.map((l) => l.label)).toEqual([
      '重大投诉',
      '重要投诉',
      '轻微投诉',
      '内部投诉',
    ]);
  });

  it('lets a pack inherit signals and put its own decision lines before the inherited ones', () => {
    const mall = engine.pack('mall');
    expect(mall.signals.some((s) => s.name === 'gas_leak')).toBe(true);
    expect(mall.kind[0]!.any).toContain('goods_rights');
    expect(mall.kind.length).toBe(engine.pack('residential').kind.length + 1);
  });
});

describe('a broken pack', () => {
  it('names the line of a YAML syntax error', () => {
    const text = residentialWith('pack: residential', 'pack: residential\nname: [unclosed');
    const err = refusal({ 'residential.yaml': text });
    expect(err.file).toBe('residential.yaml');
    expect(err.line).toBeGreaterThanOrEqual(lineOf(text, 'name: [unclosed'));
    expect(err.reason).toContain('YAML');
  });

  it('names the line of a pattern that is not a regular expression', () => {
    const text = residentialWith("patterns: ['着火', '起火',", "patterns: ['着火(', '起火',");
    const err = refusal({ 'residential.yaml': text });
    expect(err.line).toBe(lineOf(text, "'着火('"));
    expect(err.reason).toContain('fire');
  });

  it('names the line of a decision that uses an undefined signal', () => {
    const text = residentialWith(
      '{ set: complaint, any: [sarcasm], weight: 0.75 }',
      '{ set: complaint, any: [sarcasmm], weight: 0.75 }',
    );
    const err = refusal({ 'residential.yaml': text });
    expect(err.line).toBe(lineOf(text, 'sarcasmm'));
    expect(err.reason).toContain('未定义的信号 sarcasmm');
  });

  it('names the line of a grading rule with a level the pack does not have', () => {
    const text = residentialWith('level: hot\n    reason: 可能引起诉讼', 'level: hott\n    reason: 可能引起诉讼');
    const err = refusal({ 'residential.yaml': text });
    expect(err.line).toBe(lineOf(text, 'level: hott'));
    expect(err.reason).toContain('未定义的等级 hott');
  });

  it('names the line of a condition on a fact the code does not provide', () => {
    const text = residentialWith(
      '{ fact: headcount, operator: greaterThanInclusive, value: 3 }',
      '{ fact: headcunt, operator: greaterThanInclusive, value: 3 }',
    );
    const err = refusal({ 'residential.yaml': text });
    expect(err.line).toBe(lineOf(text, 'headcunt'));
    expect(err.reason).toContain('fact');
  });

  it('names the line of a condition on a signal nobody defined', () => {
    const text = residentialWith(
      '{ fact: signals, operator: contains, value: lawsuit_filed }',
      '{ fact: signals, operator: contains, value: lawsuit_filled }',
    );
    const err = refusal({ 'residential.yaml': text });
    expect(err.line).toBe(lineOf(text, 'lawsuit_filled'));
  });

  it('refuses a route to a department the pack does not list', () => {
    const text = residentialWith('department: marketing', 'department: marketting');
    expect(refusal({ 'residential.yaml': text }).reason).toContain('未定义的部门 marketting');
  });

  it('refuses a pack that extends a pack that is not there', () => {
    const err = refusal({
      'residential.yaml': shipped('residential.yaml'),
      'mall.yaml': shipped('mall.yaml').replace('extends: residential', 'extends: residental'),
    });
    expect(err.file).toBe('mall.yaml');
    expect(err.reason).toContain('residental');
  });

  it('stops the service from starting, naming file, line and reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kf-config-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'organisation.json'), readFileSync('config/organisation.json'));
    writeFileSync(
      join(dir, 'rules', 'residential.yaml'),
      residentialWith('department: marketing', 'department: marketting'),
    );
    expect(() => loadConfig({ CONFIG_DIR: dir })).toThrow(
      /规则包有误，拒绝启动：.*residential\.yaml:\d+ .*未定义的部门 marketting/,
    );
  });

  it('refuses an organisation whose project names a missing pack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kf-rules-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'residential.yaml'), shipped('residential.yaml'));
    const org = parseOrganisation({
      company: 'x',
      projects: [{ code: 'P1', name: '一期', ticketPrefix: 'KF', rulePack: 'hotel', receptionist: 'kf01' }],
    });
    expect(() => loadRuleEngine(dir, org)).toThrow(/规则包 hotel 不存在/);
  });
});
