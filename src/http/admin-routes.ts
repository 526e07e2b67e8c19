// Admin JSON API behind a bearer token.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { safeEqual } from '../channels/wechat-crypto/index.js';
import type { TicketQueries } from '../db/ticket-queries.js';
import { AppError } from '../lib/errors.js';
import { CATEGORIES, LEVELS } from '../rules/index.js';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .transform((d) => new Date(`${d}T00:00:00+08:00`));

const ListQuery = z.object({
  status: z.enum(['open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled']).optional(),
  category: z.enum(CATEGORIES).optional(),
  level: z.enum(LEVELS).optional(),
  resident: z.string().trim().min(1).max(64).optional(),
  from: day.optional(),
  to: day.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export function adminRoutes(adminToken: string | undefined, queries: TicketQueries): Router {
  const router = new Router({ prefix: '/api' });
  router.use(bearer(adminToken));

  router.get('/tickets', async (ctx) => {
    const q = ListQuery.safeParse(ctx.query);
    if (!q.success) throw new AppError('BAD_REQUEST', z.prettifyError(q.error));
    // `to` is inclusive for people: up to the end of that day.
    const to = q.data.to ? new Date(q.data.to.getTime() + 86_400_000) : undefined;
    ctx.body = await queries.list({ ...q.data, to });
  });

  router.get('/tickets/:no', async (ctx) => {
    const detail = await queries.detail(ctx.params.no ?? '');
    if (!detail) throw new AppError('NOT_FOUND', `工单 ${ctx.params.no} 不存在`);
    ctx.body = detail;
  });

  return router;
}

function bearer(token: string | undefined) {
  return async (ctx: Context, next: Next) => {
    if (!token) throw new AppError('ADMIN_DISABLED', '管理接口未启用：请配置 ADMIN_TOKEN');
    const given = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!safeEqual(given, token)) throw new AppError('UNAUTHORIZED', '缺少或错误的管理令牌');
    await next();
  };
}
