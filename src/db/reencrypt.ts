// The re-encrypt job: seals every personal-data value that is not sealed with the current key — values sealed with
// an older key after a rotation, and values written in clear before encryption existed (an upgraded database; their
// tickets also get their phone's blind indexes and their text masked). Each value is replaced only if it is still the
// one read (compare and swap), so a row the webhook changes meanwhile is left to the next pass, never overwritten.
import type { DataSource, EntitySchema, ObjectLiteral } from 'typeorm';
import { isSealed } from '../lib/field-cipher.js';
import { maskPersonalText } from '../lib/masking.js';
import { nameIndex, personalDataCipher, phoneIndexes } from './personal-data.js';
import {
  InboundEntity,
  OutboxEntity,
  ResidentEntity,
  SessionEntity,
  TicketEntity,
  TicketEventEntity,
} from './schema.js';

interface SealedTable {
  entity: EntitySchema<ObjectLiteral>;
  props: string[];
}

const SEALED: SealedTable[] = [
  { entity: ResidentEntity, props: ['name', 'phone'] },
  { entity: TicketEntity, props: ['residentName', 'phone', 'location'] },
  { entity: SessionEntity, props: ['state'] },
  { entity: InboundEntity, props: ['reply'] },
  { entity: TicketEventEntity, props: ['data'] },
  { entity: OutboxEntity, props: ['payload'] },
] as unknown as SealedTable[];

export interface ReencryptOptions {
  /** Rows read per statement. */
  batch?: number;
  /** Stop after this many rows in one run (the job runs again on its next tick). */
  maxRows?: number;
}

/** Re-seals up to `maxRows` values; returns how many rows it changed (0: every value is under the current key). */
export async function reencryptPersonalData(ds: DataSource, o: ReencryptOptions = {}): Promise<number> {
  const batch = o.batch ?? 200;
  let budget = o.maxRows ?? 5_000;
  let changed = 0;
  let fromClear = 0;
  for (const table of SEALED) {
    // Rows whose values could not be swapped this pass (changed under us) are skipped by id, not retried forever.
    let after: unknown[] | undefined;
    while (budget > 0) {
      const rows = await stale(ds, table, Math.min(batch, budget), after);
      if (!rows.length) break;
      for (const raw of rows) {
        const r = await reseal(ds, table, raw);
        changed += r.changed;
        fromClear += r.fromClear;
      }
      budget -= rows.length;
      after = primaryOf(ds, table, rows.at(-1)!);
      if (rows.length < batch) break;
    }
  }
  // SQLite keeps the clear values just overwritten in WAL frames until the WAL starts over; copy it back and empty it
  // (secure_delete has zeroed the freed space in the file itself).
  if (fromClear && ds.options.type === 'better-sqlite3') await ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
  return changed;
}

async function stale(ds: DataSource, t: SealedTable, limit: number, after: unknown[] | undefined) {
  const meta = ds.getMetadata(t.entity);
  const current = `pii:${personalDataCipher().currentId}:%`;
  const q = ds.createQueryBuilder().select('r.*').from(meta.target, 'r');
  const e = (name: string) => `r.${ds.driver.escape(name)}`;
  const cols = t.props.map((p) => e(meta.findColumnWithPropertyName(p)!.databaseName));
  q.where(`(${cols.map((c) => `(${c} IS NOT NULL AND ${c} NOT LIKE :current)`).join(' OR ')})`, { current });
  const pk = meta.primaryColumns.map((c) => e(c.databaseName));
  if (after) {
    // Keyset paging on the primary key (one column, or the session's channel + user id).
    if (pk.length === 1) q.andWhere(`${pk[0]} > :a0`, { a0: after[0] });
    else q.andWhere(`(${pk[0]} > :a0 OR (${pk[0]} = :a0 AND ${pk[1]} > :a1))`, { a0: after[0], a1: after[1] });
  }
  for (const c of pk) q.addOrderBy(c, 'ASC');
  return (await q.limit(limit).getRawMany()) as Record<string, unknown>[];
}

const primaryOf = (ds: DataSource, t: SealedTable, raw: Record<string, unknown>) =>
  ds.getMetadata(t.entity).primaryColumns.map((c) => raw[c.databaseName]);

async function reseal(
  ds: DataSource,
  t: SealedTable,
  raw: Record<string, unknown>,
): Promise<{ changed: number; fromClear: number }> {
  const meta = ds.getMetadata(t.entity);
  const cipher = personalDataCipher();
  const patch: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  let fromClear = 0;
  for (const p of t.props) {
    const col = meta.findColumnWithPropertyName(p)!;
    const stored = raw[col.databaseName];
    if (typeof stored !== 'string' || cipher.isCurrent(stored)) continue;
    const transformer = col.transformer as { from(v: unknown): unknown };
    patch[p] = transformer.from(stored);
    expected[col.databaseName] = stored;
    if (!isSealed(stored)) fromClear = 1;
  }
  if (!Object.keys(patch).length) return { changed: 0, fromClear: 0 };
  if (t.entity === (TicketEntity as unknown) && typeof raw['resident_name'] === 'string') {
    const legacy = !isSealed(raw['resident_name']);
    const phone = (patch['phone'] as string | undefined) ?? null;
    if (legacy) {
      const name = patch['residentName'] as string | undefined;
      const who = { name, phone };
      Object.assign(patch, phoneIndexes(phone), {
        nameIndex: nameIndex(name ?? String(raw['resident_name'])),
        content: maskPersonalText(String(raw['content']), who),
        summary: maskPersonalText(String(raw['summary']), who),
      });
    }
  }
  const e = (name: string) => ds.driver.escape(name);
  const q = ds.createQueryBuilder().update(meta.target).set(patch).where('1 = 1');
  meta.primaryColumns.forEach((c, i) =>
    q.andWhere(`${e(c.databaseName)} = :pk${i}`, { [`pk${i}`]: raw[c.databaseName] }),
  );
  Object.entries(expected).forEach(([c, v], i) => q.andWhere(`${e(c)} = :was${i}`, { [`was${i}`]: v }));
  const changed = (await q.execute()).affected ?? 1;
  return { changed, fromClear: changed ? fromClear : 0 };
}
