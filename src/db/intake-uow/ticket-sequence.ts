// Ticket numbers on MySQL/MariaDB: one autocommit upsert per number, on a small pool of its own. Transactions never
// hold the counter row (it used to serialise every report), and never wait for a connection that another
// transaction holds (a shared pool would deadlock under load).
// mysql2's callback API: its promise wrapper captures a stack trace per query, a measurable share of the webhook.
import { createPool, type Pool, type ResultSetHeader } from 'mysql2';

export interface TicketSequence {
  /** The last of `count` consecutive numbers now belonging to the caller. */
  take(scope: string, count: number): Promise<number>;
  close(): Promise<void>;
}

const UPSERT =
  'INSERT INTO ticket_counter (scope, seq) VALUES (?, LAST_INSERT_ID(?))' +
  ' ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + ?)';

export function mysqlTicketSequence(url: string): TicketSequence {
  let pool: Pool | undefined;
  return {
    take(scope, count) {
      pool ??= createPool({ uri: url, connectionLimit: 4, charset: 'utf8mb4', trace: false });
      const p = pool;
      return new Promise<number>((resolve, reject) =>
        // LAST_INSERT_ID(expr) is per connection and comes back as insertId of this very statement.
        p.query<ResultSetHeader>(UPSERT, [scope, count, count], (err, r) =>
          err ? reject(err) : resolve(Number(r.insertId)),
        ),
      );
    },
    async close() {
      const p = pool;
      if (p) await new Promise<void>((resolve) => p.end(() => resolve()));
    },
  };
}
