// Ticket numbers on MySQL/MariaDB: one autocommit upsert per number, on a small pool of its own. Transactions never
// hold the counter row (it used to serialise every report), and never wait for a connection that another
// transaction holds (a shared pool would deadlock under load).
// mysql2's callback API: its promise wrapper captures a stack trace per query, a measurable share of the webhook.
import { createPool, type Pool, type ResultSetHeader } from 'mysql2';

export interface TicketSequence {
  /** `count` numbers now belonging to the caller, ascending: numbers handed back first, then new ones. */
  take(scope: string, count: number): Promise<number[]>;
  /**
   * Numbers taken but not kept: the counter is outside the transaction, so a batch that rolls back (a deadlock, a
   * message written concurrently) would otherwise leave a gap in the ledger's numbering each time it is retried.
   */
  giveBack(scope: string, numbers: number[]): void;
  close(): Promise<void>;
}

const UPSERT =
  'INSERT INTO ticket_counter (scope, seq) VALUES (?, LAST_INSERT_ID(?))' +
  ' ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + ?)';

export function mysqlTicketSequence(url: string): TicketSequence {
  let pool: Pool | undefined;
  const spare = new Map<string, number[]>();
  const fresh = (scope: string, count: number) => {
    pool ??= createPool({ uri: url, connectionLimit: 4, charset: 'utf8mb4', trace: false });
    const p = pool;
    return new Promise<number>((resolve, reject) =>
      // LAST_INSERT_ID(expr) is per connection and comes back as insertId of this very statement.
      p.query<ResultSetHeader>(UPSERT, [scope, count, count], (err, r) =>
        err ? reject(err) : resolve(Number(r.insertId)),
      ),
    );
  };
  return {
    async take(scope, count) {
      const kept = spare.get(scope) ?? [];
      const mine = kept.splice(0, count);
      if (!kept.length) spare.delete(scope);
      const missing = count - mine.length;
      if (missing === 0) return mine;
      const last = await fresh(scope, missing);
      return [...mine, ...Array.from({ length: missing }, (_, i) => last - missing + 1 + i)];
    },
    giveBack(scope, numbers) {
      if (!numbers.length) return;
      spare.set(
        scope,
        [...(spare.get(scope) ?? []), ...numbers].sort((a, b) => a - b),
      );
    },
    async close() {
      const p = pool;
      if (p) await new Promise<void>((resolve) => p.end(() => resolve()));
    },
  };
}

/** One transaction's numbers: those reserved for its batch, and those it used, settled when it ends. */
export interface TransactionNumbers {
  reserve(scope: string, count: number): Promise<void>;
  next(scope: string): Promise<number>;
  /** Unused reservations go back; so does every number of a transaction that did not commit. */
  settle(committed: boolean): void;
}

export function transactionNumbers(sequence: TicketSequence): TransactionNumbers {
  const reserved = new Map<string, number[]>();
  const used = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, scope: string, numbers: number[]) =>
    map.set(scope, [...(map.get(scope) ?? []), ...numbers]);
  return {
    async reserve(scope, count) {
      add(reserved, scope, await sequence.take(scope, count));
    },
    async next(scope) {
      const n = reserved.get(scope)?.shift() ?? (await sequence.take(scope, 1))[0]!;
      add(used, scope, [n]);
      return n;
    },
    settle(committed) {
      for (const [scope, numbers] of reserved) sequence.giveBack(scope, numbers);
      if (!committed) for (const [scope, numbers] of used) sequence.giveBack(scope, numbers);
      reserved.clear();
      used.clear();
    },
  };
}
