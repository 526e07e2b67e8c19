// One message shape for every channel (botbuilder-style): adapters translate at the edge.
export type ChannelName = 'wecom' | 'mp' | 'web';

export type InboundContent =
  | { type: 'text'; text: string }
  | { type: 'image'; mediaId: string; picUrl?: string }
  /** `recognition`: the platform's speech-to-text (公众号 with 接收语音识别结果 on), when it gave one. */
  | { type: 'voice'; mediaId?: string; recognition?: string }
  | { type: 'location'; lat: number; lng: number; label?: string }
  | { type: 'event'; event: string; key?: string; taskId?: string }
  | { type: 'unsupported'; msgType: string };

export interface InboundMessage {
  channel: ChannelName;
  /** WeCom UserID, Official Account openid, or web-chat visitor id. */
  userId: string;
  /** Platform id that stays the same across the platform's retries (MsgId, or FromUserName+CreateTime for events). */
  dedupeKey: string;
  content: InboundContent;
  /**
   * Web chat only: the client's address as the edge saw it (an IPv6 address as its /64), for the per-address ticket
   * limit. Platform callbacks come from the platform's servers, so they have none.
   */
  address?: string;
}

/** What the outbox delivers: a text to a person on a channel. */
export interface OutboundText {
  channel: ChannelName;
  to: string;
  text: string;
}

/**
 * One reply to a message, as the use cases and the dialogue produce it; each channel renders it in its own way (a
 * passive XML reply, the web chat's list, a card's new button label). Cards and images join later.
 */
export type Reply = { type: 'text'; text: string } | { type: 'button'; label: string };

export const text = (t: string): Reply => ({ type: 'text', text: t });

/** A passive reply is one message: the texts in order, a blank line between them. */
export const joinTexts = (replies: readonly Reply[]): string =>
  replies
    .filter((r) => r.type === 'text')
    .map((r) => r.text)
    .join('\n\n');
