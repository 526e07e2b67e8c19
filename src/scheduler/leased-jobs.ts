// Cron jobs that must run on exactly one instance: each run first takes the job's lease in the database. A holder
// that crashes stops renewing, its lease expires, and the next instance to try takes the job over.
import { schedule, type ScheduledTask } from 'node-cron';
import type { LeaseStore } from '../db/lease.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';

export interface LeasedJob {
  name: string;
  /** node-cron expression, Asia/Shanghai; six fields allow seconds. */
  cron: string;
  /** Longer than the interval, so the holder keeps the job while it is alive. */
  leaseMs: number;
  run: () => Promise<number>;
}

export class LeasedScheduler {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly deps: { leases: LeaseStore; clock: Clock; logger: Logger; holder: string },
    private readonly jobs: LeasedJob[],
  ) {}

  /** Runs the job if this instance holds (or can take) its lease; null when another instance holds it. */
  async runOnce(name: string): Promise<number | null> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`unknown job ${name}`);
    const { leases, clock, logger, holder } = this.deps;
    if (!(await leases.acquire(job.name, holder, clock.now(), job.leaseMs))) return null;
    try {
      return await job.run();
    } catch (err) {
      logger.error({ err, job: job.name }, 'scheduled job failed; it runs again on its next tick');
      return 0;
    }
  }

  start(): void {
    this.tasks = this.jobs.map((job) =>
      schedule(
        job.cron,
        () =>
          void this.runOnce(job.name).catch((err) =>
            this.deps.logger.error({ err, job: job.name }, 'lease check failed'),
          ),
        {
          name: job.name,
          timezone: 'Asia/Shanghai',
          noOverlap: true,
        },
      ),
    );
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    const now = this.deps.clock.now();
    // A clean shutdown hands the jobs over at once instead of after the lease runs out.
    for (const job of this.jobs) await this.deps.leases.release(job.name, this.deps.holder, now).catch(() => undefined);
  }
}
