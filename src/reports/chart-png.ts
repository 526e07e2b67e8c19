// Server-side chart rendering: ECharts draws the option to an SVG string (no DOM, no canvas), resvg turns it into a
// PNG with exactly one CJK font, so the picture is the same on every machine and Chinese never renders as boxes.
import { readFileSync, statSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { ConfigError } from '../lib/errors.js';

/** Debian's fonts-wqy-microhei (1.6 MB of glyphs); the composition root passes REPORT_FONT instead when it is set. */
export const DEFAULT_REPORT_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

export interface ChartSize {
  width: number;
  height: number;
}

export interface PngOptions extends Partial<ChartSize> {
  /** A .ttf/.otf/.ttc file with Chinese glyphs. */
  fontFile?: string;
}

export function renderChartSvg(option: EChartsOption, { width, height }: ChartSize): string {
  checkSize(width, height);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  // A chart holds a zrender instance and its timers: dispose of it whatever happens, or a long-running service leaks.
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function renderChartPng(option: EChartsOption, options: PngOptions = {}): Buffer {
  const { width = 1000, height = 600, fontFile = DEFAULT_REPORT_FONT } = options;
  const family = fontFamilyOf(fontFile);
  const svg = renderChartSvg(option, { width, height });
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    // No system fonts: it is 3× faster, and the picture cannot change when someone installs another font.
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: family, sansSerifFamily: family },
  });
  return resvg.render().asPng();
}

function checkSize(width: number, height: number): void {
  const ok = (n: number) => Number.isInteger(n) && n > 0 && n <= 8000;
  if (!ok(width) || !ok(height)) throw new RangeError(`图表尺寸须为 1 到 8000 的整数像素，收到 ${width}×${height}`);
}

const families = new Map<string, string>();

/**
 * The font's family name, read from its own name table: resvg needs it as the default family, and reading it proves
 * the file is a font (resvg itself would silently draw no text at all).
 */
export function fontFamilyOf(fontFile: string): string {
  if (!isFile(fontFile)) {
    throw new ConfigError(
      `报表图表的中文字体文件不存在：${fontFile}。请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），` +
        '或用环境变量 REPORT_FONT 指定一个含中文字形的 .ttf / .otf / .ttc 字体文件。',
    );
  }
  const known = families.get(fontFile);
  if (known) return known;
  const family = readFamilyName(readFileSync(fontFile));
  if (!family) {
    throw new ConfigError(`报表图表的字体文件无法识别：${fontFile}。REPORT_FONT 须指向 .ttf / .otf / .ttc 字体文件。`);
  }
  families.set(fontFile, family);
  return family;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const SFNT_TAGS = new Set(['\0\u0001\0\0', 'OTTO', 'true', 'ttcf']);
const TYPOGRAPHIC_FAMILY = 16;
const FAMILY = 1;
const WINDOWS = 3;
const MACINTOSH = 1;
const ENGLISH_US = 0x409;

/** OpenType 'name' table, family of the first face (a .ttc holds several; the first is the regular one). */
function readFamilyName(font: Buffer): string | undefined {
  try {
    const tag = font.toString('latin1', 0, 4);
    if (!SFNT_TAGS.has(tag)) return undefined;
    const face = tag === 'ttcf' ? font.readUInt32BE(12) : 0;
    const tables = font.readUInt16BE(face + 4);
    for (let i = 0; i < tables; i++) {
      const record = face + 12 + i * 16;
      if (font.toString('latin1', record, record + 4) === 'name')
        return familyInNameTable(font, font.readUInt32BE(record + 8));
    }
    return undefined;
  } catch {
    return undefined; // a truncated file: reads ran past its end
  }
}

function familyInNameTable(font: Buffer, table: number): string | undefined {
  const count = font.readUInt16BE(table + 2);
  const strings = table + font.readUInt16BE(table + 4);
  const names: { id: number; rank: number; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const u16 = (field: number) => font.readUInt16BE(table + 6 + i * 12 + field);
    const [platform, language, id] = [u16(0), u16(4), u16(6)];
    if (id !== FAMILY && id !== TYPOGRAPHIC_FAMILY) continue;
    const bytes = font.subarray(strings + u16(10), strings + u16(10) + u16(8));
    if (platform === WINDOWS) {
      // UTF-16BE; Node only decodes little-endian, so swap a copy.
      names.push({ id, rank: language === ENGLISH_US ? 0 : 1, text: Buffer.from(bytes).swap16().toString('utf16le') });
    } else if (platform === MACINTOSH) {
      names.push({ id, rank: 2, text: bytes.toString('latin1') });
    }
  }
  // The same preference as resvg's font database: the typographic family when present, English first.
  names.sort((a, b) => b.id - a.id || a.rank - b.rank);
  return names[0]?.text || undefined;
}
