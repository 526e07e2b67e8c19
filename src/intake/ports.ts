// What the intake of chat messages needs from storage beyond the ticket repository: message ids, dialogue sessions.
// Implemented over TypeORM in src/db/store.ts (a group commit of several messages in one transaction).
import type { ChannelName } from '../dialogue/inbound.js';
import type { Session } from '../dialogue/index.js';
import type { AtCommit, SentWithNext, TicketTx } from '../tickets/ports.js';

export type { OutboxItem, ReportQuery, ReviewScope } from '../tickets/ports.js';

/** Who sent a message and its platform id: what a group commit reads ahead for each message. */
export interface MessageKey {
  channel: ChannelName;
  userId: string;
  dedupeKey: string;
}

/** A resident's conversation: the platform message ids already answered, and where their dialogue stands. */
export interface ConversationStore {
  /**
   * Group commit: reads the message ids, sessions (locked until commit) and profiles of several messages with one
   * statement each and returns the message ids already recorded (as `channel:dedupeKey`). From then on those sessions,
   * profiles and ids are served from memory and written with one multi-row statement each just before commit.
   */
  prefetch(messages: readonly MessageKey[]): Promise<Set<string>>;
  /**
   * Records the message id with its reply (written at commit); false when it was already recorded (a platform retry).
   * Another instance recording it meanwhile fails the commit on the unique key, and the message runs again.
   */
  recordInbound(channel: ChannelName, dedupeKey: string, userId: string, reply: string, now: Date): Promise<boolean>;
  /** The session as read ahead by prefetch (locked until commit on MySQL). */
  loadSession(channel: ChannelName, userId: string): Promise<Session | undefined>;
  saveSession(channel: ChannelName, userId: string, session: Session, now: Date): AtCommit;
}

/** Where a web-chat ticket came from: the visitor (the server-issued cookie) and the client's address. */
export interface WebSource {
  visitor: string;
  address: string;
}

/** Web-chat tickets a source filed since two moments: the start of the Beijing day and the flood window. */
export interface WebFilingCounts {
  visitorToday: number;
  addressToday: number;
  visitorRecent: number;
  addressRecent: number;
  /** The address as stored (a keyed hash): names the source in an outbox key without the address in clear. */
  addressKey: string;
}

/**
 * The web chat's tickets by source, counted in the database so that every instance sees the same numbers. Two
 * transactions filing for one source at the same moment may each count without the other: a limit can be passed by
 * the number of such transactions, never more.
 */
export interface WebFilings {
  countWebFilings(source: WebSource, since: { today: Date; recent: Date }): Promise<WebFilingCounts>;
  recordWebFiling(source: WebSource, ticketNo: string, at: Date): SentWithNext;
}

/** One message's (or one batch's) transaction: the conversation and every ticket use case. */
export type IntakeTx = TicketTx & ConversationStore & WebFilings;

export interface IntakeStore {
  /**
   * `batch`: the unit of work of one or more messages, which reads their conversations ahead with prefetch (on MySQL
   * read-committed, so that locking absent rows locks no gaps). Without it: a plain transaction for ticket work.
   */
  transaction<T>(fn: (tx: IntakeTx) => Promise<T>, options?: { batch?: boolean }): Promise<T>;
  findInboundReply(channel: ChannelName, dedupeKey: string): Promise<{ reply: string | null } | undefined>;
}

export class ConcurrencyError extends Error {
  override name = 'ConcurrencyError';
}

export const recordedKey = (channel: string, dedupeKey: string) => `${channel}:${dedupeKey}`;
