// The Excel ledger (台账): one sheet per month with a ticket a line on the complaint form's columns (001 §六(四)) plus
// what the service desk knows beyond the paper form, the mall form's extra columns for a mall (004 §四), and a sheet
// of KPIs. Written with exceljs's streaming writer: each row is committed to the zip as it comes, so a year of
// tickets never sits in memory. Pure of the database: the caller queries, computes the working-hour facts and
// hands rows in; this module only decides what a line says and how the workbook looks.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import ExcelJS, { type CellValue, type Font } from 'exceljs';
import { statusLabel } from '../dialogue/index.js';
import { maskName } from '../lib/masking.js';
import { CATEGORY_LABEL, KIND_LABEL, TRADE_LABEL, URGENCY_LABEL } from '../rules/index.js';
import type { Rating, Ticket } from '../tickets/index.js';

/** One ticket's line, in plain values; the writer turns them into cells (dates, 是/否, blanks). */
export interface LedgerRow {
  // The complaint form (001 §六(四)), in its order.
  no: string;
  project: string;
  /** 日期: the day the form was filled in, which for the service desk is the day the ticket was filed. */
  date: Date;
  complainant: string;
  /** Only in full mode; null otherwise, and the writer shows a phone column only for a full ledger. */
  phone: string | null;
  complainedAt: Date;
  /** The home (房号), or for a mall the customer's own words for where they were (位置). */
  room: string;
  receiver: string;
  content: string;
  causeAnalysis: string | null;
  correctiveAction: string | null;
  handlingOpinion: string | null;
  leaderInstruction: string | null;
  // What the service desk adds.
  channel: string;
  kind: string;
  category: string;
  trade: string | null;
  urgency: string;
  level: string;
  handler: string | null;
  responseWorkHours: number | null;
  resolutionWorkHours: number | null;
  respondedOnTime: boolean | null;
  resolvedOnTime: boolean | null;
  callback: string | null;
  satisfaction: string | null;
  repeat: boolean;
  incident: string | null;
  status: string;
  // The mall form (004 §四); null for tickets that have none, and not shown on a residential ledger.
  handlingUnit: string | null;
  assistingUnit: string | null;
  assistingMatter: string | null;
  cost: number | null;
  financeApproval: string | null;
}

/** What the ticket row alone does not say: computed by the caller from the calendar, deadlines and incidents. */
export interface LedgerFacts {
  projectName: string;
  /** The label of the ticket's level in its own rule pack (重大事件, 一级客诉, …). */
  levelLabel: string;
  responseWorkHours: number | null;
  resolutionWorkHours: number | null;
  respondedOnTime: boolean | null;
  resolvedOnTime: boolean | null;
  /** The same resident back on the same problem (000 §6: −4 each time). */
  repeat: boolean;
  /** How the collective-complaint incident is named for people, e.g. "事件#12（5户）". */
  incident: string | null;
  /** The mall form's fields (004 §四), when the ticket has them. */
  mall?: {
    /** 处理单位: the store (一级) or back-office department (二级) that handles it. */
    handlingUnit?: string | null;
    /** 协办单位 and 协办事项: named by the handling unit's head. */
    assistingUnit?: string | null;
    assistingMatter?: string | null;
    /** 费用 in yuan: compensation or PR cost, paid in vouchers (004 §六). */
    cost?: number | null;
    /** 财会部审核: finance's approval of the cost, e.g. "已审核 2026-11-20". */
    financeApproval?: string | null;
  };
}

const CHANNEL_LABEL: Record<string, string> = { wecom: '企业微信', mp: '公众号', web: '网页客服' };
const RATING_LABEL: Record<Rating, string> = { satisfied: '满意', neutral: '一般', unsatisfied: '不满意' };

const oneDecimal = (h: number | null) => (h === null ? null : Math.round(h * 10) / 10);

/** Whether the callback survey (003 §2.5.1) happened: only a finished ticket is called back. */
function callbackOf(t: Ticket): string | null {
  if (t.rating) return '已回访';
  return t.status === 'resolved' || t.status === 'closed' ? '未回访' : null;
}

/**
 * A ticket's ledger line. Masked by default: the complainant as 张*, no phone; the content was already masked when the
 * ticket was filed. `full: true` only when an authorised user asks for the full ledger; the caller checks the role and
 * writes the export to the audit log before calling, because a full ledger is a list of residents' names and phones.
 */
export function ledgerRowOf(t: Ticket, facts: LedgerFacts, o: { full: boolean }): LedgerRow {
  const mall = facts.mall ?? {};
  return {
    no: t.no,
    project: facts.projectName,
    date: t.createdAt,
    complainant: o.full ? t.residentName : maskName(t.residentName),
    phone: o.full ? t.phone : null,
    complainedAt: t.createdAt,
    room: t.room,
    receiver: t.receiver,
    content: t.content,
    causeAnalysis: t.causeAnalysis,
    correctiveAction: t.correctiveAction,
    handlingOpinion: t.handlingOpinion,
    leaderInstruction: t.leaderInstruction,
    channel: CHANNEL_LABEL[t.channel] ?? t.channel,
    kind: KIND_LABEL[t.kind],
    category: CATEGORY_LABEL[t.category],
    trade: t.trade ? TRADE_LABEL[t.trade] : null,
    urgency: URGENCY_LABEL[t.urgency],
    level: facts.levelLabel,
    handler: t.handler,
    responseWorkHours: oneDecimal(facts.responseWorkHours),
    resolutionWorkHours: oneDecimal(facts.resolutionWorkHours),
    respondedOnTime: facts.respondedOnTime,
    resolvedOnTime: facts.resolvedOnTime,
    callback: callbackOf(t),
    satisfaction: t.rating ? RATING_LABEL[t.rating] : null,
    repeat: facts.repeat,
    incident: facts.incident,
    status: statusLabel(t.status),
    handlingUnit: mall.handlingUnit ?? null,
    assistingUnit: mall.assistingUnit ?? null,
    assistingMatter: mall.assistingMatter ?? null,
    cost: mall.cost ?? null,
    financeApproval: mall.financeApproval ?? null,
  };
}

type Format = 'text' | 'day' | 'minute' | 'hours' | 'yuan' | 'yesno';
interface LedgerColumn {
  key: keyof LedgerRow;
  header: string;
  /** In Excel's character widths; a Chinese character takes about two. */
  width: number;
  format: Format;
}

const col = (key: keyof LedgerRow, header: string, width: number, format: Format = 'text'): LedgerColumn => ({
  key,
  header,
  width,
  format,
});

const FORM_COLUMNS = (mall: boolean, full: boolean): LedgerColumn[] => [
  col('no', '编号', 18),
  col('project', '项目', 14),
  col('date', '日期', 11, 'day'),
  col('complainant', '投诉人', 10),
  // The phone sits by the name it belongs to, and only on a full ledger.
  ...(full ? [col('phone', '联系电话', 14)] : []),
  col('complainedAt', '投诉时间', 17, 'minute'),
  // A mall customer has no home: the ticket's room holds where in the mall they were.
  col('room', mall ? '位置' : '房号', mall ? 18 : 12),
  col('receiver', '接报人', 10),
  col('content', '投诉内容', 48),
  col('causeAnalysis', '原因分析', 24),
  col('correctiveAction', '整改措施', 24),
  col('handlingOpinion', '处理意见', 24),
  col('leaderInstruction', '领导批示', 18),
];

const DESK_COLUMNS: LedgerColumn[] = [
  col('channel', '渠道', 10),
  col('kind', '类型', 6),
  col('category', '类别', 12),
  col('trade', '专业', 6),
  col('urgency', '紧急程度', 9),
  col('level', '事件等级', 10),
  col('handler', '处理人', 10),
  col('responseWorkHours', '响应用时（工作小时）', 20, 'hours'),
  col('resolutionWorkHours', '处理用时（工作小时）', 20, 'hours'),
  col('respondedOnTime', '是否按时响应', 13, 'yesno'),
  col('resolvedOnTime', '是否按时办结', 13, 'yesno'),
  col('callback', '回访', 8),
  col('satisfaction', '满意度', 8),
  col('repeat', '重复投诉', 9, 'yesno'),
  col('incident', '所属事件', 16),
  col('status', '状态', 8),
];

// 004 §四's 客诉处理单: the handling unit fills in the result (our 处理意见), names the assisting unit and what it is
// asked to do, any cost is signed for by the one compensated, and finance approves a cost before it is paid.
const MALL_COLUMNS: LedgerColumn[] = [
  col('handlingUnit', '处理单位', 14),
  col('assistingUnit', '协办单位', 14),
  col('assistingMatter', '协办事项', 24),
  col('cost', '费用（元）', 11, 'yuan'),
  col('financeApproval', '财会部审核', 16),
];

/** The month sheets' columns: the form's, the service desk's, then the mall form's for a mall. */
export function ledgerColumns(o: { mall: boolean; full?: boolean }): readonly LedgerColumn[] {
  return [...FORM_COLUMNS(o.mall, o.full ?? false), ...DESK_COLUMNS, ...(o.mall ? MALL_COLUMNS : [])];
}

export const ledgerHeaders = (o: { mall: boolean; full?: boolean }) => ledgerColumns(o).map((c) => c.header);

const NUM_FMT: Partial<Record<Format, string>> = {
  day: 'yyyy-mm-dd',
  minute: 'yyyy-mm-dd hh:mm',
  hours: '0.0',
  yuan: '0.00',
};

const BEIJING_MS = 8 * 3600_000;
/**
 * Excel dates have no time zone: a cell shows the instant's UTC wall time. Shift it so the cell shows Beijing time
 * whatever the server's zone (China keeps no daylight saving time, so a fixed eight hours is exact).
 */
const beijingCellDate = (d: Date) => new Date(d.getTime() + BEIJING_MS);

function cellValue(v: LedgerRow[keyof LedgerRow]): CellValue {
  if (v === null || v === '') return null;
  if (v instanceof Date) return beijingCellDate(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  return v;
}

export interface LedgerInput {
  months: { month: string; rows: AsyncIterable<LedgerRow> | Iterable<LedgerRow> }[];
  kpi: { title: string; rows: [string, string | number][] }[];
  mall: boolean;
  /** Adds the phone column: only for a ledger built with `ledgerRowOf(…, { full: true })` for an authorised user. */
  full?: boolean;
  /** The workbook's title (its properties, and the heading of the KPI sheet). */
  title?: string;
  /**
   * The workbook's creation time (its properties). Never read from the wall clock here: without it, the start of the
   * month after the last one listed (the moment that month's ledger is complete).
   */
  generatedAt?: Date;
}

export interface LedgerResult {
  sheets: { name: string; month: string; rows: number }[];
  rows: number;
}

/** `2026-11` → 2026年11月, `2027-01` → 2027年1月: the name of the month's sheet, as people write a month. */
export function monthSheetName(month: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`月份格式应为 YYYY-MM：${month}`);
  return `${m[1]}年${Number(m[2])}月`;
}

function monthAfter(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return new Date(`${next}-01T00:00:00+08:00`);
}

function stampOf(input: LedgerInput): Date {
  if (input.generatedAt) return input.generatedAt;
  const last = input.months.map((m) => m.month).sort();
  return last.length ? monthAfter(last[last.length - 1]!) : new Date(0);
}

type Writer = InstanceType<typeof ExcelJS.stream.xlsx.WorkbookWriter>;

const KPI_SHEET = '指标';
/** Rows between pauses that let other work (HTTP requests, the zip's compression) run during a long export. */
const YIELD_EVERY = 500;
/** Rows between looks at how much written XML still waits for the compressor. */
const CHECK_EVERY = 100;
/** Uncompressed XML allowed to wait for the compressor before the writer stops taking rows. */
const BACKLOG_BYTES = 4 * 1024 * 1024;
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

// exceljs's streaming writer keeps its archiver in `zip` (not in its typings): aborted when a write fails.
type WriterInternals = { zip?: { abort?: () => void } };

/** The stream between a worksheet's XML and the zip: exceljs writes into it without ever waiting for it. */
export interface Backlog {
  _writableState?: { length?: number };
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/**
 * exceljs 4.4's worksheet writer pipes its rows through a PassThrough into the zip and ignores the answer, so rows
 * made faster than deflate compresses them pile up in memory (~2 KB a line: 100,000 lines held ~200 MB). Reach
 * that PassThrough (the worksheet's `stream.pipes[0]`, outside the typings; exceljs is pinned to 4.4.0) to wait for
 * it. Exported for the test that fails if a later exceljs is shaped otherwise (then there is nothing to wait on).
 */
export function backlogOf(sheet: ExcelJS.Worksheet): Backlog | null {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  const pass = pipes?.[0] as Backlog | undefined;
  return pass && typeof pass._writableState?.length === 'number' ? pass : null;
}

/** Waits until the XML waiting for the compressor is under the limit (drained, or polled when the zip is busy). */
async function drained(backlog: Backlog | null, output: { failure: Error | null }): Promise<void> {
  while (backlog && (backlog._writableState?.length ?? 0) > BACKLOG_BYTES) {
    if (output.failure) throw output.failure;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        backlog.removeListener('drain', done);
        resolve();
      };
      // The poll covers a stream that is not drained yet because the zip is still on the previous sheet.
      const timer = setTimeout(done, 20);
      backlog.once('drain', done);
    });
  }
}

function writeKpiSheet(wb: Writer, input: LedgerInput): void {
  const sheet = wb.addWorksheet(KPI_SHEET);
  sheet.columns = [{ width: 32 }, { width: 18 }];
  const add = (values: CellValue[], font?: Partial<Font>) => {
    const row = sheet.addRow(values);
    if (font) row.font = font;
    row.commit();
  };
  if (input.title) {
    add([input.title], { bold: true, size: 14 });
    add([]);
  }
  input.kpi.forEach((table, i) => {
    if (i > 0) add([]);
    add([table.title], { bold: true });
    for (const [label, value] of table.rows) add([label, value === '' ? null : value]);
  });
  if (input.mall) {
    add([]);
    add(['客诉处理记录至少保存二年（004 §四.4）']);
  }
  sheet.commit();
}

async function writeMonthSheet(
  wb: Writer,
  name: string,
  columns: readonly LedgerColumn[],
  rows: AsyncIterable<LedgerRow> | Iterable<LedgerRow>,
  output: { failure: Error | null },
): Promise<number> {
  const sheet = wb.addWorksheet(name, {
    // The header row and the ticket number stay in view while scrolling through thousands of lines.
    views: [{ state: 'frozen', xSplit: 1, ySplit: 1 }],
  });
  // Written when the sheet is committed: a filter on every column of the header (by project, category, 否…).
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  // The streaming writer writes the columns with the first row: set them (widths, formats) before any row.
  sheet.columns = columns.map((c) => {
    const numFmt = NUM_FMT[c.format];
    return { width: c.width, ...(numFmt ? { style: { numFmt } } : {}) };
  });
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  const backlog = backlogOf(sheet);
  let count = 0;
  for await (const r of rows) {
    // Stop reading (a database cursor, say) as soon as the output is gone.
    if (output.failure) throw output.failure;
    sheet.addRow(columns.map((c) => cellValue(r[c.key]))).commit();
    count += 1;
    if (count % CHECK_EVERY === 0) await drained(backlog, output);
    if (count % YIELD_EVERY === 0) await pause();
  }
  sheet.commit();
  return count;
}

/** Rejects when the output breaks (disk full, the browser went away): a finish that never comes is not waited for. */
function watchOutput(stream: Writable) {
  const state: { failure: Error | null } = { failure: null };
  let finished = false;
  const broken = new Promise<never>((_, reject) => {
    stream.once('error', (err) => reject((state.failure ??= err)));
    stream.once('finish', () => (finished = true));
    stream.once('close', () => {
      if (!finished) reject((state.failure ??= new Error('输出流在台账写完之前关闭了')));
    });
  });
  // Only raced, never awaited alone: without this an early break would be an unhandled rejection.
  broken.catch(() => {});
  return { state, broken };
}

async function discardFile(stream: Writable, path: string): Promise<void> {
  if (!stream.closed) {
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy();
    await closed;
  }
  await rm(path, { force: true });
}

/**
 * Streams the ledger to `out` (a file path or a writable such as an HTTP response): the KPI sheet first, as the page
 * a manager opens on, then a sheet per month in the order given. Resolves once the last byte is written, with the
 * number of lines per sheet. A failed write leaves no half-written file behind at a path; a writable given by the
 * caller is ended with a broken zip, so the caller destroys it (an HTTP response: the download fails visibly).
 */
export async function writeLedger(out: Writable | string, input: LedgerInput): Promise<LedgerResult> {
  const names = input.months.map((m) => monthSheetName(m.month));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`同一个月份出现两次：${twice}`);
  const stream = typeof out === 'string' ? createWriteStream(out) : out;
  const output = watchOutput(stream);
  const at = stampOf(input);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    // Inline strings: shared strings would keep every distinct text of the ledger in memory until the end.
    useSharedStrings: false,
    useStyles: true,
  });
  wb.created = at;
  wb.modified = at;
  wb.creator = '物业客服机器人';
  wb.lastModifiedBy = '物业客服机器人';
  if (input.title) wb.title = input.title;
  const columns = ledgerColumns(input);
  const write = async (): Promise<LedgerResult> => {
    writeKpiSheet(wb, input);
    const sheets: LedgerResult['sheets'] = [];
    for (const [i, m] of input.months.entries()) {
      const name = names[i]!;
      sheets.push({ name, month: m.month, rows: await writeMonthSheet(wb, name, columns, m.rows, output.state) });
    }
    await wb.commit();
    return { sheets, rows: sheets.reduce((n, s) => n + s.rows, 0) };
  };
  const writing = write();
  // When the output breaks first, the loop still ends by throwing; that is already reported through the race.
  writing.catch(() => {});
  try {
    return await Promise.race([writing, output.broken]);
  } catch (err) {
    output.state.failure ??= err instanceof Error ? err : new Error(String(err));
    (wb as unknown as WriterInternals).zip?.abort?.();
    if (typeof out === 'string') await discardFile(stream, out);
    throw err;
  }
}
