// Pages from eta templates (src/console/views, copied next to the build by `npm run build`). Every `<%= %>` is
// escaped: what residents and staff wrote is text, never markup.
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import { Eta } from 'eta';
import { statusLabel } from '../dialogue/index.js';
import { CATEGORY_LABEL, KIND_LABEL, TRADE_LABEL, URGENCY_LABEL } from '../rules/index.js';
import type { Me } from './session.js';

const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), cache: true, autoEscape: true });

const ROLE_LABEL: Record<string, string> = { admin: '管理员', manager: '经理', handler: '处理人', auditor: '审计员' };

const SHANGHAI = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** What every template may call: labels for codes, Beijing time, role names. */
export const view = {
  status: statusLabel,
  kind: (k: string) => (KIND_LABEL as Record<string, string>)[k] ?? k,
  category: (c: string) => (CATEGORY_LABEL as Record<string, string>)[c] ?? c,
  trade: (t: string | null) => (t ? ((TRADE_LABEL as Record<string, string>)[t] ?? t) : '—'),
  urgency: (u: string) => (URGENCY_LABEL as Record<string, string>)[u] ?? u,
  role: (r: string) => ROLE_LABEL[r] ?? r,
  time: (d: Date | string | null | undefined) => (d ? SHANGHAI.format(new Date(d)).replaceAll('/', '-') : '—'),
  day: (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10),
};

export function render(ctx: Context, template: string, data: Record<string, unknown>, status = 200): void {
  const m = ctx.state.me as Me | undefined;
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = eta.render(template, { ...data, me: m, csrf: m?.csrf, v: view, path: ctx.path });
}
