// The month in the console: the KPI tables of the user's projects, the chart, and the ledger download (masked; the
// full ledger, with residents' names and phones, for managers and admins with a reason, in the audit log).
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import { isMonth, formatHours, formatPercent, FIGURE_LABELS, type KpiSet } from '../kpi/index.js';
import { AppError } from '../lib/errors.js';
import { companyReport, monthReport, projectReport, writeMonthLedger } from '../reports/monthly-report.js';
import { previousMonth } from '../reports/schedule.js';
import type { ConsoleDeps } from './deps.js';
import { hasRole, me, requireUser } from './guard.js';
import { render } from './render.js';
import type { Me } from './session.js';

const monthOf = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

/** The figures of one KPI set as table cells people read. */
function cells(k: KpiSet) {
  const rate = (f: { rate: number | null; numerator: number; denominator: number }) =>
    `${formatPercent(f.rate)}（${f.numerator}/${f.denominator}）`;
  return [
    [FIGURE_LABELS.filed, String(k.filed.count)],
    [FIGURE_LABELS.completed, String(k.completed.count)],
    [FIGURE_LABELS.responseOnTime, rate(k.responseOnTime)],
    [FIGURE_LABELS.resolutionOnTime, rate(k.resolutionOnTime)],
    [FIGURE_LABELS.responseHours, formatHours(k.responseHours.meanHours)],
    [FIGURE_LABELS.resolutionHours, formatHours(k.resolutionHours.meanHours)],
    [FIGURE_LABELS.firstTimeFix, rate(k.firstTimeFix)],
    [FIGURE_LABELS.callback, rate(k.callback)],
    [FIGURE_LABELS.satisfaction, rate(k.satisfaction.rate)],
    [FIGURE_LABELS.repeatComplaints, String(k.repeatComplaints.count)],
    [FIGURE_LABELS.collective, `${k.collective.count} 起 / ${k.collective.residents} 户`],
  ];
}

export function reportPages(router: Router, deps: ConsoleDeps): void {
  const r = deps.reports;
  const mine = (m: Me) =>
    deps.organisation.projects.filter((p) => m.scope.projects === 'all' || m.scope.projects.includes(p.code));
  const wholeCompany = (m: Me) => m.scope.projects === 'all' && !m.scope.own;
  const month = (text: string | undefined) => {
    if (!text || !isMonth(text)) throw new AppError('NOT_FOUND', `月份应为 YYYY-MM：${text ?? ''}`);
    return text;
  };

  router.get('/reports', requireUser('admin', 'manager', 'auditor'), (ctx) => {
    const current = monthOf(deps.clock.now());
    const months: string[] = [];
    for (let m = previousMonth(current); months.length < 12; m = previousMonth(m)) months.push(m);
    render(ctx, 'reports', { months: [current, ...months] });
  });

  router.get('/reports/:month', requireUser('admin', 'manager', 'auditor'), async (ctx) => {
    const m = me(ctx)!;
    const which = month(ctx.params.month);
    const report = await monthReport(r, which, deps.clock.now());
    const tables = mine(m).flatMap((p) => {
      const k = report.current.by.project[p.code];
      return k ? [{ title: p.name, cells: cells(k) }] : [];
    });
    if (wholeCompany(m))
      tables.unshift({ title: `${deps.organisation.company}（全部项目）`, cells: cells(report.current.all) });
    render(ctx, 'report', {
      month: which,
      tables,
      projects: mine(m),
      canFull: hasRole(m, 'admin', 'manager'),
    });
  });

  router.get('/reports/:month/chart.png', requireUser('admin', 'manager', 'auditor'), async (ctx) => {
    const m = me(ctx)!;
    const which = month(ctx.params.month);
    const report = await monthReport(r, which, deps.clock.now());
    const code = typeof ctx.query.project === 'string' ? ctx.query.project : undefined;
    const project = code ? mine(m).find((p) => p.code === code) : undefined;
    if (code && !project) throw new AppError('NOT_FOUND', `项目 ${code} 不在您负责的范围内`);
    if (!project && !wholeCompany(m)) throw new AppError('NOT_FOUND', '请选择项目');
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.body = (project ? projectReport(r, report, project) : companyReport(r, report)).png;
  });

  router.get('/reports/:month/ledger.xlsx', requireUser('admin', 'manager', 'auditor'), async (ctx) => {
    const m = me(ctx)!;
    const which = month(ctx.params.month);
    const full = ctx.query.full === '1';
    const reason = typeof ctx.query.reason === 'string' ? ctx.query.reason.trim().slice(0, 200) : '';
    if (full && !hasRole(m, 'admin', 'manager')) throw new AppError('FORBIDDEN', '只有经理和管理员可以导出完整台账');
    if (full && reason.length < 2) throw new AppError('BAD_REQUEST', '导出完整台账（含住户姓名电话）需要填写理由');
    const report = await monthReport(r, which, deps.clock.now());
    const projects = wholeCompany(m) ? undefined : mine(m).map((p) => p.code);
    if (full)
      await deps.store.audit(
        { actor: m.user.username, action: 'ledger_full', reason: `${which}：${reason}`, ip: ctx.ip },
        deps.clock.now(),
      );
    const out = new PassThrough();
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.attachment(`台账-${which}${full ? '-完整' : ''}.xlsx`);
    ctx.body = out;
    writeMonthLedger(r, report, out, { projects, full }).then(
      () => out.end(),
      (err: unknown) => {
        deps.logger.error({ err, month: which }, 'ledger export failed');
        out.destroy(err as Error);
      },
    );
  });
}
