// Access tokens cached in the database, so every instance shares one and none fetches per request.
import type { Clock } from '../../lib/clock.js';
import { platformCall, PlatformError, TOKEN_REJECTED } from './http.js';
import type { TokenStore } from '../../lib/token-store.js';

export type { TokenStore };

export interface TokenSource {
  key: string;
  fetch(): Promise<{ token: string; expiresInSeconds: number }>;
}

/** Refresh this long before the platform's expiry so a token never dies mid-call. */
const EARLY_MS = 5 * 60_000;

export class AccessTokens {
  private inflight = new Map<string, Promise<string>>();
  constructor(
    private store: TokenStore,
    private clock: Clock,
  ) {}

  async get(source: TokenSource): Promise<string> {
    const cached = await this.store.get(source.key);
    if (cached && cached.expiresAt.getTime() - EARLY_MS > this.clock.now().getTime()) return cached.token;
    return this.refresh(source);
  }

  /** Calls `fn` with a token; on an invalid/expired-token answer drops it, refetches once and replays once. */
  async withToken<T>(source: TokenSource, fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get(source);
    try {
      return await fn(token);
    } catch (err) {
      if (!(err instanceof PlatformError) || !TOKEN_REJECTED.has(err.errcode)) throw err;
      await this.store.drop(source.key, token);
      return fn(await this.refresh(source));
    }
  }

  private refresh(source: TokenSource): Promise<string> {
    const running = this.inflight.get(source.key);
    if (running) return running;
    const p = (async () => {
      const { token, expiresInSeconds } = await source.fetch();
      await this.store.put(source.key, token, new Date(this.clock.now().getTime() + expiresInSeconds * 1000));
      return token;
    })().finally(() => this.inflight.delete(source.key));
    this.inflight.set(source.key, p);
    return p;
  }
}

export function wecomTokenSource(apiBase: string, corpId: string, secret: string): TokenSource {
  return {
    key: `wecom:${corpId}:${secret.slice(0, 6)}`,
    async fetch() {
      const r = await platformCall(
        `${apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`,
      );
      return { token: String(r.access_token), expiresInSeconds: Number(r.expires_in ?? 7200) };
    },
  };
}

/** Official Account: stable_token returns the same token while valid, so instances never invalidate each other's. */
export function mpTokenSource(apiBase: string, appId: string, secret: string): TokenSource {
  return {
    key: `mp:${appId}`,
    async fetch() {
      const r = await platformCall(`${apiBase}/cgi-bin/stable_token`, {
        grant_type: 'client_credential',
        appid: appId,
        secret,
        force_refresh: false,
      });
      return { token: String(r.access_token), expiresInSeconds: Number(r.expires_in ?? 7200) };
    },
  };
}
