// The read-ahead of a group commit: the batch's message ids, sessions and profiles in one packet, their writes at
// commit.
import type { EntityManager } from 'typeorm';
import type { ChannelName } from '../../dialogue/inbound.js';
import type { Profile, Session } from '../../dialogue/index.js';
import { recordedKey, type MessageKey } from '../../intake/ports.js';
import { rowCodec, type Statement } from './fast-rows.js';
import type { RoundTrips } from './round-trips.js';
import {
  type InboundRow,
  type ResidentRow,
  type SessionRow,
  InboundEntity,
  ResidentEntity,
  SessionEntity,
} from '../schema.js';
import { takeAll } from './take-all.js';

export const PROFILE_UPSERT = {
  upsert: ['name', 'room', 'phone', 'projectCode', 'updatedAt'],
  keys: ['channel', 'userId'],
} as const;

export function profileRow(channel: string, userId: string, p: Profile, now: Date): Omit<ResidentRow, 'id'> {
  return {
    channel,
    userId,
    name: p.name ?? null,
    room: p.room ?? null,
    phone: p.phone ?? null,
    projectCode: p.projectCode ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

const userKey = (channel: string, userId: string) => `${channel}\u0000${userId}`;
type StoredSession = { session: Session; version: number };

/**
 * The read-ahead of a group commit. Each lookup answers `undefined` for a user or message the batch did not read
 * ahead (the caller then goes to the database as usual), `null` for one read ahead and absent.
 */
export function readAhead(m: EntityManager, locking: boolean, link: RoundTrips) {
  const recorded = new Set<string>();
  const covered = new Set<string>();
  const sessions = new Map<string, StoredSession | null>();
  const profiles = new Map<string, Profile | null>();
  const newSessions = new Map<string, SessionRow>();
  const changedSessions = new Map<string, SessionRow>();
  const profileWrites = new Map<string, Omit<ResidentRow, 'id'>>();
  const inbound: Omit<InboundRow, 'id'>[] = [];

  async function loadChannel(channel: ChannelName, keys: string[], users: string[]): Promise<void> {
    const sessionRows = rowCodec(m, SessionEntity);
    const residentRows = rowCodec(m, ResidentEntity);
    const ib = rowCodec(m, InboundEntity);
    const [s, r] = [sessionRows.c, residentRows.c];
    const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
    // Sessions are locked until commit, so that the batch can write them back without a version check per row. Read
    // committed (see createIntakeStore) locks only rows that exist: two batches creating new sessions do not block
    // each other. The three reads go in one packet on MySQL.
    const reads: Statement[] = [
      [
        `SELECT ${ib.c.dedupeKey} AS k FROM ${ib.table} WHERE ${ib.c.channel} = ?` +
          ` AND ${ib.c.dedupeKey} IN (${list(keys.length)})`,
        [channel, ...keys],
      ],
      [
        `${sessionRows.select()} WHERE ${s.channel} = ? AND ${s.userId} IN (${list(users.length)})` +
          (locking ? ' FOR UPDATE' : ''),
        [channel, ...users],
      ],
      [
        `${residentRows.select()} WHERE ${r.channel} = ? AND ${r.userId} IN (${list(users.length)})`,
        [channel, ...users],
      ],
    ];
    const [ids, rows, people] = (await link.runMany(reads)) as Record<string, unknown>[][];
    for (const { k } of ids!) recorded.add(recordedKey(channel, String(k)));
    for (const k of keys) covered.add(recordedKey(channel, k));
    for (const u of users) {
      sessions.set(userKey(channel, u), null);
      profiles.set(userKey(channel, u), null);
    }
    for (const raw of rows!) {
      const r = sessionRows.hydrate(raw);
      sessions.set(userKey(channel, r.userId), { session: r.state as Session, version: r.version });
    }
    for (const raw of people!) {
      const p = residentRows.hydrate(raw);
      profiles.set(userKey(channel, p.userId), {
        name: p.name,
        room: p.room,
        phone: p.phone,
        projectCode: p.projectCode,
      });
    }
  }

  return {
    async load(messages: readonly MessageKey[]): Promise<Set<string>> {
      const channels = new Map<ChannelName, MessageKey[]>();
      for (const msg of messages) channels.set(msg.channel, [...(channels.get(msg.channel) ?? []), msg]);
      for (const [channel, list] of channels) {
        await loadChannel(
          channel,
          [...new Set(list.map((x) => x.dedupeKey))],
          [...new Set(list.map((x) => x.userId))].sort(),
        );
      }
      return new Set(recorded);
    },
    session: (channel: string, userId: string) => sessions.get(userKey(channel, userId)),
    profile: (channel: string, userId: string) => profiles.get(userKey(channel, userId)),
    saveSession(row: SessionRow): boolean {
      const key = userKey(row.channel, row.userId);
      const before = sessions.get(key);
      if (before === undefined) return false;
      // Created in this batch and saved again: still one INSERT.
      (before === null || newSessions.has(key) ? newSessions : changedSessions).set(key, row);
      sessions.set(key, { session: row.state as Session, version: row.version });
      return true;
    },
    saveProfile(row: Omit<ResidentRow, 'id'>): boolean {
      const key = userKey(row.channel, row.userId);
      if (!profiles.has(key)) return false;
      profileWrites.set(key, { ...row, createdAt: profileWrites.get(key)?.createdAt ?? row.createdAt });
      profiles.set(key, { name: row.name, room: row.room, phone: row.phone, projectCode: row.projectCode });
      return true;
    },
    /** true: buffered; false: already recorded (a retry); undefined: not read ahead. */
    recordInbound(row: Omit<InboundRow, 'id'>): boolean | undefined {
      const key = recordedKey(row.channel, row.dedupeKey);
      if (!covered.has(key)) return undefined;
      if (recorded.has(key)) return false;
      recorded.add(key);
      inbound.push(row);
      return true;
    },
    /**
     * New sessions and message ids are plain INSERTs: if another instance wrote one since the read-ahead, the unique
     * key fails the whole batch, which then runs message by message (see handle-inbound.ts). Nothing is overwritten.
     */
    writes(): Statement[] {
      const sessionRows = rowCodec(m, SessionEntity);
      return [
        ...(newSessions.size ? sessionRows.insertMany(takeAll(newSessions)) : []),
        ...(changedSessions.size
          ? sessionRows.insertMany(takeAll(changedSessions), {
              upsert: ['state', 'version', 'updatedAt'],
              keys: ['channel', 'userId'],
            })
          : []),
        ...(profileWrites.size ? rowCodec(m, ResidentEntity).insertMany(takeAll(profileWrites), PROFILE_UPSERT) : []),
        ...(inbound.length ? rowCodec(m, InboundEntity).insertMany(inbound.splice(0)) : []),
      ];
    },
  };
}
