import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { AppError } from '../lib/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readBody(ctx: Context): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, length: ctx.get('content-length') || undefined, encoding: 'utf8' });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new AppError('BODY_TOO_LARGE', `请求体超过 ${MAX_BODY_BYTES / 1024} KB`);
    throw new AppError('BAD_REQUEST', '无法读取请求体');
  }
}
