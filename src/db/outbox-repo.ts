// The outbox table under leases. Every change after the claim is fenced by the lease holder (`locked_by`): a dispatcher
// whose lease ran out while it was sending, and whose row another instance has claimed since, changes nothing.
import { Brackets, type DataSource } from 'typeorm';
import type { DueMessage, OutboxRepo } from '../notifications/outbox-dispatcher.js';
import { OutboxEntity, type OutboxRow } from './schema.js';
import { serialized } from './sqlite-lock.js';

interface ClaimedRaw {
  o_id: number | string;
  o_channel: string;
  o_recipient: string;
  o_payload: string | null;
  o_attempts: number | string;
}

/** The payload column's own transformer: sealed (db/personal-data.ts), JSON inside. */
const openPayload = (raw: string | null): unknown =>
  raw === null ? null : (OutboxEntity.options.columns.payload!.transformer as { from(v: string): unknown }).from(raw);

export function createOutboxRepo(ds: DataSource): OutboxRepo {
  const repo = ds.getRepository(OutboxEntity);
  const free = (now: Date) =>
    new Brackets((b) => b.where('locked_until IS NULL').orWhere('locked_until < :now', { now }));
  /** One statement, only while `owner` holds the row; true when it took effect. */
  const fenced = async (id: number, owner: string, patch: Parameters<typeof repo.update>[1]) =>
    ((await serialized(ds, () => repo.update({ id, lockedBy: owner }, patch))).affected ?? 0) > 0;
  return {
    async claimDue(now, limit, owner, leaseMs, channels) {
      const q = repo
        .createQueryBuilder('o')
        .select(['o.id'])
        .where('o.status = :s', { s: 'pending' })
        .andWhere('o.next_attempt_at <= :now', { now })
        .andWhere(free(now));
      if (channels?.only?.length) q.andWhere('o.channel IN (:...only)', { only: channels.only });
      if (channels?.except?.length) q.andWhere('o.channel NOT IN (:...except)', { except: channels.except });
      const candidates = await q.orderBy('o.id', 'ASC').limit(limit).getMany();
      const claimed: number[] = [];
      for (const { id } of candidates) {
        const r = await serialized(ds, () =>
          repo
            .createQueryBuilder()
            .update()
            .set({ lockedBy: owner, lockedUntil: new Date(now.getTime() + leaseMs) })
            .where('id = :id AND status = :s', { id, s: 'pending' })
            .andWhere(free(now))
            .execute(),
        );
        if (r.affected === 1) claimed.push(id);
      }
      if (claimed.length === 0) return [];
      // The payload is parsed row by row: one that does not parse is handed back as unreadable (the dispatcher marks
      // it dead with the reason), where parsing the batch at once failed every claim and stalled the whole outbox.
      const rows = await repo
        .createQueryBuilder('o')
        .select(['o.id', 'o.channel', 'o.recipient', 'o.payload', 'o.attempts'])
        .where('o.id IN (:...ids)', { ids: claimed })
        .orderBy('o.id')
        .getRawMany<ClaimedRaw>();
      return rows.map((r): DueMessage => {
        const base = {
          id: Number(r.o_id),
          channel: r.o_channel,
          recipient: r.o_recipient,
          attempts: Number(r.o_attempts),
        };
        try {
          return { ...base, payload: openPayload(r.o_payload) as DueMessage['payload'] };
        } catch (err) {
          return {
            ...base,
            payload: null as unknown as DueMessage['payload'],
            unreadable:
              err instanceof SyntaxError
                ? `payload is not valid JSON: ${err.message}`
                : `payload cannot be opened: ${(err as Error).message}`,
          };
        }
      });
    },
    async renew(ids, owner, until) {
      if (ids.length === 0) return new Set();
      await serialized(ds, () =>
        repo
          .createQueryBuilder()
          .update()
          .set({ lockedUntil: until })
          .where('id IN (:...ids) AND locked_by = :owner', { ids: [...ids], owner })
          .execute(),
      );
      // Read back rather than trust the affected count (MySQL counts only the rows whose value changed).
      const held = await repo
        .createQueryBuilder('o')
        .select(['o.id'])
        .where('o.id IN (:...ids) AND o.locked_by = :owner', { ids: [...ids], owner })
        .getMany();
      return new Set(held.map((r: Pick<OutboxRow, 'id'>) => Number(r.id)));
    },
    postpone: (id, owner, until) => fenced(id, owner, { nextAttemptAt: until, lockedBy: null, lockedUntil: null }),
    markSent: (id, owner, now) =>
      fenced(id, owner, {
        status: 'sent',
        sentAt: now,
        lockedBy: null,
        lockedUntil: null,
        attempts: () => 'attempts + 1',
      }),
    markFailed: (id, owner, attempts, error, nextAttemptAt) =>
      fenced(id, owner, {
        attempts,
        lastError: error.slice(0, 2000),
        status: nextAttemptAt ? 'pending' : 'dead',
        nextAttemptAt: nextAttemptAt ?? undefined,
        lockedBy: null,
        lockedUntil: null,
      }),
  };
}
