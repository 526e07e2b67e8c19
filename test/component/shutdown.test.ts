// Shutdown (SIGTERM on a rolling deploy): messages under way are finished and answered before the database closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import type { Service } from '../../src/service.js';
import { mpPost, nextMsgId, openMpReply, post } from '../support/callbacks.js';
import { databaseFor, testMariadbUrl } from '../support/databases.js';
import { startTestService } from '../support/service.js';

describe('shutdown on mariadb', () => {
  let svc: Service;
  let holder: mysql.Connection;

  beforeAll(async () => {
    svc = await startTestService('mariadb', 'shutdown', { database: databaseFor('mariadb', 'shutdown') });
    holder = await mysql.createConnection(testMariadbUrl('shutdown'));
  });
  afterAll(async () => {
    await holder?.end();
    await svc?.close().catch(() => undefined);
  });

  const closedWhileReportsWait =
    'when the service is closed while reports are waiting on the database, then each is still filed and answered';
  it(closedWhileReportsWait, async () => {
    const first = await post(
      svc.url,
      mpPost({ from: 'sd_0', text: '我是5栋1单元101的周杰，厨房水龙头一直滴水', msgId: nextMsgId() }, 'safe'),
    );
    const scope = /工单 (KF-\d{8})/.exec(openMpReply(first.text, 'safe').Content!)![1]!;
    // Hold today's ticket counter so that the next reports stop half-way, inside their transactions.
    await holder.query('START TRANSACTION');
    await holder.query('SELECT seq FROM ticket_counter WHERE scope = ? FOR UPDATE', [scope]);
    const replies = Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        post(
          svc.url,
          mpPost(
            {
              from: `sd_${i + 1}`,
              text: `我是5栋1单元${102 + i}的王${'一二三四五六七八'[i]}，客厅的灯不亮了`,
              msgId: nextMsgId(),
            },
            'safe',
          ),
        ),
      ),
    );
    await waitFor(
      async () =>
        Number(
          (
            (await holder.query(
              "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO ticket_counter%'",
            )) as unknown as [{ n: number }[]]
          )[0][0]!.n,
        ) > 0,
    );
    await waitFor(async () => svc.intakeStats().waiting === 8); // all eight taken: being written or queued
    const closing = svc.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await holder.query('COMMIT');
    const answered = await replies;
    await closing;
    for (const r of answered) {
      expect(r.status).toBe(200);
      expect(openMpReply(r.text, 'safe').Content).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
    }
    const [rows] = (await holder.query("SELECT COUNT(*) AS n FROM ticket WHERE user_id LIKE 'sd\\_%'")) as unknown as [
      { n: number }[],
    ];
    expect(Number(rows[0]!.n)).toBe(9);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > until) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
