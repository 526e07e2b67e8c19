import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeInboundBefore } from '../../src/db/housekeeping.js';
import type { Service } from '../../src/service.js';
import { startTestService } from '../support/service.js';

describe('purging old dedupe keys', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startTestService('sqlite', 'housekeeping');
  });
  afterAll(async () => svc?.close());

  it('when keys are older than the cut-off, then only those are removed', async () => {
    const old = new Date('2026-01-01T00:00:00Z');
    const fresh = new Date('2026-11-20T00:00:00Z');
    await svc.ds.query(
      'INSERT INTO inbound_message (channel, dedupe_key, user_id, reply, received_at) ' +
        "VALUES ('mp','msg:1','u',NULL,?), ('mp','msg:2','u',NULL,?)",
      [old.toISOString().replace('T', ' ').replace('Z', ''), fresh.toISOString().replace('T', ' ').replace('Z', '')],
    );
    expect(await purgeInboundBefore(svc.ds, new Date('2026-11-01T00:00:00Z'))).toBe(1);
    const rows = await svc.ds.query(`SELECT dedupe_key FROM inbound_message`);
    expect(rows).toEqual([{ dedupe_key: 'msg:2' }]);
  });
});
