// Koa application: middleware order, error → status mapping, health. No business decisions here.
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import type { Logger } from '../lib/logger.js';
import { AppError } from '../lib/errors.js';

export interface HttpAppDeps {
  logger: Logger;
  routers: Router[];
  /** `waiting`: resident messages taken and not yet answered (the intake queue's depth). */
  health: () => Promise<{ ok: boolean; database: string; detail?: string; waiting: number }>;
}

export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true;
  app.use(errors(deps.logger));

  const core = new Router();
  core.get('/healthz', async (ctx) => {
    const h = await deps.health();
    ctx.status = h.ok ? 200 : 503;
    ctx.body = {
      status: h.ok ? 'ok' : 'degraded',
      database: h.database,
      waiting: h.waiting,
      ...(h.detail ? { detail: h.detail } : {}),
    };
  });

  for (const r of [core, ...deps.routers]) {
    app.use(r.routes());
    app.use(r.allowedMethods());
  }
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: 'NOT_FOUND', message: `没有这个地址：${ctx.method} ${ctx.path}` };
  });
  return app;
}

function errors(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 405)
        logger.warn({ method: ctx.method, path: ctx.path, reason: 'method not allowed' }, 'request refused');
    } catch (err) {
      if (err instanceof AppError) {
        logger.warn(
          { method: ctx.method, path: ctx.path, ip: ctx.ip, code: err.code, reason: err.message },
          'request refused',
        );
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message };
        return;
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500) {
        logger.warn({ method: ctx.method, path: ctx.path, status, reason: (err as Error).message }, 'request refused');
        ctx.status = status;
        ctx.body = { error: 'BAD_REQUEST', message: (err as Error).message };
        return;
      }
      // Nothing was committed: a 500 makes WeCom / WeChat retry, so the message is not lost.
      logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: 'INTERNAL', message: '服务暂时不可用，请稍后重试' };
    }
  };
}
