// Official Account server callback in plain, compatible and safe modes (protocol doc §6).
import Router from '@koa/router';
import type { MpConfig } from '../../config/load-config.js';
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
  type XmlFields,
} from '../wechat-crypto/index.js';
import { fitBytes, toInbound } from '../wechat-message.js';
import type { CallbackDeps } from '../wecom-app/routes.js';
import { joinTexts } from '../../dialogue/inbound.js';

export function officialAccountRoutes(cfg: MpConfig, deps: CallbackDeps): Router {
  const router = new Router();

  router.get('/mp/callback', (ctx) => {
    const [sig, ts, nonce, echostr] = requiredParams(ctx.query, 'signature', 'timestamp', 'nonce', 'echostr');
    verifySignature(sig, cfg.token, ts, nonce);
    checkFreshness(ts, deps.clock.now(), deps.maxSkewSeconds);
    ctx.type = 'text/plain';
    ctx.body = echostr;
  });

  router.post('/mp/callback', async (ctx) => {
    const [sig, ts, nonce] = requiredParams(ctx.query, 'signature', 'timestamp', 'nonce');
    verifySignature(sig, cfg.token, ts, nonce);
    checkFreshness(ts, deps.clock.now(), deps.maxSkewSeconds);
    const outer = parseCallbackXml(await readBody(ctx));
    const encrypted = ctx.query.encrypt_type === 'aes';
    const fields = encrypted
      ? openSafeMode(cfg, outer, requiredParams(ctx.query, 'msg_signature')[0], ts, nonce)
      : outer;
    const msg = toInbound('mp', fields);
    // One passive reply per callback: the texts in order, a blank line between them.
    const reply = joinTexts(await deps.respond(msg));
    ctx.status = 200;
    ctx.type = 'application/xml';
    if (!reply) {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const plain = buildXml({
      ToUserName: msg.userId,
      FromUserName: field(fields, 'ToUserName') ?? '',
      CreateTime: now,
      MsgType: 'text',
      Content: fitBytes(reply),
    });
    ctx.body = encrypted
      ? sealEnvelope(plain, { token: cfg.token, aesKey: cfg.aesKey!, receiver: cfg.appId!, timestamp: String(now) })
      : plain;
  });

  return router;
}

/** Safe and compatible modes: trust only the decrypted copy of the message. */
function openSafeMode(cfg: MpConfig, outer: XmlFields, msgSignature: string, ts: string, nonce: string): XmlFields {
  if (!cfg.aesKey || !cfg.appId) throw new AppError('DECRYPT_FAILED', '收到加密消息，但未配置 MP_AES_KEY / MP_APP_ID');
  const encrypted = field(outer, 'Encrypt');
  if (!encrypted) throw new AppError('BAD_XML', '缺少 Encrypt 字段');
  verifySignature(msgSignature, cfg.token, ts, nonce, encrypted);
  return parseCallbackXml(openEnvelope(cfg.aesKey, encrypted, cfg.appId));
}
