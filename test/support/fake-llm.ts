// A local stand-in for an OpenAI-compatible server: POST /v1/chat/completions, bearer key, chat.completion replies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { answer: unknown }
  | { content: string }
  | { status: number }
  | { delayMs: number; answer: unknown };

export class FakeLlm {
  readonly requests: { authorization: string | undefined; body: any }[] = [];
  /** Behaviours for the next requests, in order; the last one repeats. */
  behaviours: Behaviour[] = [];
  private server: Server;

  constructor(readonly apiKey = 'sk-test') {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || !/\/chat\/completions$/.test(req.url ?? ''))
          return this.json(res, 404, { error: { message: 'not found' } });
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        this.requests.push({ authorization: req.headers.authorization, body });
        if (req.headers.authorization !== `Bearer ${this.apiKey}`)
          return this.json(res, 401, {
            error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
          });
        const b = this.behaviours.length > 1 ? this.behaviours.shift()! : (this.behaviours[0] ?? { status: 500 });
        if ('status' in b)
          return this.json(res, b.status, { error: { message: 'upstream error', type: 'server_error' } });
        const content = 'content' in b ? b.content : JSON.stringify(b.answer);
        const reply = () => this.json(res, 200, completion(body.model, content));
        if ('delayMs' in b) setTimeout(reply, b.delayMs);
        else reply();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function completion(model: string, content: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1_763_430_000, // any fixed time: the client ignores it
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}
