// The only code that knows how to connect. SQLite when no DATABASE_URL is set; MySQL/MariaDB otherwise.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/load-config.js';
import { Initial1763800000000 } from './migrations/0001-initial.js';
import { RulesEngine1763900000000 } from './migrations/0002-rules-engine.js';
import { Deadlines1764000000000 } from './migrations/0003-deadlines.js';
import { SameFaultIndexes1764100000000 } from './migrations/0004-same-fault-indexes.js';
import { SendLog1764200000000 } from './migrations/0005-send-log.js';
import { TicketBuilding1764300000000 } from './migrations/0006-ticket-building.js';
import { DeadlineScanFailures1764400000000 } from './migrations/0007-deadline-scan-failures.js';
import { PersonalData1764500000000 } from './migrations/0008-personal-data.js';
import { Retention1764600000000 } from './migrations/0009-retention.js';
import { WebChatLimits1764700000000 } from './migrations/0010-web-chat-limits.js';
import { Console1764800000000 } from './migrations/0011-console.js';
import { KpiIndexes1765000000000 } from './migrations/0013-kpi-indexes.js';
import { ReportRuns1765100000000 } from './migrations/0014-report-runs.js';
import { entities } from './schema.js';
import type { FieldCipher } from '../lib/field-cipher.js';
import { installCipher } from './personal-data.js';

export const migrations = [
  Initial1763800000000,
  RulesEngine1763900000000,
  Deadlines1764000000000,
  SameFaultIndexes1764100000000,
  SendLog1764200000000,
  TicketBuilding1764300000000,
  DeadlineScanFailures1764400000000,
  PersonalData1764500000000,
  Retention1764600000000,
  WebChatLimits1764700000000,
  Console1764800000000,
  KpiIndexes1765000000000,
  ReportRuns1765100000000,
];

/**
 * `multipleStatements`: only the intake's unit of work sends several statements in one packet (its own pool, see
 * openBatchingPool); every other connection takes one statement at a time.
 */
export function createDataSource(db: DatabaseConfig, options: { multipleStatements?: boolean } = {}): DataSource {
  if (db.type === 'sqlite') return sqliteDataSource(db.path);
  return new DataSource({
    type: db.type,
    url: db.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    entities,
    migrations,
    migrationsRun: false,
    poolSize: 20,
    // A group commit sends its buffered INSERTs in one round trip (intake-uow/store.ts). Every value is a bound
    // parameter; no SQL in this code base is assembled from input.
    // trace: false — mysql2 otherwise captures a stack trace for every query (2 % of the webhook's CPU); a failed
    // query still reports its SQL error code and message.
    extra: { connectionLimit: 20, multipleStatements: options.multipleStatements === true, trace: false },
  });
}

// ---------------------------------------------------------------------------------------------- SQLite

/*
 * Checkpoints off the event loop (the target: p99 < 100 ms at 200 msg/s on the embedded default too).
 *
 * better-sqlite3 is synchronous: while SQLite works inside a statement, the event loop waits. In WAL mode the commit
 * that takes the WAL past `wal_autocheckpoint` pages (1,000 by default, 4 MB) also checkpoints: it copies the WAL
 * back into the database file and fsyncs both. A message on the ticket-heavy mix writes about 110 KB (WAL and
 * checkpoint, from /proc/self/io), so at 200 msg/s the writer checkpointed several times a second, on the event
 * loop. Measured on the shared 2-vCPU machine (2026-12-01): a COMMIT's median was 0.04 ms, but 9–120 COMMITs a
 * benchmark run took over 10 ms and the worst 0.1–1.7 s whenever another process was writing to the disk (the
 * fsyncs wait for it); every request under way waited with them — that was the p99 (126 ms in the issue; 0.1–7 s
 * in runs here while the disk was busy). In one SQLite benchmark run (strace) the event-loop thread made 1,446
 * fsyncs (6.7 s in all, the longest 1.5 s); with the checkpointer below, 148 (0.18 s, the longest 50 ms).
 *
 * So a thread of its own (CHECKPOINTER), with a second connection to the file, makes PASSIVE checkpoints every
 * CHECKPOINT_EVERY_MS: a passive checkpoint neither waits for nor blocks the writer, and its fsyncs hold up only that
 * thread. The writer's own automatic checkpoint stays as a safety net at SAFETY_NET_PAGES, reached only when the
 * thread cannot catch up under sustained overload (the WAL starts over from the beginning only when a write begins
 * with every frame copied back) or is gone. What stays on the event loop is one small fsync of the WAL header when
 * the WAL starts over. Durability is unchanged: synchronous=NORMAL in WAL mode, the WAL synced before each checkpoint
 * and the database file after it — a power cut may lose the last transactions, never corrupt the file. cache_size,
 * mmap_size and temp_store stay at their defaults: nothing measured pointed at them.
 */
const CHECKPOINT_EVERY_MS = 200;
/** 80 MB of WAL; at max load on the benchmark the WAL peaked at ~10,000 pages between restarts. */
const SAFETY_NET_PAGES = 20_000;

type SqliteConnection = { pragma(s: string): unknown };

/** destroy() stops the checkpointer before the database closes (the last connection to close removes the WAL). */
class SqliteDataSource extends DataSource {
  checkpointer: Checkpointer | undefined;

  override async destroy(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    await super.destroy();
  }
}

function sqliteDataSource(path: string): DataSource {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const ds: SqliteDataSource = new SqliteDataSource({
    type: 'better-sqlite3',
    database: path,
    entities,
    migrations,
    migrationsRun: false,
    // WAL lets the admin API read while the webhook writes; busy_timeout waits instead of failing on a lock.
    prepareDatabase: (conn: SqliteConnection) => {
      conn.pragma('journal_mode = WAL');
      conn.pragma('busy_timeout = 5000');
      conn.pragma('synchronous = NORMAL');
      // Freed space is zeroed: a value overwritten or deleted (a resident's data sealed late, a purged row) does not
      // linger in the file's free pages.
      conn.pragma('secure_delete = ON');
      if (path === ':memory:') return;
      conn.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      ds.checkpointer ??= startCheckpointer(path, () => conn.pragma('wal_autocheckpoint = 1000'));
    },
  });
  return ds;
}

interface Checkpointer {
  stop(): Promise<void>;
}

// The checkpointer's thread. A pass repeats while the writer added frames during the previous one (each repeat copies
// only those, so it is short): the WAL is then often fully copied back, and the next write starts it over.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const pass = () => {
  let seen = -1;
  for (let i = 0; i < 8; i++) {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.busy || r.log === seen) return;
    seen = r.log;
  }
};
const timer = setInterval(pass, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** `fallBack` runs if the thread dies: the writer then checkpoints for itself again, as SQLite does by default. */
function startCheckpointer(path: string, fallBack: () => void): Checkpointer {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: {
      path,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      everyMs: CHECKPOINT_EVERY_MS,
    },
  });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('error', () => undefined); // an exit follows
  void exited.then(() => {
    if (stopping) return;
    try {
      fallBack();
    } catch {
      // The connection is closed already.
    }
  });
  return {
    async stop() {
      stopping = true;
      // Referenced again while it closes: otherwise nothing may keep the event loop alive until the thread's exit,
      // and the process would end there, quietly, with the rest of the shutdown never run.
      worker.ref();
      worker.postMessage('stop');
      const stuck = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(stuck);
    },
  };
}

/** The intake's own pool on MySQL, the one that may send several statements per packet; SQLite shares the one. */
export async function openBatchingPool(ds: DataSource, db: DatabaseConfig): Promise<DataSource> {
  if (db.type === 'sqlite') return ds;
  const pool = createDataSource(db, { multipleStatements: true });
  await pool.initialize();
  return pool;
}

/** The database, migrated, with residents' personal data sealed by `cipher` (db/personal-data.ts). */
export async function openDatabase(db: DatabaseConfig, cipher: FieldCipher): Promise<DataSource> {
  installCipher(cipher);
  const ds = createDataSource(db);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
