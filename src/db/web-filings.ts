// The web chat's tickets by source (migration 0010): how an address is stored, and how long the rows are kept.
import type { DataSource } from 'typeorm';
import { personalDataCipher } from './personal-data.js';

/** A client address is personal data: stored as a blind index (HMAC under PII_INDEX_KEY), which only compares equal. */
export const addressKey = (address: string) => personalDataCipher().blindIndex('web_address', address);

/** The limits look back one Beijing day and the flood fold minutes: older rows are of no use to them. */
export async function purgeWebFilingsBefore(ds: DataSource, before: Date): Promise<number> {
  const r = (await ds.query('DELETE FROM web_chat_filing WHERE filed_ms < ?', [before.getTime()])) as unknown;
  // mysql2 answers a result header, better-sqlite3 (through TypeORM) the changes.
  const affected = (r as { affectedRows?: number; changes?: number } | undefined) ?? {};
  return Number(affected.affectedRows ?? affected.changes ?? 0);
}
