import { Brackets, type DataSource } from 'typeorm';
import type { DueMessage, OutboxRepo } from '../notifications/outbox-dispatcher.js';
import { OutboxEntity } from './schema.js';
import { serialized } from './sqlite-lock.js';

export function createOutboxRepo(ds: DataSource): OutboxRepo {
  const repo = ds.getRepository(OutboxEntity);
  const free = (now: Date) =>
    new Brackets((b) => b.where('locked_until IS NULL').orWhere('locked_until < :now', { now }));
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
      const rows = await repo
        .createQueryBuilder('o')
        .where('o.id IN (:...ids)', { ids: claimed })
        .orderBy('o.id')
        .getMany();
      return rows.map(
        (r): DueMessage => ({
          id: r.id,
          channel: r.channel,
          recipient: r.recipient,
          payload: r.payload as DueMessage['payload'],
          attempts: r.attempts,
        }),
      );
    },
    async postpone(id, until) {
      await serialized(ds, () => repo.update({ id }, { nextAttemptAt: until, lockedBy: null, lockedUntil: null }));
    },
    async markSent(id, now) {
      await serialized(ds, () =>
        repo.update(
          { id },
          { status: 'sent', sentAt: now, lockedBy: null, lockedUntil: null, attempts: () => 'attempts + 1' },
        ),
      );
    },
    async markFailed(id, attempts, error, nextAttemptAt) {
      await serialized(ds, () =>
        repo.update(
          { id },
          {
            attempts,
            lastError: error.slice(0, 2000),
            status: nextAttemptAt ? 'pending' : 'dead',
            nextAttemptAt: nextAttemptAt ?? undefined,
            lockedBy: null,
            lockedUntil: null,
          },
        ),
      );
    },
  };
}
