// Signing in with WeCom: 网页授权 inside the WeCom client (silent), 扫码登录 in a browser. The WeCom UserID is matched
// to a console user by its linked account (用户 → 企业微信账号); the redirect carries a random state checked against a
// cookie, so a code from someone else's sign-in cannot be slipped in. SameSite=Lax: the way back is cross-site.
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { safeEqual } from '../channels/wechat-crypto/index.js';
import { oauthUrl, qrLoginUrl } from '../channels/platform-api/wecom-identity.js';
import { AppError } from '../lib/errors.js';
import type { ConsoleDeps } from './deps.js';
import { loginCsrf } from './guard.js';
import { render } from './render.js';
import type { Sessions } from './session.js';

const STATE_COOKIE = 'kf_wecom_state';
export const insideWecom = (ctx: Context) => /wxwork/i.test(ctx.get('user-agent'));

export function wecomRoutes(router: Router, deps: ConsoleDeps, sessions: Sessions, safeNext: (n: unknown) => string) {
  const cookie = { httpOnly: true, sameSite: 'lax' as const, path: '/console', overwrite: true, maxAge: 10 * 60_000 };

  router.get('/login/wecom', (ctx) => {
    const w = deps.wecom;
    if (!w) throw new AppError('NOT_FOUND', '未配置企业微信登录（需要 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET）');
    const state = randomBytes(16).toString('hex');
    ctx.cookies.set(STATE_COOKIE, `${state}~${encodeURIComponent(safeNext(ctx.query.next))}`, cookie);
    const back = `${deps.publicUrl ?? `${ctx.protocol}://${ctx.host}`}/console/login/wecom/callback`;
    ctx.redirect(insideWecom(ctx) ? oauthUrl(w, back, state) : qrLoginUrl(w, back, state));
  });

  router.get('/login/wecom/callback', async (ctx) => {
    const w = deps.wecom;
    if (!w) throw new AppError('NOT_FOUND', '未配置企业微信登录');
    const [expected = '', next = ''] = (ctx.cookies.get(STATE_COOKIE) ?? '').split('~');
    ctx.cookies.set(STATE_COOKIE, '', { ...cookie, maxAge: 0 });
    const refuse = (error: string, status: number) =>
      render(ctx, 'login', { loginCsrf: loginCsrf(ctx), next: '/console', error, wecom: true }, status);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!expected || !safeEqual(state, expected)) return refuse('企业微信登录已过期或无效，请重新登录', 400);
    const code = typeof ctx.query.code === 'string' ? ctx.query.code.slice(0, 512) : '';
    if (!code) return refuse('已取消企业微信登录', 400);
    let wecomUserId: string | undefined;
    try {
      wecomUserId = await w.userIdOf(code);
    } catch (err) {
      deps.logger.error({ err }, 'wecom sign-in: identity lookup failed');
      return refuse('企业微信暂时无法确认您的身份，请稍后再试或使用密码登录', 502);
    }
    const now = deps.clock.now();
    if (!wecomUserId) return refuse('企业微信未能确认您的身份（仅限本企业成员）', 401);
    const user = await deps.store.userByWecomId(wecomUserId);
    if (!user) {
      const reason = `企业微信 ${wecomUserId} 未开通后台账号`;
      await deps.store.audit({ actor: wecomUserId.slice(0, 64), action: 'sign_in_failed', reason, ip: ctx.ip }, now);
      return refuse(`您的企业微信账号（${wecomUserId}）尚未开通管理后台，请联系管理员`, 403);
    }
    await sessions.start(ctx, user, 'wecom');
    await deps.store.audit({ actor: user.username, action: 'sign_in', reason: '企业微信', ip: ctx.ip }, now);
    deps.logger.info({ user: user.username, ip: ctx.ip, via: 'wecom' }, 'console sign-in');
    ctx.redirect(safeNext(decodeURIComponent(next)));
  });
}
