// Admin pages (users, rule reload) and the audit log (auditors and admins). Creating a user or resetting a password
// shows a one-time password once; it is never stored in clear.
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { API_TOKEN_PREFIX } from '../http/admin-routes.js';
import { readForm } from '../http/read-body.js';
import { AppError } from '../lib/errors.js';
import type { AuditAction } from '../db/console-schema.js';
import type { ConsoleRole } from '../tickets/index.js';
import { checkCsrf, me, requireUser } from './guard.js';
import { render } from './render.js';
import type { ConsoleDeps } from './deps.js';
import { createUser, resetPassword, ROLES } from './users.js';

const AUDIT_LABEL: Record<AuditAction, string> = {
  sign_in: '登录',
  sign_in_failed: '登录失败',
  locked_out: '账号锁定',
  sign_out: '退出',
  password_changed: '修改密码',
  reveal_phone: '查看完整电话',
  user_created: '新建用户',
  user_updated: '修改用户',
  password_reset: '重置密码',
  api_token_created: '创建 API 令牌',
  api_token_revoked: '吊销 API 令牌',
  ledger_full: '导出完整台账',
};

export function adminPages(router: Router, deps: ConsoleDeps): void {
  const { store, clock } = deps;

  const usersPage = async (ctx: Context, extra: Record<string, unknown> = {}, status = 200) =>
    render(
      ctx,
      'users',
      {
        users: await store.listUsers(),
        tokens: await store.listApiTokens(),
        roles: ROLES,
        projects: deps.organisation.projects,
        ...extra,
      },
      status,
    );

  router.get('/users', requireUser('admin'), (ctx) => usersPage(ctx));

  router.post('/users', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const projectCodes = new Set(['*', ...deps.organisation.projects.map((p) => p.code)]);
    const r = await createUser(
      store,
      {
        username: (form.get('username') ?? '').trim(),
        displayName: form.get('displayName') ?? '',
        roles: form.getAll('roles').filter((r): r is ConsoleRole => (ROLES as string[]).includes(r)),
        projects: form.getAll('projects').filter((p) => projectCodes.has(p)),
        department: form.get('department'),
        wecomUserId: form.get('wecomUserId'),
      },
      m.user.username,
      clock.now(),
    );
    if (r.kind === 'invalid') return usersPage(ctx, { error: r.problem }, 400);
    if (r.kind === 'taken') return usersPage(ctx, { error: `用户名 ${form.get('username')} 已存在` }, 409);
    return usersPage(ctx, { issued: { username: r.user.username, password: r.password } });
  });

  router.post('/users/:id/reset', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    checkCsrf(m.csrf, (await readForm(ctx)).get('_csrf'));
    const user = await store.userById(Number(ctx.params.id));
    if (!user) throw new AppError('NOT_FOUND', '用户不存在');
    const password = await resetPassword(store, user, m.user.username, clock.now());
    return usersPage(ctx, { issued: { username: user.username, password } });
  });

  router.post('/users/:id/disable', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const user = await store.userById(Number(ctx.params.id));
    if (!user) throw new AppError('NOT_FOUND', '用户不存在');
    if (user.id === m.user.id) return usersPage(ctx, { error: '不能停用自己的账号' }, 400);
    const disabled = form.get('disabled') === '1';
    const now = clock.now();
    await store.updateUser(user.id, { disabled }, now);
    if (disabled) await store.closeSessionsOf(user.id);
    const what = `${user.username} ${disabled ? '停用' : '启用'}`;
    await store.audit({ actor: m.user.username, action: 'user_updated', reason: what, ip: ctx.ip }, now);
    ctx.redirect('/console/users');
  });

  router.post('/tokens', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const name = (form.get('name') ?? '').trim().slice(0, 64);
    const scope = form.get('scope') === 'write' ? 'write' : 'read';
    if (name.length < 2) return usersPage(ctx, { error: '请为令牌起一个名字（用途），至少 2 个字' }, 400);
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const now = clock.now();
    await store.addApiToken({ name, token, scope, createdBy: m.user.username }, now);
    await store.audit(
      { actor: m.user.username, action: 'api_token_created', reason: `${name}（${scope}）`, ip: ctx.ip },
      now,
    );
    return usersPage(ctx, { issuedToken: { name, token, scope } });
  });

  router.post('/tokens/:id/revoke', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    checkCsrf(m.csrf, (await readForm(ctx)).get('_csrf'));
    const now = clock.now();
    if (!(await store.revokeApiToken(Number(ctx.params.id), now)))
      throw new AppError('NOT_FOUND', '令牌不存在或已吊销');
    await store.audit(
      { actor: m.user.username, action: 'api_token_revoked', reason: `#${ctx.params.id}`, ip: ctx.ip },
      now,
    );
    ctx.redirect('/console/users#tokens');
  });

  router.post('/rules/reload', requireUser('admin'), async (ctx) => {
    const m = me(ctx)!;
    checkCsrf(m.csrf, (await readForm(ctx)).get('_csrf'));
    const r = deps.reloadRules();
    const message = r.ok
      ? `已重新加载规则包：${r.packs.join('、')}`
      : `规则包有误，未重新加载，旧规则继续生效：${r.error}`;
    return usersPage(ctx, r.ok ? { notice: message } : { error: message }, r.ok ? 200 : 422);
  });

  router.get('/audit', requireUser('auditor', 'admin'), async (ctx) => {
    const action =
      typeof ctx.query.action === 'string' && ctx.query.action in AUDIT_LABEL ? ctx.query.action : undefined;
    const ticketNo =
      typeof ctx.query.ticket === 'string' && ctx.query.ticket ? ctx.query.ticket.slice(0, 32) : undefined;
    const page = Math.max(1, Number(ctx.query.page) || 1);
    const { items, total } = await store.auditLog({ action: action as AuditAction, ticketNo, page, pageSize: 50 });
    render(ctx, 'audit', { items, total, page, pages: Math.ceil(total / 50), action, ticketNo, labels: AUDIT_LABEL });
  });
}
