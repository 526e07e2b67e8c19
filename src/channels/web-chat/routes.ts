// Web chat: an H5 page plus one JSON endpoint, so the product works with no platform credentials at all.
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { readJson } from '../../http/read-body.js';
import type { InboundMessage, Reply } from '../../dialogue/inbound.js';
import { webChatPage } from './page.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const MessageBody = z.object({ visitorId: id, msgId: id, text: z.string().trim().min(1).max(1000) });

export function webChatRoutes(deps: { respond: (msg: InboundMessage) => Promise<Reply[]>; title: string }): Router {
  const router = new Router();
  const page = webChatPage(deps.title);

  router.get('/', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    );
    ctx.body = page;
  });

  router.post('/webchat/messages', async (ctx) => {
    const parsed = MessageBody.safeParse(await readJson(ctx));
    if (!parsed.success) throw new AppError('BAD_REQUEST', `参数错误：${z.prettifyError(parsed.error)}`);
    const { visitorId, msgId, text } = parsed.data;
    const replies = await deps.respond({
      channel: 'web',
      userId: visitorId,
      dedupeKey: `msg:${msgId}`,
      content: { type: 'text', text },
    });
    ctx.body = { replies: replies.flatMap((r) => (r.type === 'text' ? [r.text] : [])) };
  });

  return router;
}
