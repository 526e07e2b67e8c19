// What one transaction's row writers share: the connection, the packet builder, the read-ahead and the buffers
// written at commit.
import type { EntityManager } from 'typeorm';
import type { Incident, NewDeadline, TicketEvent } from '../../tickets/index.js';
import type { OutboxRow } from '../schema.js';
import type { readAhead } from './read-ahead.js';
import type { RoundTrips } from './round-trips.js';
import type { TransactionNumbers } from './ticket-sequence.js';

export interface Unit {
  m: EntityManager;
  link: RoundTrips;
  ahead: ReturnType<typeof readAhead>;
  /** The ORM for the statements it builds itself: what is still pending goes first, so every read sees it. */
  orm: () => Promise<EntityManager>;
  /** MySQL: rows are locked and statements share packets; SQLite has one writer and runs everything at once. */
  locking: boolean;
  /** MySQL's ticket numbers (outside the transaction); SQLite keeps its counter inside it. */
  numbers: TransactionNumbers | undefined;
  /** Written at commit, one multi-row statement each. */
  events: TicketEvent[];
  deadlines: NewDeadline[];
  outbox: Map<string, Omit<OutboxRow, 'id'>>;
  /** Incidents read or written in this transaction (the candidates' query brings theirs along). */
  incidents: Map<number, Incident>;
  /**
   * Residents who joined incidents in this transaction, added at commit in incident order: batches that join the
   * same incidents then lock them in one order (updating each as its report came deadlocked busy batches).
   */
  headCounts: Map<number, { added: number; at: Date }>;
}
