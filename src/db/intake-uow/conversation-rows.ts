import type { ChannelName } from '../../dialogue/inbound.js';
import type { Profile } from '../../dialogue/index.js';
import { ResidentEntity } from '../schema.js';
import { rowCodec } from './fast-rows.js';
import { PROFILE_UPSERT, profileRow } from './read-ahead.js';
import type { Unit } from './unit.js';
import type { ConversationStore } from '../../intake/ports.js';
import type { ResidentProfiles } from '../../tickets/ports.js';

export function conversationRows(u: Unit): ConversationStore & ResidentProfiles {
  const { m, link, ahead } = u;
  return {
    prefetch: (messages) => ahead.load(messages),
    // One session model: a conversation is read ahead (and locked) by prefetch and written back at commit.
    async recordInbound(channel, dedupeKey, userId, reply, now) {
      const buffered = ahead.recordInbound({ channel, dedupeKey, userId, reply, receivedAt: now });
      if (buffered === undefined) throw new Error(`message ${channel}:${dedupeKey} was not read ahead (prefetch)`);
      return buffered;
    },
    async loadSession(channel, userId) {
      const cached = ahead.session(channel, userId);
      if (cached === undefined) throw new Error(`session ${channel}:${userId} was not read ahead (prefetch)`);
      return cached?.session;
    },
    async saveSession(channel, userId, session, now) {
      const before = ahead.session(channel, userId);
      if (before === undefined) throw new Error(`session ${channel}:${userId} was not read ahead (prefetch)`);
      ahead.saveSession({ channel, userId, state: session, version: (before?.version ?? 0) + 1, updatedAt: now });
    },
    async loadProfile(channel, userId) {
      const cached = ahead.profile(channel, userId);
      if (cached !== undefined) return cached ?? undefined;
      await link.drain();
      const row = await m.findOneBy(ResidentEntity, { channel, userId });
      return row ? { name: row.name, room: row.room, phone: row.phone, projectCode: row.projectCode } : undefined;
    },
    async saveProfile(channel: ChannelName, userId: string, p: Profile, now: Date) {
      if (ahead.saveProfile(profileRow(channel, userId, p, now))) return;
      // One upsert on the (channel, user_id) unique key; created_at stays as first written.
      await link.runMany(rowCodec(m, ResidentEntity).insertMany([profileRow(channel, userId, p, now)], PROFILE_UPSERT));
    },
  };
}
