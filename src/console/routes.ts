// The web console under /console: sign-in, tickets, incidents, users, audit log. Server-rendered pages; every act goes
// through the same ticket use cases as the chat commands, as the signed-in user.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { readForm } from '../http/read-body.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { adminPages } from './admin-pages.js';
import { assetRoutes } from './assets.js';
import type { ConsoleDeps } from './deps.js';
import { checkCsrf, LOGIN_CSRF_COOKIE, loginCsrf, me, postGuard, requireUser, securityHeaders } from './guard.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { render } from './render.js';
import { sessions as createSessions } from './session.js';
import { createSignIn } from './sign-in.js';
import { reportPages } from './report-pages.js';
import { ticketPages } from './ticket-pages.js';
import { insideWecom, wecomRoutes } from './wecom-routes.js';

export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: '/console' });
  const sessions = createSessions(deps.store, deps.clock);
  const signIn = createSignIn(deps.store, deps.clock);

  router.use(securityHeaders(), pageErrors(deps.logger), postGuard(deps.publicUrl), sessions.middleware());
  assetRoutes(router);

  router.get('/login', (ctx) => {
    if (me(ctx)) return ctx.redirect('/console');
    const next = safeNext(ctx.query.next);
    // Opened from the WeCom workbench: sign in silently with 网页授权 (?password=1 keeps the form).
    if (deps.wecom && insideWecom(ctx) && ctx.query.password !== '1')
      return ctx.redirect(`/console/login/wecom?next=${encodeURIComponent(next)}`);
    render(ctx, 'login', { loginCsrf: loginCsrf(ctx), next, wecom: !!deps.wecom });
  });
  wecomRoutes(router, deps, sessions, safeNext);

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx.cookies.get(LOGIN_CSRF_COOKIE) ?? '', form.get('_csrf'));
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const next = safeNext(form.get('next'));
    const again = (error: string, status: number) =>
      render(ctx, 'login', { loginCsrf: loginCsrf(ctx), next, username, error, wecom: !!deps.wecom }, status);
    if (!username || !password) return again('请输入用户名和密码', 400);
    const r = await signIn(username.slice(0, 64), password.slice(0, 256), ctx.ip);
    switch (r.kind) {
      case 'ok':
        await sessions.start(ctx, r.user);
        deps.logger.info({ user: r.user.username, ip: ctx.ip }, 'console sign-in');
        return ctx.redirect(r.user.mustChangePassword ? '/console/password' : next);
      case 'wrong':
        deps.logger.warn(
          { user: username.slice(0, 64), ip: ctx.ip, reason: 'wrong password' },
          'console sign-in refused',
        );
        return again('用户名或密码错误', 401);
      case 'locked':
        deps.logger.warn({ user: username.slice(0, 64), ip: ctx.ip, reason: 'locked' }, 'console sign-in refused');
        return again(
          `密码错误次数过多，账号已锁定至 ${minutesLeft(r.until, deps.clock.now())} 分钟后，请稍后再试或联系管理员`,
          423,
        );
      case 'too-many':
        deps.logger.warn({ ip: ctx.ip, reason: 'too many attempts from this address' }, 'console sign-in refused');
        return again('尝试次数过多，请 10 分钟后再试', 429);
    }
  });

  router.post('/logout', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    checkCsrf(m.csrf, (await readForm(ctx)).get('_csrf'));
    await deps.store.audit({ actor: m.user.username, action: 'sign_out', ip: ctx.ip }, deps.clock.now());
    await sessions.end(ctx);
    ctx.redirect('/console/login');
  });

  router.get('/password', requireUser(), (ctx) => render(ctx, 'password', {}));
  router.post('/password', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const current = form.get('current') ?? '';
    const next = form.get('password') ?? '';
    const again = (error: string) => render(ctx, 'password', { error }, 400);
    if (!(await verifyPassword(m.user.passwordHash, current))) return again('当前密码不正确');
    if (next !== form.get('confirm')) return again('两次输入的新密码不一致');
    if (next === current) return again('新密码不能与当前密码相同');
    const problem = passwordProblem(next, m.user.username);
    if (problem) return again(problem);
    const now = deps.clock.now();
    await deps.store.updateUser(m.user.id, { passwordHash: await hashPassword(next), mustChangePassword: false }, now);
    await deps.store.closeSessionsOf(m.user.id, m.sessionId);
    await deps.store.audit({ actor: m.user.username, action: 'password_changed', ip: ctx.ip }, now);
    ctx.redirect('/console');
  });

  ticketPages(router, deps);
  reportPages(router, deps);
  adminPages(router, deps);
  return router;
}

/** Only a path inside the console: a `next` pointing elsewhere would make the sign-in page an open redirect. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/[^\s\\]*)?(\?[^\s\\]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : '/console';
}

const minutesLeft = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

/** Refusals as a page people can read (the JSON API keeps its JSON errors). */
function pageErrors(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && !ctx.body)
        render(ctx, 'error', { title: '页面不存在', message: '没有这个页面。' }, 404);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      logger.warn({ path: ctx.path, ip: ctx.ip, user: me(ctx)?.user.username, reason: err.message }, 'console refused');
      const title = err.status === 404 ? '找不到' : err.status === 403 ? '无权操作' : '请求有误';
      render(ctx, 'error', { title, message: err.message }, err.status);
    }
  };
}
