// Only the intake's unit of work may send several statements in one packet: the pool every other repository uses
// (outbox, admin queries, leases, tokens) takes one statement at a time, so no query of theirs can be stretched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { openBatchingPool } from '../../src/db/data-source.js';
import { createIntakeStore } from '../../src/db/intake-uow/index.js';
import type { IntakeStore } from '../../src/intake/ports.js';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { databaseFor } from '../support/databases.js';
import { startTestService } from '../support/service.js';

describe('database pools on mariadb', () => {
  let svc: Service;

  beforeAll(async () => {
    svc = await startTestService('mariadb', 'pools');
  });
  afterAll(async () => svc?.close());

  it('when a repository sends two statements in one query, then the shared pool refuses them', async () => {
    await expect(svc.ds.query('SELECT 1; SELECT 2')).rejects.toThrow(/syntax/i);
  });

  const groupCommitStillBatches =
    'when a resident reports, then the group commit still writes in batched packets and files the ticket';
  it(groupCommitStillBatches, async () => {
    const reply = await post(svc.url, wecomPost({ from: 'pool_user', text: '我是6栋1单元601的赵敏，厨房水管漏水' }));
    expect(openWecomReply(reply.text).Content).toMatch(/已为您登记工单/);
    const [row] = await svc.ds.query("SELECT COUNT(*) AS n FROM ticket WHERE user_id = 'pool_user'");
    expect(Number(row.n)).toBe(1);
  });
});

describe('ticket numbers on mariadb', () => {
  let svc: Service;
  let store: IntakeStore & { close(): Promise<void> };
  let pool: DataSource;

  beforeAll(async () => {
    svc = await startTestService('mariadb', 'pools');
    pool = await openBatchingPool(svc.ds, databaseFor('mariadb', 'pools'));
    store = createIntakeStore(pool);
  });
  afterAll(async () => {
    await store?.close();
    await pool?.destroy();
    await svc?.close();
  });

  const rolledBackLeavesNoGap =
    'when a batch that took ticket numbers rolls back, then the next batches use them and the numbering has no gap';
  it(rolledBackLeavesNoGap, async () => {
    const scope = 'KF-gap-test';
    const taken: number[] = [];
    await expect(
      store.transaction(
        async (tx) => {
          await tx.reserveTicketSeqs(scope, 3);
          taken.push(await tx.nextTicketSeq(scope), await tx.nextTicketSeq(scope));
          throw new Error('the batch fails before commit');
        },
        { batch: true },
      ),
    ).rejects.toThrow(/fails before commit/);
    const again = await store.transaction(async (tx) => {
      await tx.reserveTicketSeqs(scope, 2);
      return [await tx.nextTicketSeq(scope), await tx.nextTicketSeq(scope), await tx.nextTicketSeq(scope)];
    });
    const more = await store.transaction(async (tx) => [await tx.nextTicketSeq(scope)]);
    expect([...again, ...more]).toEqual([taken[0], taken[0]! + 1, taken[0]! + 2, taken[0]! + 3]);
  });
});
