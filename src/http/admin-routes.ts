// Admin JSON API behind a bearer token.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { safeEqual } from '../channels/wechat-crypto/index.js';
import type { TicketQueries } from '../db/ticket-queries.js';
import { AppError } from '../lib/errors.js';
import { maskName, maskPhone } from '../lib/masking.js';
import { readJson } from './read-body.js';
import { CATEGORIES, KINDS, TRADES, URGENCIES } from '../rules/index.js';
import type { CorrectOutcome, Correction, ResolveOutcome } from '../tickets/index.js';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .transform((d) => new Date(`${d}T00:00:00+08:00`));

const ListQuery = z.object({
  status: z.enum(['open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled']).optional(),
  category: z.enum(CATEGORIES).optional(),
  level: z.string().max(16).optional(),
  resident: z.string().trim().min(1).max(64).optional(),
  from: day.optional(),
  to: day.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

const Paging = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
const Resolve = z.object({
  resolution: z.string().trim().min(2, '请写明处理结果').max(500),
  by: z.string().trim().min(1).max(64).default('admin'),
});
const IncidentId = z.coerce.number().int().positive();
const Labels = z
  .object({
    kind: z.enum(KINDS).optional(),
    category: z.enum(CATEGORIES).optional(),
    trade: z.enum(TRADES).nullable().optional(),
    urgency: z.enum(URGENCIES).optional(),
    level: z.string().trim().min(1).max(16).optional(),
    by: z.string().trim().min(1).max(64),
  })
  .refine(
    (b) => Object.keys(b).some((k) => k !== 'by'),
    '请至少给出一项要更正的标签（kind、category、trade、urgency、level）',
  );

export interface AdminDeps {
  queries: TicketQueries;
  /** The scope of an API token created in the console (用户 → API 令牌), or undefined when unknown or revoked. */
  apiTokenScope(token: string): Promise<'read' | 'write' | undefined>;
  /** Level codes of every loaded rule pack: a filter on anything else is a typo. */
  levelCodes(): string[];
  /** Loads the rule packs again; on an error the old rules stay in force and the error says file, line and reason. */
  reloadRules(): { ok: true; packs: string[] } | { ok: false; error: string };
  resolveIncident(id: number, resolution: string, actor: string): Promise<ResolveOutcome>;
  /** A person's correction of a ticket's labels, kept for the classifier's training (`by`: who, for the timeline). */
  recategorise(ticketNo: string, fix: Correction, by: string): Promise<CorrectOutcome>;
  /** Which years have an official holiday calendar, and a warning when the coming months reach one that has not. */
  calendarStatus(): unknown;
  /** Does a deadline running from `from` to `to` count days of a year whose holidays are only provisional? */
  provisional(projectCode: string, from: Date, to: Date): boolean;
}

export function adminRoutes(adminToken: string | undefined, deps: AdminDeps): Router {
  const { queries } = deps;
  const router = new Router({ prefix: '/api' });
  router.use(bearer(adminToken, deps.apiTokenScope));

  router.post('/rules/reload', (ctx) => {
    const r = deps.reloadRules();
    if (!r.ok) throw new AppError('RULES_INVALID', `规则包有误，未重新加载，旧规则继续生效：${r.error}`);
    ctx.body = r;
  });

  router.get('/calendar', (ctx) => {
    ctx.body = deps.calendarStatus();
  });

  router.get('/incidents', async (ctx) => {
    const q = Paging.safeParse(ctx.query);
    if (!q.success) throw new AppError('BAD_REQUEST', z.prettifyError(q.error));
    ctx.body = await queries.incidents(q.data.status, q.data.page, q.data.pageSize);
  });

  router.get('/incidents/:id', async (ctx) => {
    const id = IncidentId.safeParse(ctx.params.id);
    const found = id.success ? await queries.incident(id.data) : undefined;
    if (!found) throw new AppError('NOT_FOUND', `事件 ${ctx.params.id} 不存在`);
    ctx.body = { ...found, tickets: found.tickets.map(masked) };
  });

  router.post('/incidents/:id/resolve', async (ctx) => {
    const id = IncidentId.safeParse(ctx.params.id);
    if (!id.success) throw new AppError('NOT_FOUND', `事件 ${ctx.params.id} 不存在`);
    const body = Resolve.safeParse(await readJson(ctx));
    if (!body.success) throw new AppError('BAD_REQUEST', z.prettifyError(body.error));
    const r = await deps.resolveIncident(id.data, body.data.resolution, `admin:${body.data.by}`);
    if (!r.ok)
      throw r.reason === 'not_found'
        ? new AppError('NOT_FOUND', `事件 ${id.data} 不存在`)
        : new AppError('CONFLICT', `事件 ${id.data} 已经办结`);
    ctx.body = r;
  });

  router.get('/tickets', async (ctx) => {
    const q = ListQuery.safeParse(ctx.query);
    if (!q.success) throw new AppError('BAD_REQUEST', z.prettifyError(q.error));
    if (q.data.level && !deps.levelCodes().includes(q.data.level))
      throw new AppError('BAD_REQUEST', `未知的事件等级 ${q.data.level}（可选：${deps.levelCodes().join('、')}）`);
    // `to` is inclusive for people: up to the end of that day.
    const to = q.data.to ? new Date(q.data.to.getTime() + 86_400_000) : undefined;
    const found = await queries.list({ ...q.data, to });
    ctx.body = { ...found, items: found.items.map(masked) };
  });

  router.post('/tickets/:no/labels', async (ctx) => {
    const body = Labels.safeParse(await readJson(ctx));
    if (!body.success) throw new AppError('BAD_REQUEST', z.prettifyError(body.error));
    const { by, ...fix } = body.data;
    const no = ctx.params.no ?? '';
    const r = await deps.recategorise(no, fix, `admin:${by}`);
    switch (r.kind) {
      case 'done':
        ctx.body = { ok: true, ticket: r.ticket };
        return;
      case 'unknown-level':
        throw new AppError('BAD_REQUEST', `未知的事件等级 ${r.level}（可选：${deps.levelCodes().join('、')}）`);
      case 'not-found':
        throw new AppError('NOT_FOUND', `工单 ${no} 不存在`);
      case 'finished':
        throw new AppError('CONFLICT', `工单 ${no} 已关闭或已撤销，不能再更正`);
      default:
        throw new AppError('CONFLICT', `工单 ${no} 现在不能更正`);
    }
  });

  router.get('/tickets/:no', async (ctx) => {
    const detail = await queries.detail(ctx.params.no ?? '');
    if (!detail) throw new AppError('NOT_FOUND', `工单 ${ctx.params.no} 不存在`);
    const { projectCode } = detail.ticket;
    const items = detail.deadlines.items.map((d) => ({
      ...d,
      provisional: deps.provisional(projectCode, d.createdAt, d.dueAt),
    }));
    const resident = detail.resident && {
      ...detail.resident,
      name: detail.resident.name && maskName(detail.resident.name),
      phone: detail.resident.phone && maskPhone(detail.resident.phone),
    };
    ctx.body = { ...detail, ticket: masked(detail.ticket), resident, deadlines: { ...detail.deadlines, items } };
  });

  return router;
}

/**
 * Scripts and exports get residents masked like every page people read; a full phone is seen in the console, with a
 * reason that goes to the audit log.
 */
function masked<T extends { residentName: string; phone: string | null }>(t: T): T {
  return { ...t, residentName: maskName(t.residentName), phone: t.phone && maskPhone(t.phone) };
}

/** ADMIN_TOKEN may do everything; a console-made token reads (GET), and writes only with the `write` scope. */
function bearer(token: string | undefined, scopeOf: AdminDeps['apiTokenScope']) {
  return async (ctx: Context, next: Next) => {
    const given = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
    if (token && safeEqual(given, token)) return next();
    const scope = given.startsWith(API_TOKEN_PREFIX) ? await scopeOf(given) : undefined;
    if (!scope) {
      if (!token && !given)
        throw new AppError('ADMIN_DISABLED', '管理接口未启用：请配置 ADMIN_TOKEN，或在管理后台创建 API 令牌');
      throw new AppError('UNAUTHORIZED', '缺少或错误的管理令牌');
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && scope !== 'write')
      throw new AppError('FORBIDDEN', '此 API 令牌只读，不能执行修改操作');
    await next();
  };
}

/** Console-made API tokens start with this, so a typo'd ADMIN_TOKEN never costs a database lookup. */
export const API_TOKEN_PREFIX = 'kfapi_';
