// Who signed in through WeCom: the code from 网页授权 (inside the WeCom client) or 扫码登录 (a browser) is exchanged
// for the member's UserID (GET /cgi-bin/auth/getuserinfo). Someone outside the company gets an openid only: no user.
import type { WecomConfig } from '../../config/load-config.js';
import type { AccessTokens } from './access-token.js';
import { wecomTokenSource } from './access-token.js';
import { PlatformError, platformCall } from './http.js';

/** 40029: the code is invalid, used or expired (it is good for one use, five minutes). */
const INVALID_CODE = 40029;

export interface WecomSignInConfig {
  corpId: string;
  agentId: number;
  /** The member's UserID for a sign-in code, or undefined (not a member, or the code is no good). */
  userIdOf(code: string): Promise<string | undefined>;
}

export function wecomSignIn(cfg: WecomConfig, tokens: AccessTokens): WecomSignInConfig | undefined {
  if (!cfg.secret || cfg.agentId === undefined) return undefined;
  const source = wecomTokenSource(cfg.apiBase, cfg.corpId, cfg.secret);
  return {
    corpId: cfg.corpId,
    agentId: cfg.agentId,
    async userIdOf(code) {
      try {
        const r = await tokens.withToken(source, (token) =>
          platformCall(
            `${cfg.apiBase}/cgi-bin/auth/getuserinfo?access_token=${encodeURIComponent(token)}` +
              `&code=${encodeURIComponent(code)}`,
          ),
        );
        // The current API says `userid`; the one before it said `UserId`.
        const id = r.userid ?? r.UserId;
        return typeof id === 'string' && id ? id : undefined;
      } catch (err) {
        if (err instanceof PlatformError && err.errcode === INVALID_CODE) return undefined;
        throw err;
      }
    },
  };
}

/** Inside the WeCom client: 网页授权, silent (snsapi_base). */
export const oauthUrl = (s: Pick<WecomSignInConfig, 'corpId' | 'agentId'>, redirect: string, state: string) =>
  `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${encodeURIComponent(s.corpId)}` +
  `&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=snsapi_base` +
  `&state=${state}&agentid=${s.agentId}#wechat_redirect`;

/** In a browser: 扫码登录 with the WeCom app on the phone. */
export const qrLoginUrl = (s: Pick<WecomSignInConfig, 'corpId' | 'agentId'>, redirect: string, state: string) =>
  `https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=${encodeURIComponent(s.corpId)}` +
  `&agentid=${s.agentId}&redirect_uri=${encodeURIComponent(redirect)}&state=${state}`;
