// JSON over HTTP to WeCom / WeChat. Their APIs answer 200 with {errcode, errmsg}: branch on errcode.
export interface PlatformReply {
  errcode?: number;
  errmsg?: string;
  [k: string]: unknown;
}

export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

export async function platformCall(url: string, body?: unknown): Promise<PlatformReply> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new PlatformError(-res.status, `HTTP ${res.status}`);
  const json = (await res.json()) as PlatformReply;
  if (json.errcode && json.errcode !== 0) throw new PlatformError(json.errcode, json.errmsg ?? 'platform error');
  return json;
}

/** Tokens the platform rejected as invalid or expired: fetch a new one and replay once. */
export const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
