// Web chat: an H5 page plus one JSON endpoint, so the product works with no platform credentials at all. It is the
// one door anyone on the internet can open: the server names the visitor (visitor.ts) and limits how much one visitor
// and one address may send (message-limits.ts) and file (intake/web-quota.ts).
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { readJson } from '../../http/read-body.js';
import type { InboundMessage, Reply } from '../../dialogue/inbound.js';
import { limitSay, messageLimiter, type MessageLimits } from './message-limits.js';
import { webChatPage } from './page.js';
import { clientAddress, visitorOf } from './visitor.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
// A `visitorId` in the body (pages served before the server issued ids send one) is dropped unread: the visitor is
// who the cookie says, so an old page keeps working and a chosen id names nobody.
const MessageBody = z.object({ msgId: id, text: z.string().trim().min(1).max(1000) });

export interface WebChatDeps {
  respond: (msg: InboundMessage) => Promise<Reply[]>;
  title: string;
  limits: MessageLimits;
  clock: Clock;
  logger: Logger;
}

export function webChatRoutes(deps: WebChatDeps): Router {
  const router = new Router();
  const page = webChatPage(deps.title);
  const limiter = messageLimiter(deps.limits);

  router.get('/', (ctx) => {
    visitorOf(ctx, deps.clock.now(), true);
    ctx.type = 'text/html; charset=utf-8';
    // Each response carries the visitor's own cookie: a shared cache must never hand it to someone else.
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    );
    ctx.body = page;
  });

  router.post('/webchat/messages', async (ctx) => {
    const parsed = MessageBody.safeParse(await readJson(ctx));
    if (!parsed.success) throw new AppError('BAD_REQUEST', `参数错误：${z.prettifyError(parsed.error)}`);
    const { msgId, text } = parsed.data;
    const now = deps.clock.now();
    const visitor = visitorOf(ctx, now);
    const address = clientAddress(ctx.ip);
    const admitted = limiter.admit(visitor, address, now);
    if (!admitted.ok) {
      // Logged once per key and window at warn; a flood's further refusals would only flood the log.
      const log = admitted.first ? deps.logger.warn.bind(deps.logger) : deps.logger.debug.bind(deps.logger);
      log(
        { visitor: visitor.slice(0, 8), address, reason: admitted.reason, limit: admitted.limit },
        'web chat message refused: over the limit',
      );
      ctx.status = 429;
      ctx.set('Retry-After', String(admitted.retryAfterSeconds));
      ctx.body = { error: 'TOO_MANY', replies: [limitSay[admitted.reason]] };
      return;
    }
    const replies = await deps.respond({
      channel: 'web',
      userId: visitor,
      // Per visitor: a message id another visitor used (or guessed) answers nothing of theirs.
      dedupeKey: `msg:${visitor}:${msgId}`,
      content: { type: 'text', text },
      address,
    });
    ctx.body = { replies: replies.flatMap((r) => (r.type === 'text' ? [r.text] : [])) };
  });

  return router;
}
