// Decrypted WeCom / Official Account message XML → the shared InboundMessage shape.
import type { ChannelName, InboundContent, InboundMessage } from '../dialogue/inbound.js';
import { field, type XmlFields } from './wechat-crypto/index.js';
import { AppError } from '../lib/errors.js';

export function toInbound(channel: ChannelName, x: XmlFields): InboundMessage {
  const userId = field(x, 'FromUserName');
  const msgType = field(x, 'MsgType');
  if (!userId || !msgType) throw new AppError('BAD_XML', '消息缺少 FromUserName 或 MsgType');
  return { channel, userId, dedupeKey: dedupeKey(x, userId), content: contentOf(msgType, x) };
}

/** MsgId for messages; FromUserName + CreateTime (+ event details) for events, as the platforms advise. */
function dedupeKey(x: XmlFields, userId: string): string {
  const msgId = field(x, 'MsgId');
  if (msgId) return `msg:${msgId}`;
  const parts = [userId, field(x, 'CreateTime'), field(x, 'Event'), field(x, 'EventKey'), field(x, 'TaskId')];
  return `evt:${parts.map((p) => p ?? '').join(':')}`.slice(0, 191);
}

function contentOf(msgType: string, x: XmlFields): InboundContent {
  switch (msgType) {
    case 'text':
      return { type: 'text', text: field(x, 'Content') ?? '' };
    case 'image':
      return { type: 'image', mediaId: field(x, 'MediaId') ?? '', picUrl: field(x, 'PicUrl') };
    case 'voice': {
      const recognition = field(x, 'Recognition')?.trim();
      return { type: 'voice', mediaId: field(x, 'MediaId'), ...(recognition ? { recognition } : {}) };
    }
    case 'location':
      return {
        type: 'location',
        lat: Number(field(x, 'Location_X')),
        lng: Number(field(x, 'Location_Y')),
        label: field(x, 'Label'),
      };
    case 'event':
      return {
        type: 'event',
        event: field(x, 'Event') ?? '',
        key: field(x, 'EventKey'),
        ...(field(x, 'TaskId') ? { taskId: field(x, 'TaskId') } : {}),
      };
    default:
      return { type: 'unsupported', msgType };
  }
}

/** Passive text replies are cut at 2048 bytes by the platforms: cut on a character boundary ourselves. */
export function fitBytes(text: string, max = 2048): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(`${out + ch}…`) > max) break;
    out += ch;
  }
  return `${out}…`;
}
