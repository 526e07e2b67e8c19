// Text as residents type it → text the rules can read: Simplified, half-width, Arabic digits next to building words.
import * as OpenCC from 'opencc-js';
import { boundedMemory } from '../lib/bounded-memory.js';

const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
const toSimplifiedHk = OpenCC.Converter({ from: 'hk', to: 'cn' });

export interface NormalizedText {
  /** Simplified Chinese with Chinese punctuation kept: what people read back. */
  readonly display: string;
  /** NFKC (full-width → half-width), upper-case Latin, Chinese numerals in room numbers as digits: what rules match. */
  readonly match: string;
}

// One message's text is normalised several times on its way (staff command? dialogue, slots, classification):
// OpenCC's conversion was a visible share of the webhook's CPU. The function is pure; remember the latest texts.
const recent = boundedMemory<string, NormalizedText>(256);

/**
 * Where `found` (read in the normalised text) stands in the text as the resident wrote it: names are stored as
 * written (陳生 stays 陳生, never 陈生), while everything that reads them works on the normalised form.
 */
export function asWrittenIn(raw: string, found: string): string {
  const want = found.toUpperCase();
  const chars = [...raw];
  const n = [...found].length;
  for (let i = 0; i + n <= chars.length; i++) {
    const piece = chars.slice(i, i + n).join('');
    if (piece === found) return found;
    if (toSimplifiedHk(toSimplified(piece)).normalize('NFKC').toUpperCase() === want) return piece;
  }
  return found;
}

export function normalizeText(raw: string): NormalizedText {
  return recent.get(raw) ?? recent.set(raw, normalizeOnce(raw));
}

function normalizeOnce(raw: string): NormalizedText {
  const display = toSimplifiedHk(toSimplified(withoutNoise(raw)))
    .replace(/\s+/g, ' ')
    .trim();
  const match = cnRoomNumerals(dashesBetweenDigits(withoutEmoji(display).normalize('NFKC').toUpperCase()))
    .replace(/([!?。，,.~～…])\1+/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return { display, match };
}

// WeChat's own stickers arrive as text ("[流泪]", "/::<"); zero-width characters come from copy and paste.
const WECHAT_STICKER = /\[[\u4e00-\u9fa5A-Za-z]{1,4}\]|\/:[^\s\u4e00-\u9fa5]{1,6}/g;
const INVISIBLE = /[\u200B-\u200F\u2060\uFEFF]/g;
const withoutNoise = (s: string) => s.replace(INVISIBLE, '').replace(WECHAT_STICKER, ' ');
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each modifier and selector is removed on its own
const EMOJI = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F\u20E3]/gu;
const withoutEmoji = (s: string) => s.replace(EMOJI, ' ');

const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 十二 → 12, 二十三 → 23, 五零二 → 502 (digit by digit when there is no 十/百). */
export function cnNumber(s: string): number | undefined {
  if (!/^[零〇一二两三四五六七八九十百]+$/.test(s)) return undefined;
  if (!/[十百]/.test(s)) return Number([...s].map((c) => CN_DIGIT[c]).join(''));
  let total = 0;
  let current = 0;
  for (const c of s) {
    if (c === '百') {
      total += (current || 1) * 100;
      current = 0;
    } else if (c === '十') {
      total += (current || 1) * 10;
      current = 0;
    } else current = CN_DIGIT[c] ?? 0;
  }
  return total + current;
}

/** The Chinese keyboard's dash key types 3—2—502; NFKC leaves em and en dashes alone, rooms are written with "-". */
function dashesBetweenDigits(s: string): string {
  return s.replace(/(?<=[\dA-Z])\s*[‐‑‒–—―]+\s*(?=\d)/g, '-');
}

/**
 * 三栋二单元五零二 → 3栋2单元502, 十二号楼一八零三 → 12号楼1803. A room number read digit by digit after the
 * building or unit word has no 十/百; a numeral before 楼/室/号 may ("三楼", "一百零二室").
 */
function cnRoomNumerals(s: string): string {
  return s
    .replace(/([零〇一二两三四五六七八九十百]+)(?=栋|幢|号楼|单元|楼|室|号|座)/g, (m) => String(cnNumber(m) ?? m))
    .replace(
      /(单元|栋|幢|号楼|座)([零〇一二三四五六七八九]{3,4})(?![零〇一二三四五六七八九十百])/g,
      (_m, u: string, n: string) => u + String(cnNumber(n)),
    );
}
