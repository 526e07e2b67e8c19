// Cron registrations only. Housekeeping is idempotent, so every instance may run it without a lease.
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.js';

export interface HousekeepingJob {
  name: string;
  cron: string;
  run: () => Promise<number>;
}

export function startHousekeeping(jobs: HousekeepingJob[], logger: Logger): () => Promise<void> {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    schedule(
      job.cron,
      async () => {
        try {
          const n = await job.run();
          logger.info({ job: job.name, rows: n }, 'housekeeping done');
        } catch (err) {
          logger.error({ err, job: job.name }, 'housekeeping failed');
        }
      },
      { name: job.name, timezone: 'Asia/Shanghai', noOverlap: true },
    ),
  );
  return async () => {
    for (const t of tasks) await t.destroy();
  };
}
