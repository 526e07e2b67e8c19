// Builds callbacks exactly as WeCom and the Official Account send them (protocol doc §1, §6), and opens their replies.
import { createHash, randomBytes } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { nowTs } from './clock.js';

export { nowTs };

export const WECOM = {
  corpId: 'ww1436e0e65a779aee',
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  aesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  agentId: '1000002',
  secret: 'wecom-secret',
};
export const MP = {
  appId: 'wx2c2769f8efd9abc2',
  token: 'spamtest',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  secret: 'mp-secret',
  ghId: 'gh_7f083739789a',
};

const parser = new XMLParser({ parseTagValue: false, processEntities: false });
export const readXml = (xml: string): Record<string, string> => parser.parse(xml).xml;

let msgSeq = 1_000_000_000_000_000_000n;
export const nextMsgId = () => String(++msgSeq);
const nonce = () => String(randomBytes(4).readUInt32BE(0));

export interface PlainMessage {
  from: string;
  text?: string;
  msgId?: string;
  msgType?: string;
  extra?: Record<string, string>;
  createTime?: string;
}

export function messageXml(to: string, m: PlainMessage, agentId?: string): string {
  const fields: Record<string, string> = {
    ToUserName: to,
    FromUserName: m.from,
    CreateTime: m.createTime ?? nowTs(),
    MsgType: m.msgType ?? 'text',
    ...(m.text !== undefined ? { Content: m.text } : {}),
    ...(m.msgType === 'event' ? {} : { MsgId: m.msgId ?? nextMsgId() }),
    ...(agentId ? { AgentID: agentId } : {}),
    ...m.extra,
  };
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
}

export interface SignedRequest {
  path: string;
  body: string;
}

export function wecomPost(
  m: PlainMessage,
  o: { timestamp?: string; key?: string; corpId?: string; token?: string } = {},
): SignedRequest {
  const ts = o.timestamp ?? nowTs();
  const n = nonce();
  const enc = encrypt(o.key ?? WECOM.aesKey, messageXml(WECOM.corpId, m, WECOM.agentId), o.corpId ?? WECOM.corpId);
  const sig = getSignature(o.token ?? WECOM.token, ts, n, enc);
  return {
    path: `/wecom/callback?msg_signature=${sig}&timestamp=${ts}&nonce=${n}`,
    body:
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><AgentID><![CDATA[${WECOM.agentId}]]></AgentID>` +
      `<Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  };
}

export function openWecomReply(body: string): Record<string, string> {
  const env = readXml(body);
  const sig = getSignature(WECOM.token, env.TimeStamp!, env.Nonce!, env.Encrypt!);
  if (sig !== env.MsgSignature) throw new Error('reply signature does not verify');
  const { message, id } = decrypt(WECOM.aesKey, env.Encrypt!);
  if (id !== WECOM.corpId) throw new Error(`reply receiveid ${id}`);
  return readXml(message);
}

const sha1 = (parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex');

export type MpMode = 'plain' | 'compatible' | 'safe';

export function mpPost(m: PlainMessage, mode: MpMode, o: { timestamp?: string; token?: string } = {}): SignedRequest {
  const ts = o.timestamp ?? nowTs();
  const n = nonce();
  const token = o.token ?? MP.token;
  const plain = messageXml(MP.ghId, m);
  const base = `/mp/callback?signature=${sha1([token, ts, n])}&timestamp=${ts}&nonce=${n}&openid=${m.from}`;
  if (mode === 'plain') return { path: base, body: plain };
  const enc = encrypt(MP.aesKey, plain, MP.appId);
  const msgSig = getSignature(token, ts, n, enc);
  const body =
    mode === 'safe'
      ? `<xml><ToUserName><![CDATA[${MP.ghId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`
      : plain.replace('</xml>', `<Encrypt><![CDATA[${enc}]]></Encrypt></xml>`);
  return { path: `${base}&encrypt_type=aes&msg_signature=${msgSig}`, body };
}

export function openMpReply(body: string, mode: MpMode): Record<string, string> {
  if (mode === 'plain') return readXml(body);
  const env = readXml(body);
  if (getSignature(MP.token, env.TimeStamp!, env.Nonce!, env.Encrypt!) !== env.MsgSignature)
    throw new Error('reply signature does not verify');
  const { message, id } = decrypt(MP.aesKey, env.Encrypt!);
  if (id !== MP.appId) throw new Error(`reply receiveid ${id}`);
  return readXml(message);
}

export async function post(
  base: string,
  req: SignedRequest,
  contentType = 'text/xml',
): Promise<{ status: number; text: string }> {
  const res = await fetch(base + req.path, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: req.body,
  });
  return { status: res.status, text: await res.text() };
}

/** A resident's text over the Official Account (safe mode), stamped with the test clock; the reply's text. */
export const mpSay = async (url: string, from: string, text: string): Promise<string> =>
  openMpReply((await post(url, mpPost({ from, text, createTime: nowTs() }, 'safe'))).text, 'safe').Content ?? '';

/** The ticket number a reply announces. */
export const ticketNoIn = (reply: string): string => /工单 (KF-\d{8}-\d{4})/.exec(reply)![1]!;
