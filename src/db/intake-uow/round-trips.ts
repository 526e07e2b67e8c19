// The statements of one transaction: pending writes that ride with the next statement, several statements per packet.
import type { EntityManager } from 'typeorm';
import type { Statement } from './fast-rows.js';

/**
 * Writes whose result nobody reads (a ticket joining an incident, the incident's new head count) wait and travel
 * with the next statement of the transaction in one packet: on the machines measured a round trip to MySQL cost
 * about a millisecond, a ticket needed eight of them. On SQLite (in-process) everything runs at once.
 */
export type RoundTrips = ReturnType<typeof roundTrips>;

export function roundTrips(m: EntityManager, batching: boolean, opening: Statement[]) {
  const pending: Statement[] = [...opening];
  /**
   * Statements, with the pending writes before them, in one packet on MySQL (every value a bound parameter; a failing
   * statement stops the rest and fails the transaction); one by one on SQLite. Answers the statements' own results.
   */
  const runMany = async (sts: Statement[]): Promise<unknown[]> => {
    if (!batching) {
      const results: unknown[] = [];
      for (const st of sts) results.push(await m.query(...st));
      return results;
    }
    const parts = [...pending.splice(0), ...sts];
    if (parts.length === 0) return [];
    if (parts.length === 1) return [await m.query(...parts[0]!)];
    const results = (await m.query(
      parts.map(([sql]) => sql).join(';\n'),
      parts.flatMap(([, p]) => p),
    )) as unknown[];
    return results.slice(results.length - sts.length);
  };
  return {
    runMany,
    run: async (st: Statement): Promise<unknown> => (await runMany([st]))[0],
    async later(st: Statement | undefined): Promise<void> {
      if (!st) return;
      if (batching) pending.push(st);
      else await m.query(...st);
    },
    async drain(): Promise<void> {
      if (pending.length) await runMany([]);
    },
  };
}
