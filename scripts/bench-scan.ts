// npm run bench:scan — the deadline scan over many open tickets: its cost must follow what is due, not what is open.
// Fills ticket_deadline with N rows due over the coming month (default 100,000) and D rows due now, then times scans.
// Database: DATABASE_URL (MySQL/MariaDB), else a temporary SQLite file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBatchingPool, openDatabase } from '../src/db/data-source.js';
import { FieldCipher, newKeyring } from '../src/lib/field-cipher.js';
import { DeadlineEntity } from '../src/db/schema.js';
import { createIntakeStore } from '../src/db/intake-uow/index.js';
import type { NewDeadline } from '../src/tickets/index.js';
import type { DatabaseConfig } from '../src/config/load-config.js';

const open = Number(process.env['SCAN_OPEN'] ?? 100_000);
const dueNow = Number(process.env['SCAN_DUE'] ?? 50);
const url = process.env['DATABASE_URL'];
const database: DatabaseConfig = url
  ? { type: 'mariadb', url }
  : { type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'kf-scan-')), 'kf.sqlite') };
const ds = await openDatabase(database, new FieldCipher(newKeyring()));
const now = new Date('2026-11-23T10:00:00+08:00');
await ds.getRepository(DeadlineEntity).clear();

const row = (i: number, at: Date): NewDeadline => ({
  ticketId: i + 1,
  kind: 'resolution',
  label: '处理完毕',
  dueAt: at,
  warnAt: null,
  nextCheckAt: at,
  stage: 'pending',
  escalationStep: 0,
  urgent: false,
  notify: ['handler'],
  upgradeTo: null,
  metAt: null,
  createdAt: now,
});
const t0 = performance.now();
for (let i = 0; i < open; i += 400) {
  const rows = Array.from({ length: Math.min(400, open - i) }, (_, k) =>
    row(i + k, new Date(now.getTime() + 60_000 + ((i + k) % 43_200) * 60_000)),
  );
  await ds.getRepository(DeadlineEntity).insert(rows);
}
await ds
  .getRepository(DeadlineEntity)
  .insert(Array.from({ length: dueNow }, (_, k) => row(open + k, new Date(now.getTime() - 1000))));
const filled = performance.now() - t0;

// What the scan job does first: read what is due by the next_check_at index (the rest of its work is per due row).
const store = createIntakeStore(await openBatchingPool(ds, database));
const times: number[] = [];
let found = 0;
for (let i = 0; i < 20; i++) {
  const s = performance.now();
  found = await store.transaction((tx) => tx.dueDeadlines(now, 200).then((d) => d.length));
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
const plan = url
  ? await ds.query('EXPLAIN SELECT * FROM ticket_deadline WHERE next_check_at <= ? ORDER BY next_check_at LIMIT 200', [
      now,
    ])
  : await ds.query(
      'EXPLAIN QUERY PLAN SELECT * FROM ticket_deadline ' +
        "WHERE next_check_at <= '2026-11-23 02:00:00.000' ORDER BY next_check_at LIMIT 200",
    );
console.log(
  `数据库：${url ? 'MySQL/MariaDB' : 'SQLite'}；未到期时限 ${open.toLocaleString('zh-CN')} 条，` +
    `已到期 ${dueNow} 条（写入用时 ${(filled / 1000).toFixed(1)} 秒）`,
);
console.log(`扫描一次（取出到期的 ${found} 条）：中位数 ${times[10]!.toFixed(2)} ms，最慢 ${times[19]!.toFixed(2)} ms`);
console.log(`执行计划：${JSON.stringify(plan)}`);
await ds.destroy();
