// The Excel ledger as a reader gets it: written with the streaming writer to a temporary file, then opened again with
// exceljs's ordinary reader, the way Excel or WPS would see it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  backlogOf,
  type LedgerFacts,
  type LedgerInput,
  type LedgerRow,
  ledgerHeaders,
  ledgerRowOf,
  monthSheetName,
  writeLedger,
} from '../../src/reports/ledger.js';
import type { Ticket } from '../../src/tickets/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kf-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempFile = () => join(dir, `ledger-${++files}.xlsx`);

// 2026-11-18 10:00 and 2026-11-19 16:30 in Beijing.
const FILED = new Date('2026-11-18T02:00:00Z');
const DONE = new Date('2026-11-19T08:30:00Z');

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 1,
    no: 'KF-20261118-0001',
    projectCode: 'lake',
    channel: 'mp',
    userId: 'o-1',
    residentName: '张三丰',
    room: '3-2-502',
    phone: '13812345678',
    content: '卫生间天花板在滴水，张**说楼上502也在漏',
    summary: '卫生间天花板滴水',
    kind: 'repair',
    category: 'engineering',
    trade: 'water_electric',
    urgency: 'normal',
    level: 'general',
    confidence: 0.9,
    status: 'closed',
    receiver: '王客服',
    images: [],
    location: null,
    causeAnalysis: '楼上防水层破损',
    correctiveAction: null,
    handlingOpinion: '已修复防水层',
    leaderInstruction: null,
    rulePack: 'residential',
    department: 'engineering',
    handler: '李师傅',
    incidentId: null,
    faultTerms: ['漏水'],
    commonArea: false,
    rating: 'satisfied',
    completedAt: DONE,
    responseDueAt: new Date('2026-11-18T04:00:00Z'),
    createdAt: FILED,
    updatedAt: DONE,
    ...over,
  };
}

const facts = (over: Partial<LedgerFacts> = {}): LedgerFacts => ({
  projectName: '湖畔花园',
  levelLabel: '一般事件',
  responseWorkHours: 1.25,
  resolutionWorkHours: 14.04,
  respondedOnTime: true,
  resolvedOnTime: false,
  repeat: false,
  incident: null,
  ...over,
});

const RESIDENTIAL_HEADERS = [
  '编号',
  '项目',
  '日期',
  '投诉人',
  '投诉时间',
  '房号',
  '接报人',
  '投诉内容',
  '原因分析',
  '整改措施',
  '处理意见',
  '领导批示',
  '渠道',
  '类型',
  '类别',
  '专业',
  '紧急程度',
  '事件等级',
  '处理人',
  '响应用时（工作小时）',
  '处理用时（工作小时）',
  '是否按时响应',
  '是否按时办结',
  '回访',
  '满意度',
  '重复投诉',
  '所属事件',
  '状态',
];

const KPI: LedgerInput['kpi'] = [
  {
    title: '2026年11月 总体',
    rows: [
      ['工单数', 2],
      ['按时响应率', '100.0%'],
    ],
  },
  { title: '满意度', rows: [['满意', 1]] },
];

async function readBack(path: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

function sheetOf(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as ExcelJS.CellValue[]).slice(1);

/** A row's cells by header, blanks as null. */
function rowByHeader(ws: ExcelJS.Worksheet, n: number): Record<string, ExcelJS.CellValue> {
  const headers = rowValues(ws, 1) as string[];
  const cells = rowValues(ws, n);
  return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? null]));
}

/** A date cell as the reader sees it on screen: the cell holds Beijing wall time. */
const shown = (v: ExcelJS.CellValue) => (v instanceof Date ? v.toISOString().slice(0, 16).replace('T', ' ') : v);

const allText = (wb: ExcelJS.Workbook) => {
  const out: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => out.push(String(c.value)))));
  return out.join('\n');
};

async function* slowly(rows: LedgerRow[]): AsyncIterable<LedgerRow> {
  for (const r of rows) {
    await new Promise((resolve) => setImmediate(resolve));
    yield r;
  }
}

describe('ledger', () => {
  it('when a residential ledger is written, then it has the KPI sheet and a sheet per month', async () => {
    const path = tempFile();
    const masked = ledgerRowOf(ticket(), facts(), { full: false });
    const result = await writeLedger(path, {
      months: [
        { month: '2026-10', rows: [] },
        { month: '2026-11', rows: slowly([masked, masked]) },
      ],
      kpi: KPI,
      mall: false,
      title: '湖畔花园 工单台账',
    });
    expect(result).toEqual({
      sheets: [
        { name: '2026年10月', month: '2026-10', rows: 0 },
        { name: '2026年11月', month: '2026-11', rows: 2 },
      ],
      rows: 2,
    });
    const wb = await readBack(path);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['指标', '2026年10月', '2026年11月']);
    expect(ledgerHeaders({ mall: false })).toEqual(RESIDENTIAL_HEADERS);
    for (const name of ['2026年10月', '2026年11月']) {
      const ws = sheetOf(wb, name);
      expect(rowValues(ws, 1)).toEqual(RESIDENTIAL_HEADERS);
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    }
    expect(sheetOf(wb, '2026年11月').rowCount).toBe(3);
    expect(sheetOf(wb, '2026年10月').rowCount).toBe(1);
  });

  it('when a line is written, then it is masked and reads in Beijing time, working hours and 是/否', async () => {
    const path = tempFile();
    const row = ledgerRowOf(ticket(), facts({ repeat: true, incident: '事件#12（3户）' }), { full: false });
    await writeLedger(path, { months: [{ month: '2026-11', rows: [row] }], kpi: [], mall: false });
    const wb = await readBack(path);
    const ws = sheetOf(wb, '2026年11月');
    const line = rowByHeader(ws, 2);
    expect({ ...line, 日期: shown(line['日期']!), 投诉时间: shown(line['投诉时间']!) }).toEqual({
      编号: 'KF-20261118-0001',
      项目: '湖畔花园',
      日期: '2026-11-18 10:00',
      投诉人: '张**',
      投诉时间: '2026-11-18 10:00',
      房号: '3-2-502',
      接报人: '王客服',
      投诉内容: '卫生间天花板在滴水，张**说楼上502也在漏',
      原因分析: '楼上防水层破损',
      整改措施: null,
      处理意见: '已修复防水层',
      领导批示: null,
      渠道: '公众号',
      类型: '报修',
      类别: '工程质量类',
      专业: '水电',
      紧急程度: '一般',
      事件等级: '一般事件',
      处理人: '李师傅',
      '响应用时（工作小时）': 1.3,
      '处理用时（工作小时）': 14,
      是否按时响应: '是',
      是否按时办结: '否',
      回访: '已回访',
      满意度: '满意',
      重复投诉: '是',
      所属事件: '事件#12（3户）',
      状态: '已关闭',
    });
    const cells = ws.getRow(2);
    expect(cells.getCell(3).numFmt).toBe('yyyy-mm-dd');
    expect(cells.getCell(5).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(cells.getCell(20).numFmt).toBe('0.0');
    expect(allText(wb)).not.toMatch(/13812345678|5678|张三丰/);
  });

  it('when a ticket is still open, then what has not happened yet is blank', async () => {
    const open = ticket({ status: 'open', rating: null, completedAt: null, trade: null, handler: null });
    const row = ledgerRowOf(open, facts({ resolutionWorkHours: null, respondedOnTime: null, resolvedOnTime: null }), {
      full: false,
    });
    const path = tempFile();
    await writeLedger(path, { months: [{ month: '2026-11', rows: [row] }], kpi: [], mall: false });
    const line = rowByHeader(sheetOf(await readBack(path), '2026年11月'), 2);
    expect(line).toMatchObject({
      专业: null,
      处理人: null,
      '处理用时（工作小时）': null,
      是否按时响应: null,
      是否按时办结: null,
      回访: null,
      满意度: null,
      重复投诉: '否',
      状态: '已受理',
    });
  });

  it('when an authorised user asks for the full ledger, then it shows the full name and the phone', async () => {
    const path = tempFile();
    const row = ledgerRowOf(ticket(), facts(), { full: true });
    await writeLedger(path, { months: [{ month: '2026-11', rows: [row] }], kpi: [], mall: false, full: true });
    const ws = sheetOf(await readBack(path), '2026年11月');
    expect(rowValues(ws, 1).slice(0, 6)).toEqual(['编号', '项目', '日期', '投诉人', '联系电话', '投诉时间']);
    expect(rowByHeader(ws, 2)).toMatchObject({ 投诉人: '张三丰', 联系电话: '13812345678' });
  });

  it('when the project is a mall, then the sheet has the mall form’s columns and a location', async () => {
    const path = tempFile();
    const mallTicket = ticket({ room: 'B1层扶梯口', rulePack: 'mall', channel: 'web', residentName: '陈女士' });
    const withCost = ledgerRowOf(
      mallTicket,
      facts({
        projectName: '滨江购物中心',
        levelLabel: '一级客诉',
        mall: { handlingUnit: '三楼服务台', assistingUnit: '工程部', cost: 200, financeApproval: '已审核' },
      }),
      { full: false },
    );
    const without = ledgerRowOf({ ...mallTicket, no: 'KF-20261118-0002' }, facts({ levelLabel: '初级客诉' }), {
      full: false,
    });
    await writeLedger(path, { months: [{ month: '2026-11', rows: [withCost, without] }], kpi: KPI, mall: true });
    const wb = await readBack(path);
    const ws = sheetOf(wb, '2026年11月');
    const headers = rowValues(ws, 1);
    expect(headers).toEqual(ledgerHeaders({ mall: true }));
    expect(headers.slice(-5)).toEqual(['处理单位', '协办单位', '协办事项', '费用（元）', '财会部审核']);
    expect(headers).toContain('位置');
    expect(headers).not.toContain('房号');
    expect(rowByHeader(ws, 2)).toMatchObject({
      投诉人: '陈**',
      位置: 'B1层扶梯口',
      渠道: '网页客服',
      事件等级: '一级客诉',
      处理单位: '三楼服务台',
      协办单位: '工程部',
      协办事项: null,
      '费用（元）': 200,
      财会部审核: '已审核',
    });
    expect(rowByHeader(ws, 3)).toMatchObject({ 处理单位: null, '费用（元）': null, 财会部审核: null });
    expect(allText(wb)).toContain('至少保存二年');
  });

  it('when KPIs are given, then the 指标 sheet lists each table under its title', async () => {
    const path = tempFile();
    await writeLedger(path, { months: [], kpi: KPI, mall: false, title: '湖畔花园 2026年11月 台账' });
    const ws = sheetOf(await readBack(path), '指标');
    const rows = Array.from({ length: ws.rowCount }, (_, i) => rowValues(ws, i + 1));
    expect(rows).toEqual([
      ['湖畔花园 2026年11月 台账'],
      [],
      ['2026年11月 总体'],
      ['工单数', 2],
      ['按时响应率', '100.0%'],
      [],
      ['满意度'],
      ['满意', 1],
    ]);
    expect(ws.getRow(3).getCell(1).font?.bold).toBe(true);
  });

  it('when the clock says anything, then the workbook still says only what its input says', async () => {
    const row = ledgerRowOf(ticket(), facts(), { full: false });
    const input = (): LedgerInput => ({ months: [{ month: '2026-11', rows: [row] }], kpi: KPI, mall: false });
    const [a, b] = [tempFile(), tempFile()];
    // Only Date is faked: the streams still need real timers and I/O.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-02T03:04:05Z'));
      await writeLedger(a, input());
      vi.setSystemTime(new Date('2041-06-07T08:09:10Z'));
      await writeLedger(b, { ...input(), generatedAt: new Date('2026-12-01T01:00:00Z') });
    } finally {
      vi.useRealTimers();
    }
    const [wa, wb] = [await readBack(a), await readBack(b)];
    // Without generatedAt: the start of the month after the last one, in Beijing.
    expect([wa.created.toISOString(), wa.modified.toISOString()]).toEqual([
      '2026-11-30T16:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ]);
    expect(wb.created.toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(rowValues(sheetOf(wa, '2026年11月'), 2)).toEqual(rowValues(sheetOf(wb, '2026年11月'), 2));
  });

  it('when the rows fail half way, then it rejects and leaves no file', async () => {
    const path = tempFile();
    async function* failing(): AsyncIterable<LedgerRow> {
      yield ledgerRowOf(ticket(), facts(), { full: false });
      throw new Error('cursor lost');
    }
    await expect(
      writeLedger(path, { months: [{ month: '2026-11', rows: failing() }], kpi: [], mall: false }),
    ).rejects.toThrow('cursor lost');
    expect(existsSync(path)).toBe(false);
  });

  it('when exceljs writes a sheet, then the ledger can see the XML waiting for the compressor', async () => {
    // The memory bound of a 100,000-line export rests on this exceljs 4.4 internal (see backlogOf).
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough().resume() });
    const sheet = wb.addWorksheet('s');
    expect(backlogOf(sheet)).not.toBeNull();
    sheet.commit();
    await wb.commit();
  });

  it('when the output breaks, then it rejects and stops reading rows', async () => {
    const out = new Writable({ write: (_chunk, _enc, done) => done(new Error('disk full')) });
    let read = 0;
    function* many(): Iterable<LedgerRow> {
      const row = ledgerRowOf(ticket(), facts(), { full: false });
      for (; read < 50_000; read++) yield row;
    }
    await expect(
      writeLedger(out, { months: [{ month: '2026-11', rows: many() }], kpi: [], mall: false }),
    ).rejects.toThrow('disk full');
    expect(read).toBeLessThan(50_000);
  });

  it('when months are named, then they read as people write them', () => {
    expect(['2026-11', '2027-01'].map(monthSheetName)).toEqual(['2026年11月', '2027年1月']);
  });

  it('when a month is malformed or given twice, then it refuses before writing', async () => {
    const path = tempFile();
    await expect(writeLedger(path, { months: [{ month: '2026-13', rows: [] }], kpi: [], mall: false })).rejects.toThrow(
      'YYYY-MM',
    );
    const twice = [
      { month: '2026-11', rows: [] },
      { month: '2026-11', rows: [] },
    ];
    await expect(writeLedger(path, { months: twice, kpi: [], mall: false })).rejects.toThrow('两次');
    expect(existsSync(path)).toBe(false);
  });
});
