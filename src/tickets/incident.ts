// Collective complaints: reports of one fault by different residents, linked under one incident. Pure.
import type { Ticket } from './ticket.js';
import { boundedMemory } from '../lib/bounded-memory.js';

export type IncidentStatus = 'open' | 'resolved';

export interface Incident {
  id: number;
  projectCode: string;
  category: string;
  trade: string | null;
  title: string;
  status: IncidentStatus;
  level: string;
  /** Distinct residents who reported it. */
  residents: number;
  resolution: string | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
}

export interface CollectivePolicy {
  windowDays: number;
  similarity: number;
  hotResidents: number;
  majorResidents: number;
  hotLevel: string;
  majorLevel: string;
}

export type FaultReport = Pick<
  Ticket,
  | 'channel'
  | 'userId'
  | 'projectCode'
  | 'room'
  | 'content'
  | 'category'
  | 'trade'
  | 'faultTerms'
  | 'commonArea'
  | 'createdAt'
>;

/** "3-2-502" → "3", "12-1803" → "12", "B-1203" → "B". */
export const buildingOf = (room: string) => room.split('-')[0] ?? room;

export const sameResident = (a: Pick<Ticket, 'channel' | 'userId'>, b: Pick<Ticket, 'channel' | 'userId'>) =>
  a.channel === b.channel && a.userId === b.userId;

/**
 * Same project, same category and trade, within the window, in the same building or both about something the whole
 * estate shares (the pack's commonAreaSignals: a gate barrier yes, a lift no — each building has its own),
 * and worded alike: a shared fault word ("电梯", "停水") or enough common character pairs.
 */
export function sameFault(
  a: FaultReport,
  b: FaultReport,
  policy: Pick<CollectivePolicy, 'windowDays' | 'similarity'>,
): boolean {
  if (a.projectCode !== b.projectCode || a.category !== b.category) return false;
  // A trade only one reading names ("单元门": access control to one clerk, a door to another) does not part them.
  if (a.trade && b.trade && a.trade !== b.trade) return false;
  if (Math.abs(a.createdAt.getTime() - b.createdAt.getTime()) > policy.windowDays * 86_400_000) return false;
  if (buildingOf(a.room) !== buildingOf(b.room) && !(a.commonArea && b.commonArea)) return false;
  const shared = (a.faultTerms ?? []).some((t) => (b.faultTerms ?? []).some((u) => u.includes(t) || t.includes(u)));
  return shared || bigramSimilarity(a.content, b.content) >= policy.similarity;
}

/** Jaccard overlap of the Chinese character pairs of two texts (0..1); punctuation and digits ignored. */
export function bigramSimilarity(a: string, b: string): number {
  const A = bigrams(a);
  const B = bigrams(b);
  if (A.size === 0 || B.size === 0) return 0;
  let common = 0;
  for (const x of A) if (B.has(x)) common++;
  return common / (A.size + B.size - common);
}

// Every new report is compared with up to a hundred recent ones, which are the same texts report after report:
// remember their pairs (read-only sets; a bounded memory, emptied when full).
const pairsOf = boundedMemory<string, ReadonlySet<string>>(4_096);

function bigrams(s: string): ReadonlySet<string> {
  const known = pairsOf.get(s);
  if (known) return known;
  const han = s.replace(/[^\p{Script=Han}]/gu, '');
  const out = new Set<string>();
  for (let i = 0; i + 1 < han.length; i++) out.add(han.slice(i, i + 2));
  return pairsOf.set(s, out);
}

/** The level the head count alone gives the incident, or undefined below the first threshold. */
export function collectiveLevel(residents: number, policy: CollectivePolicy): string | undefined {
  if (residents >= policy.majorResidents) return policy.majorLevel;
  if (residents >= policy.hotResidents) return policy.hotLevel;
  return undefined;
}
