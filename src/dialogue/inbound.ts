// One message shape for every channel (botbuilder-style): adapters translate at the edge.
export type ChannelName = 'wecom' | 'mp' | 'web';

export type InboundContent =
  | { type: 'text'; text: string }
  | { type: 'image'; mediaId: string; picUrl?: string }
  | { type: 'voice'; mediaId?: string }
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
}

/** What the outbox delivers: a text to a person on a channel. */
export interface OutboundText {
  channel: ChannelName;
  to: string;
  text: string;
}
