// SQLite has one writer and TypeORM's better-sqlite3 driver one connection: concurrent transactions in one
// process would interleave on it. Queue them; MySQL gets real concurrency and row locks instead.
import type { DataSource } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

export function serialized<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'better-sqlite3') return fn();
  const previous = queues.get(ds) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  queues.set(
    ds,
    run.catch(() => undefined),
  );
  return run;
}
