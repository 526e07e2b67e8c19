// The robot rate window's memory in the database (see notifications/rate-window.ts): shared by every instance.
import type { DataSource } from 'typeorm';
import type { SendLog } from '../notifications/rate-window.js';
import { serialized } from './sqlite-lock.js';

/** Rows older than this go when the same target sends again: far beyond any window in use. */
const KEEP_MS = 3_600_000;

export function databaseSendLog(ds: DataSource): SendLog {
  return {
    async sendsSince(target, sinceMs) {
      const rows = (await ds.query(
        'SELECT sent_ms AS t, messages AS n FROM send_log WHERE target = ? AND sent_ms > ? ORDER BY sent_ms ASC',
        [target, sinceMs],
      )) as { t: number | string; n: number | string }[];
      return rows.flatMap((r) => Array.from({ length: Number(r.n) }, () => Number(r.t)));
    },
    async record(target, atMs, messages) {
      await serialized(ds, async () => {
        await ds.query('INSERT INTO send_log (target, sent_ms, messages) VALUES (?, ?, ?)', [target, atMs, messages]);
        await ds.query('DELETE FROM send_log WHERE target = ? AND sent_ms < ?', [target, atMs - KEEP_MS]);
      });
    },
  };
}
