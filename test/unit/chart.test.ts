// The monthly report chart: the option (pure), its SVG and PNG renderings with the CJK font, and the group robot's
// image message.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import type { BarSeriesOption, LineSeriesOption, YAXisComponentOption } from 'echarts';
import { describe, expect, it } from 'vitest';
import { type MonthlyChartInput, monthlyChartOption } from '../../src/reports/chart-options.js';
import { DEFAULT_REPORT_FONT, fontFamilyOf, renderChartPng, renderChartSvg } from '../../src/reports/chart-png.js';
import { ROBOT_IMAGE_MAX_BYTES, robotImage } from '../../src/reports/robot-image.js';

const CATEGORIES = ['工程质量类', '规划设计类', '销售管理类', '物业管理类', '客户服务类', '其他类'];
const INPUT: MonthlyChartInput = {
  title: '2026年11月 客户诉求分类统计',
  months: ['2026-10', '2026-11'],
  categories: CATEGORIES,
  series: [
    { name: '幸福里花园 本月', values: [38, 3, 2, 57, 14, 6] },
    { name: '幸福里花园 上月', values: [42, 2, null, 49, 11, 8] },
  ],
  rates: [
    { name: '按时响应率', values: [94.94, 100, 100, 96.7, 91.3, 90] },
    { name: '满意度', values: [88.2, 75, 100, null, 95, 90] },
  ],
};

const seriesOf = (input: MonthlyChartInput) =>
  monthlyChartOption(input).series as (BarSeriesOption | LineSeriesOption)[];
const yAxesOf = (input: MonthlyChartInput) => monthlyChartOption(input).yAxis as YAXisComponentOption[];

describe('monthlyChartOption (pure)', () => {
  it('when given counts and rates, then bars sit on the left axis and rate lines on a 0–100 % right axis', () => {
    const series = seriesOf(INPUT);
    expect(series.map((s) => [s.type, s.name, s.yAxisIndex])).toEqual([
      ['bar', '幸福里花园 本月', 0],
      ['bar', '幸福里花园 上月', 0],
      ['line', '按时响应率', 1],
      ['line', '满意度', 1],
    ]);
    const [counts, rates] = yAxesOf(INPUT);
    expect(counts).toMatchObject({ type: 'value', name: '工单数（件）', min: 0 });
    expect(rates).toMatchObject({ type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } });
  });

  it('when rendered, then the x axis names every category, values show on the bars, and nothing animates', () => {
    const option = monthlyChartOption(INPUT);
    expect(option.animation).toBe(false);
    expect((option.xAxis as { data: string[] }).data).toEqual(CATEGORIES);
    expect(option.legend).toBeDefined();
    expect(option.title).toMatchObject({ text: INPUT.title, subtext: '统计月份：2026年10月 — 2026年11月' });
    const bars = seriesOf(INPUT).filter((s) => s.type === 'bar');
    expect(bars.every((s) => s.label?.show === true)).toBe(true);
    expect(bars[1]!.data).toEqual([42, 2, '-', 49, 11, 8]); // null: no bar
  });

  it('when there are rates, then the count axis shares the rate axis grid lines and leaves the top to lines', () => {
    const [counts] = yAxesOf(INPUT);
    const { max, interval } = counts as { max: number; interval: number };
    expect(max / interval).toBe(5); // 0–100 % in steps of 20
    expect(57 / max).toBeLessThanOrEqual(0.62);
  });

  it('when two rates meet in a category, then one label goes above the point and the other below', () => {
    const [response, satisfaction] = seriesOf(INPUT).filter((s) => s.type === 'line');
    const positions = (s: { data?: unknown } | undefined) =>
      (s!.data as unknown[]).map((d) => (typeof d === 'object' ? (d as any).label.position : d));
    expect(positions(response)).toEqual(['top', 'top', 'top', 'top', 'bottom', 'top']);
    expect(positions(satisfaction)).toEqual(['bottom', 'bottom', 'bottom', '-', 'top', 'bottom']);
    expect((response!.data as any[])[0].value).toBe(94.9); // one decimal on the label
  });

  it('when there are no rates, then there is one y axis and no line', () => {
    const input = { ...INPUT, rates: undefined };
    expect(yAxesOf(input)).toHaveLength(1);
    expect(seriesOf(input).map((s) => s.type)).toEqual(['bar', 'bar']);
  });

  it('when a series has the wrong number of values or a rate is not a percentage, then it says so in Chinese', () => {
    const short = { ...INPUT, series: [{ name: '本月', values: [1, 2] }] };
    expect(() => monthlyChartOption(short)).toThrow('"本月"（2 个）的数值个数与横轴的 6 个分类不一致');
    const over = { ...INPUT, rates: [{ name: '满意度', values: [101, 0, 0, 0, 0, 0] }] };
    expect(() => monthlyChartOption(over)).toThrow('"满意度"应为 0 到 100 之间的百分比');
  });

  it('the option survives JSON, so the browser can receive it as it is', () => {
    const option = monthlyChartOption(INPUT);
    expect(JSON.parse(JSON.stringify(option))).toEqual(option);
  });

  it('the module imports nothing at run time (it is also shipped to the browser)', () => {
    const source = readFileSync('src/reports/chart-options.ts', 'utf8');
    const imports = source.split('\n').filter((l) => /^import\b/.test(l));
    expect(imports.every((l) => l.startsWith('import type '))).toBe(true);
  });
});

describe('renderChartSvg / renderChartPng', () => {
  const option = monthlyChartOption(INPUT);

  it('when rendered to SVG, then it has the requested size and carries the Chinese title as text', () => {
    const svg = renderChartSvg(option, { width: 1000, height: 600 });
    expect(svg).toMatch(/^<svg[^>]* width="1000" height="600"/);
    expect(svg).toContain('2026年11月 客户诉求分类统计');
    expect(svg).toContain('工程质量类');
  });

  it('when rendered to PNG, then it is a PNG of the requested size', () => {
    const png = renderChartPng(option);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(decodePng(png)).toMatchObject({ width: 1000, height: 600 });
    expect(decodePng(renderChartPng(option, { width: 640, height: 360 }))).toMatchObject({ width: 640, height: 360 });
  });

  it('when rendered to PNG, then the picture is not blank: many colours, a good share of it drawn', () => {
    const { colours, drawn } = pixelStats(decodePng(renderChartPng(option)));
    expect(colours).toBeGreaterThan(100); // bars, lines and anti-aliased text
    expect(drawn).toBeGreaterThan(0.05);
  });

  it('when the CJK font is given, then the glyphs are drawn; with no font at all the text is missing', () => {
    const svg = renderChartSvg(option, { width: 1000, height: 600 });
    const noFont = new Resvg(svg, { background: 'white', font: { loadSystemFonts: false } }).render().asPng();
    const withFont = renderChartPng(option);
    expect(withFont.equals(noFont)).toBe(false);
    expect(pixelStats(decodePng(withFont)).drawn).toBeGreaterThan(pixelStats(decodePng(noFont)).drawn);
  });

  it('the default font is WenQuanYi Micro Hei, its family read from the file', () => {
    expect(fontFamilyOf(DEFAULT_REPORT_FONT)).toBe('WenQuanYi Micro Hei');
  });

  it('when the font file is missing or is not a font, then it refuses in Chinese and names REPORT_FONT', () => {
    expect(() => renderChartPng(option, { fontFile: '/nowhere/font.ttc' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('中文字体文件不存在') }),
    );
    expect(() => renderChartPng(option, { fontFile: '/nowhere/font.ttc' })).toThrow('REPORT_FONT');
    expect(() => renderChartPng(option, { fontFile: 'package.json' })).toThrow('字体文件无法识别');
  });

  it('when the size is not a positive whole number of pixels, then it refuses', () => {
    expect(() => renderChartSvg(option, { width: 0, height: 600 })).toThrow('图表尺寸须为');
  });
});

describe('robotImage', () => {
  it('when given a chart PNG, then the message carries its base64 and the lowercase hex md5 of the raw bytes', () => {
    const png = renderChartPng(monthlyChartOption(INPUT));
    const message = robotImage(png);
    expect(message.msgtype).toBe('image');
    expect(Buffer.from(message.image.base64, 'base64').equals(png)).toBe(true);
    expect(message.image.md5).toBe(createHash('md5').update(png).digest('hex'));
    expect(message.image.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it('when the image is over 2 MB, then it refuses in Chinese; exactly 2 MB still goes', () => {
    const image = (bytes: number) => Buffer.concat([pngSignature(), Buffer.alloc(bytes - 8)]);
    expect(() => robotImage(image(ROBOT_IMAGE_MAX_BYTES))).not.toThrow();
    expect(() => robotImage(image(ROBOT_IMAGE_MAX_BYTES + 1))).toThrow(
      expect.objectContaining({
        code: 'IMAGE_TOO_LARGE',
        message: expect.stringContaining('超过企业微信群机器人允许的 2 MB'),
      }),
    );
  });

  it('when the bytes are neither PNG nor JPG, then it refuses', () => {
    expect(() => robotImage(Buffer.from('GIF89a……'))).toThrow(
      expect.objectContaining({ code: 'IMAGE_NOT_JPG_OR_PNG' }),
    );
    expect(() => robotImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).not.toThrow();
  });
});

const pngSignature = () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Decoded {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

/** Enough of PNG for resvg's output: 8-bit RGB or RGBA, not interlaced. */
function decodePng(png: Buffer): Decoded {
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('no IHDR');
  const [width, height, depth, colourType, interlace] = [
    header.readUInt32BE(0),
    header.readUInt32BE(4),
    header[8],
    header[9],
    header[12],
  ];
  expect({ depth, interlace, rgb: colourType === 2 || colourType === 6 }).toEqual({
    depth: 8,
    interlace: 0,
    rgb: true,
  });
  const channels = colourType === 6 ? 4 : 3;
  return { width, height, channels, pixels: unfilter(inflateSync(Buffer.concat(data)), width, height, channels) };
}

function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter!]!;
      out[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Distinct colours, and the share of pixels that are not the white background. */
function pixelStats({ width, height, channels, pixels }: Decoded): { colours: number; drawn: number } {
  const colours = new Set<number>();
  let drawn = 0;
  for (let i = 0; i < width * height * channels; i += channels) {
    const rgb = (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
    colours.add(rgb);
    if (rgb !== 0xffffff) drawn++;
  }
  return { colours: colours.size, drawn: drawn / (width * height) };
}
