import { LessThan, type DataSource } from 'typeorm';
import { InboundEntity } from './schema.js';

/**
 * Dedupe keys are needed for minutes (platform retries span ~15 s); a week is generous. The tickets keep
 * everything the resident said, so removing old keys loses nothing.
 */
export async function purgeInboundBefore(ds: DataSource, before: Date): Promise<number> {
  const r = await ds.getRepository(InboundEntity).delete({ receivedAt: LessThan(before) });
  return r.affected ?? 0;
}
