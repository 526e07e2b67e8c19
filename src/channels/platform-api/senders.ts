// One sender per channel: an outbox row's text to a person on that channel.
import type { WecomConfig, MpConfig } from '../../lib/config.js';
import { AccessTokens, mpTokenSource, wecomTokenSource } from './access-token.js';
import { platformCall, PlatformError } from './http.js';

export interface Sender {
  send(recipient: string, payload: { text: string }): Promise<void>;
}

/** Errors a retry cannot fix: the row goes to `dead` at once (visible, not dropped). */
const PERMANENT = new Set([40003, 81013, 60111, 45015, 45047, 43004, 48002, 40013, 93000, 93004]);
export const isPermanent = (err: unknown) => err instanceof PlatformError && PERMANENT.has(err.errcode);

export function wecomAppSender(cfg: WecomConfig, tokens: AccessTokens): Sender | undefined {
  if (!cfg.secret || cfg.agentId === undefined) return undefined;
  const source = wecomTokenSource(cfg.apiBase, cfg.corpId, cfg.secret);
  return {
    async send(recipient, payload) {
      await tokens.withToken(source, async (token) => {
        const r = await platformCall(`${cfg.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`, {
          touser: recipient,
          msgtype: 'text',
          agentid: cfg.agentId,
          text: { content: payload.text },
          safe: 0,
        });
        if (typeof r.invaliduser === 'string' && r.invaliduser.split('|').includes(recipient)) {
          throw new PlatformError(81013, `invalid user ${recipient}`);
        }
      });
    },
  };
}

/** Official Account customer-service message (inside the 48-hour window after the resident's last message). */
export function mpCustomSender(cfg: MpConfig, tokens: AccessTokens): Sender | undefined {
  if (!cfg.appId || !cfg.appSecret) return undefined;
  const source = mpTokenSource(cfg.apiBase, cfg.appId, cfg.appSecret);
  return {
    async send(recipient, payload) {
      await tokens.withToken(source, (token) =>
        platformCall(`${cfg.apiBase}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
          touser: recipient,
          msgtype: 'text',
          text: { content: payload.text },
        }),
      );
    },
  };
}
