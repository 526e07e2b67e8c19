// One sender per channel: an outbox row's text to a person on that channel.
import type { WecomConfig, MpConfig } from '../../config/load-config.js';
import { type AccessTokens, mpTokenSource, wecomTokenSource } from './access-token.js';
import { platformCall, PlatformError } from './http.js';

export interface Sender {
  send(
    recipient: string,
    payload: { text: string; card?: Record<string, unknown>; image?: { base64: string; md5: string } },
  ): Promise<void>;
}

/** Errors a retry cannot fix: the row goes to `dead` at once (visible, not dropped). */
const PERMANENT = new Set([40003, 81013, 60111, 45015, 45047, 43004, 48002, 40013, 93000, 93004]);
export const isPermanent = (err: unknown) => err instanceof PlatformError && PERMANENT.has(err.errcode);

export function wecomAppSender(cfg: WecomConfig, tokens: AccessTokens): Sender | undefined {
  if (!cfg.secret || cfg.agentId === undefined) return undefined;
  const source = wecomTokenSource(cfg.apiBase, cfg.corpId, cfg.secret);
  return {
    async send(recipient, payload) {
      await tokens.withToken(source, async (token) => {
        const body = payload.card
          ? { touser: recipient, msgtype: 'template_card', agentid: cfg.agentId, template_card: payload.card }
          : { touser: recipient, msgtype: 'text', agentid: cfg.agentId, text: { content: payload.text }, safe: 0 };
        const r = await platformCall(
          `${cfg.apiBase}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`,
          body,
        );
        if (typeof r.invaliduser === 'string' && r.invaliduser.split('|').includes(recipient)) {
          throw new PlatformError(81013, `invalid user ${recipient}`);
        }
      });
    },
  };
}

/** 45015: the resident has not written in 48 hours, so customer-service messages are refused. */
const OUTSIDE_48H = 45015;

/**
 * Official Account: a customer-service message inside the 48-hour window after the resident's last message; outside
 * it (the platform answers 45015) the configured template message, else the row dies visibly with the reason.
 */
export function mpCustomSender(cfg: MpConfig, tokens: AccessTokens): Sender | undefined {
  if (!cfg.appId || !cfg.appSecret) return undefined;
  const source = mpTokenSource(cfg.apiBase, cfg.appId, cfg.appSecret);
  const call = (path: string, body: unknown) =>
    tokens.withToken(source, (token) =>
      platformCall(`${cfg.apiBase}${path}?access_token=${encodeURIComponent(token)}`, body),
    );
  return {
    async send(recipient, payload) {
      try {
        await call('/cgi-bin/message/custom/send', {
          touser: recipient,
          msgtype: 'text',
          text: { content: payload.text },
        });
      } catch (err) {
        if (!(err instanceof PlatformError) || err.errcode !== OUTSIDE_48H || !cfg.templateId) throw err;
        await call('/cgi-bin/message/template/send', templateMessage(cfg.templateId, recipient, payload.text));
      }
    },
  };
}

function templateMessage(templateId: string, touser: string, text: string) {
  const no = /[A-Z]{1,6}-\d{8}-\d{4}/.exec(text)?.[0] ?? '—';
  const [first, ...rest] = text.split('\n');
  return {
    touser,
    template_id: templateId,
    data: {
      first: { value: first },
      keyword1: { value: no },
      keyword2: { value: (rest.join(' ') || first || '').slice(0, 200) },
      remark: { value: '如有疑问请回复公众号消息。' },
    },
  };
}

/** Group robot messages are capped at 20 a minute per robot (WeCom answers 45009 beyond that). */
export const ROBOT_PER_MINUTE = 20;
const ROBOT_MARKDOWN_BYTES = 4096;

/**
 * A WeCom group robot: markdown to the webhook key. Alerts due together arrive as one digest, split only where the
 * robot's size limit forces it.
 */
export function wecomRobotSender(apiBase: string): DigestSender {
  const post = (key: string, body: unknown) =>
    platformCall(`${apiBase}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, body);
  return markdownSender(
    (key, content) => post(key, { msgtype: 'markdown', markdown: { content } }),
    (key, image) => post(key, { msgtype: 'image', image }),
  );
}

type Payload = Parameters<Sender['send']>[1] & { image?: { base64: string; md5: string } };
type DigestSender = Sender & { sendDigest(recipient: string, payloads: Payload[]): Promise<number> };

/**
 * A markdown target (robot, group chat): one message, or a digest split only where the size limit forces it. Pictures
 * (a report's chart) go after the texts, one message each; a target that cannot show one gets its caption instead.
 */
function markdownSender(
  post: (recipient: string, content: string) => Promise<unknown>,
  postImage?: (recipient: string, image: { base64: string; md5: string }) => Promise<unknown>,
): DigestSender {
  const sendAll = async (recipient: string, payloads: Payload[]) => {
    const pictures = postImage ? payloads.filter((p) => p.image) : [];
    const texts = payloads.filter((p) => !pictures.includes(p)).map((p) => p.text);
    const chunks = texts.length ? digestChunks(texts, ROBOT_MARKDOWN_BYTES) : [];
    for (const c of chunks) await post(recipient, c);
    for (const p of pictures) await postImage!(recipient, p.image!);
    return chunks.length + pictures.length;
  };
  return {
    async send(recipient, payload) {
      await sendAll(recipient, [payload]);
    },
    sendDigest: sendAll,
  };
}

/** Joins alerts into as few messages as fit the byte limit, a header counting them when there are several. */
export function digestChunks(texts: string[], maxBytes: number): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const chunks: string[][] = [[]];
  let size = 0;
  for (const t of texts) {
    const current = chunks[chunks.length - 1]!;
    if (current.length > 0 && size + bytes(t) + 64 > maxBytes) {
      chunks.push([t]);
      size = bytes(t);
    } else {
      current.push(t);
      size += bytes(t) + 2;
    }
  }
  return chunks.map((c) => (c.length === 1 ? c[0]! : [`**${c.length} 条时限提醒**`, ...c].join('\n\n')));
}

/** A WeCom app group chat (appchat/send, markdown); alerts due together are folded as for the robots. */
export function wecomAppChatSender(cfg: WecomConfig, tokens: AccessTokens): DigestSender | undefined {
  if (!cfg.secret) return undefined;
  const source = wecomTokenSource(cfg.apiBase, cfg.corpId, cfg.secret);
  return markdownSender((chatid, content) =>
    tokens.withToken(source, (token) =>
      platformCall(`${cfg.apiBase}/cgi-bin/appchat/send?access_token=${encodeURIComponent(token)}`, {
        chatid,
        msgtype: 'markdown',
        markdown: { content },
      }),
    ),
  );
}
