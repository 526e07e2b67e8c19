// Rule pack text → validated, compiled packs. Every refusal names the file, the line and the reason.
import { LineCounter, parseDocument, type Document } from 'yaml';
import {
  PackSchema,
  type DeadlineRuleDef,
  type Decision,
  type GradeRuleDef,
  type NotifyRuleDef,
  type PackFile,
  type RouteRuleDef,
} from './pack-schema.js';
import type { Category, Kind, Trade, Urgency } from './codes.js';

export class RulePackError extends Error {
  override name = 'RulePackError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line} ${reason}`);
  }
}

export interface CompiledSignal {
  name: string;
  label: string;
  re: RegExp;
  negatable: boolean;
}

export interface Level {
  code: string;
  label: string;
  /** Higher is more serious; the highest level that applies wins. */
  rank: number;
}

export interface RulePack {
  pack: string;
  name: string;
  levels: Level[];
  defaultLevel: string;
  signals: CompiledSignal[];
  urgency: Decision<Urgency>[];
  kind: Decision<Kind>[];
  category: Decision<Category>[];
  trade: Decision<Trade | null>[];
  defaults: { kind: Kind; category: Category };
  problemSignals: string[];
  grading: GradeRuleDef[];
  departments: Record<string, { label: string }>;
  routing: RouteRuleDef[];
  defaultDepartment: string;
  notifications: NotifyRuleDef[];
  deadlines: DeadlineRuleDef[];
  collective: NonNullable<PackFile['collective']>;
  llmThreshold: number;
  safetyReviewSignals: string[];
  /** The rules' emergency on these stands unless the learned model is sure it is not one (the model's veto). */
  strongEmergencySignals: string[];
}

interface Parsed {
  file: string;
  data: PackFile;
  lineOf: (path: (string | number)[]) => number;
}

export function parsePack(file: string, text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first)
    throw new RulePackError(file, lines.linePos(first.pos[0]).line, `YAML 格式错误：${first.message.split('\n')[0]}`);
  const lineOf = (path: (string | number)[]) => nodeLine(doc, lines, path);
  const result = PackSchema.safeParse(doc.toJS());
  if (!result.success) {
    const { path, message } = deepest(result.error.issues[0]!, []);
    throw new RulePackError(file, lineOf(path), `${path.join('.') || '(文件)'}：${message}`);
  }
  return { file, data: result.data, lineOf };
}

interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
}

/** A condition is a union: "invalid input" says nothing, the branch that got furthest says what is wrong. */
function deepest(
  issue: Issue,
  prefix: (string | number)[],
): { path: (string | number)[]; message: string; wrongShape: boolean } {
  const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
  const branches = (issue.errors ?? []).map((b) => b[0]).filter((b): b is Issue => b !== undefined);
  // A branch that only misses its key ("all", "any", "not") or has foreign keys is the wrong shape, not the mistake.
  const wrongShape = issue.code === 'unrecognized_keys' || /received undefined/.test(issue.message);
  if (issue.code !== 'invalid_union' || branches.length === 0) return { path, message: issue.message, wrongShape };
  const score = (d: { path: unknown[]; wrongShape: boolean }) => d.path.length - (d.wrongShape ? 100 : 0);
  return branches.map((b) => deepest(b, path)).reduce((a, b) => (score(b) > score(a) ? b : a));
}

/** The line of the deepest node on the path that exists (an absent key points at its parent). */
function nodeLine(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

/** Resolves `extends`, compiles patterns and checks every cross-reference. */
export function buildPacks(parsed: Parsed[]): Map<string, RulePack> {
  const byName = new Map<string, Parsed>();
  for (const p of parsed) {
    if (byName.has(p.data.pack)) throw new RulePackError(p.file, p.lineOf(['pack']), `规则包 ${p.data.pack} 重复定义`);
    byName.set(p.data.pack, p);
  }
  const out = new Map<string, RulePack>();
  for (const p of parsed) out.set(p.data.pack, build(p, byName));
  return out;
}

function chain(p: Parsed, byName: Map<string, Parsed>): Parsed[] {
  const seen: Parsed[] = [p];
  for (let cur = p; cur.data.extends; ) {
    const parent = byName.get(cur.data.extends);
    if (!parent) throw new RulePackError(cur.file, cur.lineOf(['extends']), `找不到被继承的规则包 ${cur.data.extends}`);
    if (seen.includes(parent)) throw new RulePackError(cur.file, cur.lineOf(['extends']), '规则包循环继承');
    seen.push(parent);
    cur = parent;
  }
  return seen;
}

function build(p: Parsed, byName: Map<string, Parsed>): RulePack {
  const layers = chain(p, byName);
  // The nearest layer that says something about a section wins; signals and departments add up.
  const pick = <K extends keyof PackFile>(key: K): { value: NonNullable<PackFile[K]>; from: Parsed } => {
    const from = layers.find((l) => l.data[key] !== undefined);
    if (!from) throw new RulePackError(p.file, 1, `缺少 ${String(key)}（本包及其继承的包都没有定义）`);
    return { value: from.data[key] as NonNullable<PackFile[K]>, from };
  };
  const signals = new Map<string, CompiledSignal>();
  for (const layer of [...layers].reverse()) {
    for (const [name, s] of Object.entries(layer.data.signals)) signals.set(name, compileSignal(layer, name, s));
  }
  const levels = pick('levels').value.map((l, i, all) => ({ ...l, rank: all.length - i }));
  const departments = Object.assign({}, ...[...layers].reverse().map((l) => l.data.departments ?? {})) as Record<
    string,
    { label: string }
  >;
  const pack: RulePack = {
    pack: p.data.pack,
    name: p.data.name,
    levels,
    defaultLevel: pick('defaultLevel').value,
    signals: [...signals.values()],
    urgency: decisions(layers, 'urgency', p),
    kind: decisions(layers, 'kind', p),
    category: decisions(layers, 'category', p),
    trade: decisions(layers, 'trade', p),
    defaults: pick('defaults').value,
    problemSignals: pick('problemSignals').value,
    grading: pick('grading').value,
    departments,
    routing: pick('routing').value,
    defaultDepartment: pick('defaultDepartment').value,
    notifications: pick('notifications').value,
    deadlines: pick('deadlines').value,
    collective: pick('collective').value,
    llmThreshold:
      p.data.llmThreshold ?? layers.find((l) => l.data.llmThreshold !== undefined)?.data.llmThreshold ?? 0.6,
    safetyReviewSignals: layers.find((l) => l.data.safetyReviewSignals !== undefined)?.data.safetyReviewSignals ?? [],
    strongEmergencySignals:
      layers.find((l) => l.data.strongEmergencySignals !== undefined)?.data.strongEmergencySignals ?? [],
  };
  checkReferences(pack, layers, signals);
  return pack;
}

/** Walks up the inheritance chain, collecting `prepend` lines until a layer gives the whole list. */
function decisions<K extends 'urgency' | 'kind' | 'category' | 'trade'>(
  layers: Parsed[],
  key: K,
  p: Parsed,
): RulePack[K] {
  const before: unknown[] = [];
  for (const l of layers) {
    const v = l.data[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) return [...before, ...v] as RulePack[K];
    before.push(...v.prepend);
  }
  throw new RulePackError(p.file, 1, `缺少 ${key}（本包及其继承的包都没有完整的判定表）`);
}

function compileSignal(layer: Parsed, name: string, s: PackFile['signals'][string]): CompiledSignal {
  s.patterns.forEach((pattern, i) => {
    try {
      new RegExp(pattern, 'u');
    } catch (err) {
      throw new RulePackError(
        layer.file,
        layer.lineOf(['signals', name, 'patterns', i]),
        `信号 ${name} 的第 ${i + 1} 个模式不是合法的正则：${(err as Error).message}`,
      );
    }
  });
  return {
    name,
    label: s.label,
    re: new RegExp(s.patterns.map((x) => `(?:${x})`).join('|'), 'gu'),
    negatable: s.negatable,
  };
}

function checkReferences(pack: RulePack, layers: Parsed[], signals: Map<string, CompiledSignal>): void {
  const levelCodes = new Set(pack.levels.map((l) => l.code));
  const where = (key: keyof PackFile) => layers.find((l) => l.data[key] !== undefined)!;
  const fail = (key: keyof PackFile, path: (string | number)[], reason: string): never => {
    const layer = where(key);
    throw new RulePackError(layer.file, layer.lineOf([key, ...path]), reason);
  };
  // "emergency" is the urgency decision's own result, usable by later lists.
  const known = (s: string) => signals.has(s) || s === 'emergency';
  for (const key of ['urgency', 'kind', 'category', 'trade'] as const) {
    pack[key].forEach((d, i) => {
      for (const field of ['any', 'all', 'none'] as const) {
        (d[field] ?? []).forEach((s, j) => known(s) || fail(key, [i, field, j], `未定义的信号 ${s}`));
      }
    });
  }
  pack.problemSignals.forEach((s, i) => known(s) || fail('problemSignals', [i], `未定义的信号 ${s}`));
  pack.safetyReviewSignals.forEach((s, i) => known(s) || fail('safetyReviewSignals', [i], `未定义的信号 ${s}`));
  pack.strongEmergencySignals.forEach((s, i) => known(s) || fail('strongEmergencySignals', [i], `未定义的信号 ${s}`));
  if (!levelCodes.has(pack.defaultLevel)) fail('defaultLevel', [], `未定义的等级 ${pack.defaultLevel}`);
  pack.grading.forEach((r, i) => levelCodes.has(r.level) || fail('grading', [i, 'level'], `未定义的等级 ${r.level}`));
  pack.deadlines.forEach(
    (d, i) =>
      !d.upgradeTo || levelCodes.has(d.upgradeTo) || fail('deadlines', [i, 'upgradeTo'], `未定义的等级 ${d.upgradeTo}`),
  );
  pack.routing.forEach(
    (r, i) => pack.departments[r.department] || fail('routing', [i, 'department'], `未定义的部门 ${r.department}`),
  );
  if (!pack.departments[pack.defaultDepartment])
    fail('defaultDepartment', [], `未定义的部门 ${pack.defaultDepartment}`);
  for (const key of ['hotLevel', 'majorLevel'] as const) {
    if (!levelCodes.has(pack.collective[key])) fail('collective', [key], `未定义的等级 ${pack.collective[key]}`);
  }
  pack.collective.commonAreaSignals.forEach(
    (s, i) => signals.has(s) || fail('collective', ['commonAreaSignals', i], `未定义的信号 ${s}`),
  );
  pack.collective.faultSignals.forEach(
    (s, i) => signals.has(s) || fail('collective', ['faultSignals', i], `未定义的信号 ${s}`),
  );
  signalRefsInConditions(pack, signals, fail);
}

/** A grading rule that tests `signals contains x` for an x nobody defined would silently never fire. */
function signalRefsInConditions(
  pack: RulePack,
  signals: Map<string, CompiledSignal>,
  fail: (key: keyof PackFile, path: (string | number)[], reason: string) => never,
): void {
  const visit = (c: unknown, key: keyof PackFile, path: (string | number)[]) => {
    if (!c || typeof c !== 'object') return;
    const cond = c as { fact?: string; value?: unknown; all?: unknown[]; any?: unknown[]; not?: unknown };
    if (cond.fact === 'signals') {
      const values = Array.isArray(cond.value) ? cond.value : [cond.value];
      for (const v of values)
        if (typeof v !== 'string' || !signals.has(v)) fail(key, path, `条件里引用了未定义的信号 ${String(v)}`);
    }
    cond.all?.forEach((x, i) => visit(x, key, [...path, 'all', i]));
    cond.any?.forEach((x, i) => visit(x, key, [...path, 'any', i]));
    if (cond.not) visit(cond.not, key, [...path, 'not']);
  };
  for (const key of ['grading', 'routing', 'notifications', 'deadlines'] as const)
    pack[key].forEach((r, i) => visit(r.conditions, key, [i, 'conditions']));
}
