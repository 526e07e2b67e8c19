// WeCom self-built app callback: GET verifies the URL, POST carries encrypted messages (protocol doc §1).
import Router from '@koa/router';
import type { WecomConfig } from '../../config/load-config.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { requiredParams } from '../query-params.js';
import { readBody } from '../../http/read-body.js';
import {
  buildXml,
  checkFreshness,
  field,
  openEnvelope,
  parseCallbackXml,
  sealEnvelope,
  verifySignature,
} from '../wechat-crypto/index.js';
import { fitBytes, toInbound } from '../wechat-message.js';
import { joinTexts, type InboundMessage, type Reply } from '../../dialogue/inbound.js';

export interface CallbackDeps {
  clock: Clock;
  maxSkewSeconds: number;
  respond: (msg: InboundMessage) => Promise<Reply[]>;
}

export function wecomRoutes(cfg: WecomConfig, deps: CallbackDeps): Router {
  const router = new Router();

  router.get('/wecom/callback', (ctx) => {
    const [sig, ts, nonce, echostr] = requiredParams(ctx.query, 'msg_signature', 'timestamp', 'nonce', 'echostr');
    verifySignature(sig, cfg.token, ts, nonce, echostr);
    checkFreshness(ts, deps.clock.now(), deps.maxSkewSeconds);
    ctx.type = 'text/plain';
    ctx.body = openEnvelope(cfg.aesKey, echostr, cfg.corpId);
  });

  router.post('/wecom/callback', async (ctx) => {
    const [sig, ts, nonce] = requiredParams(ctx.query, 'msg_signature', 'timestamp', 'nonce');
    const outer = parseCallbackXml(await readBody(ctx));
    const encrypted = field(outer, 'Encrypt');
    if (!encrypted) throw new AppError('BAD_XML', '缺少 Encrypt 字段');
    verifySignature(sig, cfg.token, ts, nonce, encrypted);
    checkFreshness(ts, deps.clock.now(), deps.maxSkewSeconds);
    const msg = toInbound('wecom', parseCallbackXml(openEnvelope(cfg.aesKey, encrypted, cfg.corpId)));
    const replies = await deps.respond(msg);
    // One passive reply per callback: a card's new button label, else the texts in order.
    const button = replies.find((r) => r.type === 'button');
    const reply = button ? button.label : joinTexts(replies);
    ctx.status = 200;
    if (!reply) {
      ctx.body = '';
      return;
    }
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    // A click on an approval card is answered by relabelling that user's button (no API call, no response_code).
    const plain = button
      ? buildXml({
          ToUserName: msg.userId,
          FromUserName: cfg.corpId,
          CreateTime: now,
          MsgType: 'update_button',
          Button: { ReplaceName: reply },
        })
      : buildXml({
          ToUserName: msg.userId,
          FromUserName: cfg.corpId,
          CreateTime: now,
          MsgType: 'text',
          Content: fitBytes(reply),
        });
    ctx.type = 'application/xml';
    ctx.body = sealEnvelope(plain, {
      token: cfg.token,
      aesKey: cfg.aesKey,
      receiver: cfg.corpId,
      timestamp: String(now),
    });
  });

  return router;
}
