// The only code that knows how to connect. SQLite when no DATABASE_URL is set; MySQL/MariaDB otherwise.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/load-config.js';
import { Initial1763800000000 } from './migrations/0001-initial.js';
import { RulesEngine1763900000000 } from './migrations/0002-rules-engine.js';
import { Deadlines1764000000000 } from './migrations/0003-deadlines.js';
import { SameFaultIndexes1764100000000 } from './migrations/0004-same-fault-indexes.js';
import { SendLog1764200000000 } from './migrations/0005-send-log.js';
import { TicketBuilding1764300000000 } from './migrations/0006-ticket-building.js';
import { DeadlineScanFailures1764400000000 } from './migrations/0007-deadline-scan-failures.js';
import { entities } from './schema.js';

export const migrations = [
  Initial1763800000000,
  RulesEngine1763900000000,
  Deadlines1764000000000,
  SameFaultIndexes1764100000000,
  SendLog1764200000000,
  TicketBuilding1764300000000,
  DeadlineScanFailures1764400000000,
];

/**
 * `multipleStatements`: only the intake's unit of work sends several statements in one packet (its own pool, see
 * openBatchingPool); every other connection takes one statement at a time.
 */
export function createDataSource(db: DatabaseConfig, options: { multipleStatements?: boolean } = {}): DataSource {
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return new DataSource({
      type: 'better-sqlite3',
      database: db.path,
      entities,
      migrations,
      migrationsRun: false,
      // WAL lets the admin API read while the webhook writes; busy_timeout waits instead of failing on a lock.
      prepareDatabase: (conn: { pragma(s: string): unknown }) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
      },
    });
  }
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

/** The intake's own pool on MySQL, the one that may send several statements per packet; SQLite shares the one. */
export async function openBatchingPool(ds: DataSource, db: DatabaseConfig): Promise<DataSource> {
  if (db.type === 'sqlite') return ds;
  const pool = createDataSource(db, { multipleStatements: true });
  await pool.initialize();
  return pool;
}

export async function openDatabase(db: DatabaseConfig): Promise<DataSource> {
  const ds = createDataSource(db);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
