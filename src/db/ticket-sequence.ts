// Ticket numbers on MySQL/MariaDB: one autocommit upsert per number, on a small pool of its own. Transactions never
// hold the counter row (it used to serialise every report), and never wait for a connection that another
// transaction holds (a shared pool would deadlock under load).
import { createPool, type Pool, type ResultSetHeader } from 'mysql2/promise';

export interface TicketSequence {
  next(scope: string): Promise<number>;
  close(): Promise<void>;
}

const UPSERT = 'INSERT INTO ticket_counter (scope, seq) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + 1)';

export function mysqlTicketSequence(url: string): TicketSequence {
  let pool: Pool | undefined;
  return {
    async next(scope) {
      pool ??= createPool({ uri: url, connectionLimit: 4, charset: 'utf8mb4' });
      const [r] = await pool.query<ResultSetHeader>(UPSERT, [scope]);
      // LAST_INSERT_ID(expr) is per connection and comes back as insertId of this very statement.
      return Number(r.insertId);
    },
    async close() {
      await pool?.end();
    },
  };
}
