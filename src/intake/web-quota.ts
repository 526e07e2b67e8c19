// The public web chat is the one door anyone on the internet can open. Each visitor (a server-issued cookie) and each
// client address may file only so many tickets a Beijing day, counted in the database so that every instance agrees;
// and a source that files many within a few minutes pages the staff once for all of them, not once per ticket.
import type { FoldedNotice } from '../tickets/notify.js';
import { shanghaiDayStart } from '../tickets/ticket.js';
import type { MessageCtx } from './context.js';
import type { WebFilingCounts, WebSource } from './ports.js';

export type WebFiling =
  /** `fold`: the source is flooding, so the ticket's staff notice folds into the source's summary. */
  | { kind: 'file'; source: WebSource; fold?: FoldedNotice }
  | { kind: 'refuse'; reason: 'visitor' | 'address'; limit: number };

/** What a web-chat message that would file a ticket may do; undefined for every other channel (no limits there). */
export async function webFiling(c: MessageCtx): Promise<WebFiling | undefined> {
  if (c.msg.channel !== 'web') return undefined;
  const limits = c.deps.webTickets;
  const source = { visitor: c.msg.userId, address: c.msg.address ?? 'unknown' };
  const counts = await c.tx.countWebFilings(source, {
    today: shanghaiDayStart(c.now),
    recent: new Date(c.now.getTime() - limits.foldMinutes * 60_000),
  });
  // The address first: a script that drops its cookie is a new visitor every time, but not a new address.
  if (counts.addressToday >= limits.addressPerDay)
    return { kind: 'refuse', reason: 'address', limit: limits.addressPerDay };
  if (counts.visitorToday >= limits.visitorPerDay)
    return { kind: 'refuse', reason: 'visitor', limit: limits.visitorPerDay };
  const fold = floodOf(source, counts, limits.foldAfter, limits.foldMinutes, c.now);
  return { kind: 'file', source, ...(fold ? { fold } : {}) };
}

/** The source's one summary notice, when it has filed `after` tickets or more within the window. */
function floodOf(
  source: WebSource,
  counts: WebFilingCounts,
  after: number,
  minutes: number,
  now: Date,
): FoldedNotice | undefined {
  // A fixed window names the summary's outbox key: one per source and window, however many tickets the window holds.
  const window = minutes * 60_000;
  const bucket = Math.floor(now.getTime() / window) * window;
  if (counts.addressRecent >= after)
    return {
      key: `webflood:address:${counts.addressKey}:${bucket}`,
      source: `来自地址 ${source.address} 的网页访客`,
      count: counts.addressRecent + 1,
      minutes,
    };
  if (counts.visitorRecent >= after)
    return {
      key: `webflood:visitor:${source.visitor}:${bucket}`,
      source: `网页访客 ${visitorTag(source.visitor)}（地址 ${source.address}）`,
      count: counts.visitorRecent + 1,
      minutes,
    };
  return undefined;
}

/**
 * A visitor as logs and staff name them: the id's first characters. The whole id is the visitor's only credential
 * (whoever sends it reads their tickets), so it is not written where many people read.
 */
export const visitorTag = (visitor: string) => visitor.slice(0, 8);

export const webQuotaSay = {
  refused: (reason: 'visitor' | 'address') =>
    (reason === 'visitor'
      ? '抱歉，您今天通过网页客服提交的工单已达上限，这次的内容没有登记为新工单。'
      : '抱歉，今天从您当前网络通过网页客服提交的工单已达上限，这次的内容没有登记为新工单。') +
    '已登记的工单照常处理，回复"我的工单"可查看进度；情况紧急请直接拨打物业服务中心电话，也可以通过微信公众号留言。',
};
