// Each component test file gets its own MariaDB database and its own SQLite file, so files run in parallel.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '../../src/config/load-config.js';

export const MARIADB_URL_BASE = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

export const mariadbDatabases = [
  'kf_test_wecom',
  'kf_test_tickets',
  'kf_test_pools',
  'kf_test_jobs_scan',
  'kf_test_jobs_outbox',
  'kf_test_mp',
  'kf_test_dedupe',
  'kf_test_admin',
  'kf_test_outbox',
  'kf_test_bad',
  'kf_test_restart',
  'kf_test_web',
  'kf_test_mp_late',
  'kf_test_two',
  'kf_test_collective',
  'kf_test_routing',
  'kf_test_deadlines',
  'kf_test_staff',
  'kf_test_llm',
  'kf_test_batch',
  'kf_test_shutdown',
  'kf_test_mall',
  'kf_test_corrections',
  'kf_test_pii',
  'kf_test_console',
  'kf_test_retention',
  'kf_test_webchat_limits',
  'kf_test_bench_console',
  'kf_test_reports',
  'kf_test_kpi',
];

export const testMariadbUrl = (name: string) => `${MARIADB_URL_BASE}/kf_test_${name}`;

export type DbKind = 'sqlite' | 'mariadb';
export const DB_KINDS: DbKind[] = ['sqlite', 'mariadb'];

export function databaseFor(kind: DbKind, name: string): DatabaseConfig {
  if (kind === 'mariadb') {
    const db = `kf_test_${name}`;
    if (!mariadbDatabases.includes(db)) throw new Error(`add ${db} to mariadbDatabases`);
    return { type: 'mariadb', url: `${MARIADB_URL_BASE}/${db}` };
  }
  return { type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'kf-test-')), 'kf.sqlite') };
}
