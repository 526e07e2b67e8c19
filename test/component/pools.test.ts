// Only the intake's unit of work may send several statements in one packet: the pool every other repository uses
// (outbox, admin queries, leases, tokens) takes one statement at a time, so no query of theirs can be stretched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
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
