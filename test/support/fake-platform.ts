// A small stand-in for the WeCom and WeChat HTTP APIs on loopback, speaking their documented protocol.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  query: Record<string, string>;
  body: any;
}

type Override = (call: RecordedCall) => { status?: number; json?: unknown } | undefined;

export class FakePlatform {
  readonly calls: RecordedCall[] = [];
  private server: Server;
  private tokenSeq = 0;
  private validTokens = new Set<string>();
  private robotSends = new Map<string, number[]>();
  /** Answers tried before the default behaviour, first match wins; return undefined to fall through. */
  overrides: Override[] = [];
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const raw = Buffer.concat(chunks).toString('utf8');
        const call: RecordedCall = {
          path: u.pathname,
          query: Object.fromEntries(u.searchParams),
          body: raw ? JSON.parse(raw) : undefined,
        };
        this.calls.push(call);
        const answer = this.overrides.map((o) => o(call)).find((a) => a !== undefined) ?? this.answer(call);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json ?? {}));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private oauthCodes = new Map<string, string>();

  /** A sign-in code as WeCom hands it to the redirect after 网页授权 / 扫码登录: good once, for a member. */
  oauthCode(userId: string): string {
    const code = `CODE_${this.oauthCodes.size + 1}_${userId}`;
    this.oauthCodes.set(code, userId);
    return code;
  }

  /** Make every token issued so far invalid, as when the platform revokes it early. */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  private issue(): { status: number; json: unknown } {
    const token = `TOKEN_${++this.tokenSeq}`;
    this.validTokens.add(token);
    return { status: 200, json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 } };
  }

  private answer(call: RecordedCall): { status?: number; json?: unknown } {
    switch (call.path) {
      case '/cgi-bin/gettoken':
        if (!call.query.corpid || !call.query.corpsecret) return { json: { errcode: 41002, errmsg: 'corpid missing' } };
        return this.issue();
      case '/cgi-bin/stable_token':
        if (call.body?.grant_type !== 'client_credential' || !call.body?.appid || !call.body?.secret)
          return { json: { errcode: 40002, errmsg: 'invalid grant_type' } };
        return this.issue();
      case '/cgi-bin/message/send':
      case '/cgi-bin/message/custom/send':
      case '/cgi-bin/message/template/send':
      case '/cgi-bin/appchat/send':
        if (!this.validTokens.has(call.query.access_token ?? ''))
          return { json: { errcode: 40014, errmsg: 'invalid access_token' } };
        return { json: { errcode: 0, errmsg: 'ok', msgid: `m${this.calls.length}` } };
      case '/cgi-bin/auth/getuserinfo': {
        if (!this.validTokens.has(call.query.access_token ?? ''))
          return { json: { errcode: 40014, errmsg: 'invalid access_token' } };
        const userid = this.oauthCodes.get(call.query.code ?? '');
        if (!userid) return { json: { errcode: 40029, errmsg: 'invalid code' } };
        this.oauthCodes.delete(call.query.code!);
        // Someone outside the company gets an openid, not a userid.
        if (userid.startsWith('openid:')) return { json: { errcode: 0, errmsg: 'ok', openid: userid.slice(7) } };
        return { json: { errcode: 0, errmsg: 'ok', userid, user_ticket: 'TICKET' } };
      }
      case '/cgi-bin/webhook/send': {
        // The group robot: markdown up to 4096 bytes, 20 messages a minute per robot.
        if (!call.query.key) return { json: { errcode: 93000, errmsg: 'invalid webhook url' } };
        if (call.body?.msgtype === 'image') {
          // An image: base64 of a PNG/JPG of at most 2 MB, with the MD5 of its bytes.
          const bytes = Buffer.from(call.body.image?.base64 ?? '', 'base64');
          const md5 = createHash('md5').update(bytes).digest('hex');
          if (!bytes.length || bytes.length > 2 * 1024 * 1024 || md5 !== call.body.image?.md5)
            return { json: { errcode: 40009, errmsg: 'invalid image size or md5' } };
        } else if (call.body?.msgtype !== 'markdown' || Buffer.byteLength(call.body?.markdown?.content ?? '') > 4096)
          return { json: { errcode: 40058, errmsg: 'invalid markdown' } };
        const minuteAgo = performance.now() - 60_000;
        const recent = (this.robotSends.get(call.query.key) ?? []).filter((t) => t > minuteAgo);
        if (recent.length >= 20) return { json: { errcode: 45009, errmsg: 'api freq out of limit' } };
        this.robotSends.set(call.query.key, [...recent, performance.now()]);
        return { json: { errcode: 0, errmsg: 'ok' } };
      }
      default:
        return { status: 404, json: { errcode: 404, errmsg: 'not found' } };
    }
  }
}
