import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { AppError } from '../lib/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readBody(ctx: Context): Promise<string> {
  try {
    return await getRawBody(ctx.req, {
      limit: MAX_BODY_BYTES,
      length: ctx.get('content-length') || undefined,
      encoding: 'utf8',
    });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new AppError('BODY_TOO_LARGE', `请求体超过 ${MAX_BODY_BYTES / 1024} KB`);
    throw new AppError('BAD_REQUEST', '无法读取请求体');
  }
}

/** The body parsed as JSON; an empty body is {}. */
export async function readJson(ctx: Context): Promise<unknown> {
  const text = await readBody(ctx);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', '请求体不是合法的 JSON');
  }
}

/** An HTML form's fields (application/x-www-form-urlencoded); anything else is refused. */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError('BAD_REQUEST', '请求格式应为表单');
  return new URLSearchParams(await readBody(ctx));
}
