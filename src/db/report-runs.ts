// Which periodic reports have been sent (report_run): claimed before building, marked once enqueued.
import { EntitySchema, IsNull, type DataSource } from 'typeorm';
import { isUniqueViolation } from './errors.js';

export interface ReportRunRow {
  kind: string;
  period: string;
  startedAt: Date;
  enqueuedAt: Date | null;
  messages: number;
}

export const ReportRunEntity = new EntitySchema<ReportRunRow>({
  name: 'ReportRun',
  tableName: 'report_run',
  columns: {
    kind: { type: 'varchar', length: 16, primary: true },
    period: { type: 'varchar', length: 16, primary: true },
    startedAt: { name: 'started_at', type: 'datetime', precision: 3 },
    enqueuedAt: { name: 'enqueued_at', type: 'datetime', precision: 3, nullable: true },
    messages: { type: 'integer', default: 0 },
  },
});

/** A claim older than this without its messages enqueued was abandoned (the instance died): another takes it over. */
const ABANDONED_MS = 30 * 60_000;

export function createReportRuns(ds: DataSource) {
  const runs = ds.getRepository(ReportRunEntity);
  return {
    /**
     * True when this caller is to build and send the report: nobody has, and nobody is building it now. A claim is one
     * INSERT (or one compare-and-swap UPDATE of an abandoned one), so of two instances only one gets true.
     */
    async claim(kind: string, period: string, now: Date): Promise<boolean> {
      const run = await runs.findOneBy({ kind, period });
      if (!run) {
        try {
          await runs.insert({ kind, period, startedAt: now, enqueuedAt: null, messages: 0 });
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      }
      if (run.enqueuedAt || now.getTime() - run.startedAt.getTime() < ABANDONED_MS) return false;
      const taken = await runs.update(
        { kind, period, startedAt: run.startedAt, enqueuedAt: IsNull() },
        { startedAt: now },
      );
      return (taken.affected ?? 0) > 0;
    },
    async enqueued(kind: string, period: string, messages: number, now: Date): Promise<void> {
      await runs.update({ kind, period }, { enqueuedAt: now, messages });
    },
    find: (kind: string, period: string) => runs.findOneBy({ kind, period }),
    recent: (limit: number) => runs.find({ order: { startedAt: 'DESC' }, take: limit }),
  };
}

export type ReportRuns = ReturnType<typeof createReportRuns>;
