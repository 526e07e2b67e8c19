// Facts are code: what a message says, read off normalised text for the rules to test.
import { cnNumber } from '../text/normalize.js';
import type { CompiledSignal } from './pack-loader.js';

// "已经不漏了", "没有燃气味了", "不再冒烟": a negation just before the match. "不停地漏" is not one.
const NEGATION_BEFORE = /(?:不|没有?|不再|无|未|别)(?:再|在|怎么)?$/u;

/**
 * The signals that fire in the text, each with the words that fired it; a negated mention does not fire a negatable
 * signal. `matched` collects every signal whose pattern occurs at all, negated or not (what termsOf looks through).
 */
export function firedSignals(
  signals: readonly CompiledSignal[],
  text: string,
  matched?: Set<string>,
): Map<string, string> {
  const fired = new Map<string, string>();
  for (const s of signals) {
    const hit = firstHit(s, text);
    if (hit === undefined) continue;
    matched?.add(s.name);
    if (hit !== null) fired.set(s.name, hit);
  }
  return fired;
}

/** Does any of these signals fire? Stops at the first that does. */
export function anyFires(signals: readonly CompiledSignal[], text: string): boolean {
  return signals.some((s) => typeof firstHit(s, text) === 'string');
}

/** The first words that fire the signal; null when every mention is negated, undefined when there is none. */
function firstHit(s: CompiledSignal, text: string): string | null | undefined {
  let hit: string | null | undefined;
  s.re.lastIndex = 0;
  for (let m = s.re.exec(text); m; m = s.re.exec(text)) {
    if (!s.negatable || !NEGATION_BEFORE.test(text.slice(Math.max(0, m.index - 4), m.index))) {
      hit = m[0];
      break;
    }
    hit = null;
    if (m[0].length === 0) s.re.lastIndex++;
  }
  // matchAll and exec start from lastIndex: leave the shared pattern as found.
  s.re.lastIndex = 0;
  return hit;
}

const NUM = '(\\d+|[一二两三四五六七八九十百几]+)';
const HEADCOUNT = new RegExp(
  `(上|近|将近|超过|有)?${NUM}(多|来|余)?(户|家(?!里|人)|位|名|个)(业主|住户|居民|邻居|人家|人)?`,
  'gu',
);
// "12户业主" says who on its own; a bare "5户" or "3个人" needs the rest of the sentence to say they complain together.
const TOGETHER = /^.{0,8}(联名|一起|都|集体|投诉|反映|遇到|出现|受影响|一样|同样|也|准备|打算|要求|联合)/u;
const RESIDENTS = new Set(['业主', '住户', '居民', '邻居', '人家']);

/**
 * An explicit head count of affected residents ("我们12户", "十几户业主都", "二三十户"); null when none is given.
 * "几" counts at its least: 十几 → 11, 几十 → 20, 好几/几 → 3.
 */
export function headcountOf(text: string): number | null {
  let best: number | null = null;
  for (const m of text.matchAll(HEADCOUNT)) {
    const [whole, , raw, , unit, who] = m;
    if ((unit === '个' || unit === '位' || unit === '名') && !who) continue;
    if (/(家里?|屋里)$/.test(text.slice(Math.max(0, m.index - 3), m.index))) continue;
    if (!(who && RESIDENTS.has(who)) && !TOGETHER.test(text.slice(m.index + whole.length))) continue;
    const n = countOf(raw!);
    if (n !== undefined && n >= 2) best = Math.max(best ?? 0, n);
  }
  if (/好几(户|家|位业主|个业主)/.test(text)) best = Math.max(best ?? 0, 3);
  return best;
}

function countOf(raw: string): number | undefined {
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === '几' || raw === '好几') return 3;
  if (/^几十/.test(raw)) return 20;
  if (/^[二两三四五六七八九]{2}十$/.test(raw)) return cnNumber(`${raw[0]}十`);
  return cnNumber(raw.replace(/几$/, '一'));
}

const UNIT_DAYS: Record<string, number> = { 天: 1, 日: 1, 周: 7, 週: 7, 星期: 7, 礼拜: 7, 月: 30, 年: 365 };
// A duration counts only once the problem was reported to us: "报了一个多月了", "催了两周", not "漏了一个月了".
const REPORTED_FOR = new RegExp(
  [
    '(?:报|报修|反映|投诉|打电话|打了电话|找|说|提|等|催|修)(?:了|过)*',
    '(?:都|已经|有|快|将近|差不多|整整|足足)*',
    '(?<n>\\d+|[一二两三四五六七八九十百几半]+)个?(?<more>多|来)?个?(?<unit>天|日|周|星期|礼拜|月|年)(?<more2>多)?',
  ].join(''),
  'gu',
);

// "坏了一周都没人修": the time it has waited for us to act, which is as good as reported.
const WAITED_FOR = new RegExp(
  [
    '(?<n>\\d+|[一二两三四五六七八九十百几半]+)个?(?<more>多|来)?个?(?<unit>天|日|周|週|星期|礼拜|月|年)(?<more2>多)?',
    '了?(都|还|也)?(没人|没有人|没)(修|管|来|处理|理)',
  ].join(''),
  'gu',
);

// "上个月就报过这个漏水": the report is dated instead of measured.
const REPORTED_AGO: [RegExp, number][] = [
  [/上上个?月.{0,8}(报|报修|反映|投诉|说)(过|了)/u, 60],
  [/(上个?月|一个多?月前).{0,8}(报|报修|反映|投诉|说)(过|了)/u, 30],
  [/半个月前.{0,8}(报|报修|反映|投诉|说)(过|了)/u, 15],
  [/(上上周|上上个?星期|两周前).{0,8}(报|报修|反映|投诉|说)(过|了)/u, 14],
  [/(上周|上个?星期|上个?礼拜|一周前).{0,8}(报|报修|反映|投诉|说)(过|了)/u, 7],
];

/** Days the problem has waited since it was reported, when the text says so; null otherwise. */
export function reportedDaysOf(text: string): number | null {
  let best: number | null = REPORTED_AGO.find(([re]) => re.test(text))?.[1] ?? null;
  for (const m of [...text.matchAll(REPORTED_FOR), ...text.matchAll(WAITED_FOR)]) {
    const g = m.groups!;
    const n = g.n === '半' ? 0.5 : countOf(g.n!);
    const unit = UNIT_DAYS[g.unit!];
    if (n === undefined || unit === undefined) continue;
    const days = Math.round(n * unit) + (g.more || g.more2 ? 1 : 0);
    best = Math.max(best ?? 0, days);
  }
  return best;
}

/**
 * Every distinct word of two or more characters that the named signals match: what the fault is ("电梯", "马桶").
 * `matched` (from firedSignals on the same text) spares scanning for signals that do not occur.
 */
export function termsOf(
  signals: readonly CompiledSignal[],
  names: readonly string[],
  text: string,
  matched?: ReadonlySet<string>,
): string[] {
  const terms = new Set<string>();
  for (const s of signals) {
    if (!names.includes(s.name) || (matched && !matched.has(s.name))) continue;
    s.re.lastIndex = 0;
    for (const m of text.matchAll(s.re)) if (m[0].length >= 2) terms.add(m[0]);
  }
  return [...terms];
}
