// Learning from staff: a correction through the admin API changes the ticket, is kept with who made it, and comes
// back out of the database as a labelled example that `npm run train -- --with-corrections` trains on.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config/load-config.js';
import { correctedTickets } from '../../src/db/corrections.js';
import type { Service } from '../../src/service.js';
import { mpSay, ticketNoIn } from '../support/callbacks.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { json } from '../support/http.js';
import { startTestService, TEST_KEYS } from '../support/service.js';

const AUTH = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' };

describe.each(DB_KINDS)('staff corrections as training data on %s', (kind) => {
  let svc: Service;
  let database: DatabaseConfig;
  const resident = (from: string, text: string) => mpSay(svc.url, from, text);
  const ticketNo = ticketNoIn;
  const correct = (no: string, body: unknown) =>
    fetch(`${svc.url}/api/tickets/${no}/labels`, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });

  beforeAll(async () => {
    database = databaseFor(kind, 'corrections');
    svc = await startTestService(kind, 'corrections', { database });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('when the body names no label or a label that does not exist, then 400 says what is wrong', async () => {
    const no = ticketNo(await resident('o-fix-0', '我是钱多多，2栋1单元101，厨房水龙头坏了'));
    const none = await correct(no, { by: 'wang' });
    expect(none.status).toBe(400);
    expect((await json(none)).message).toContain('至少给出一项');
    const bad = await correct(no, { category: 'plumbing', by: 'wang' });
    expect(bad.status).toBe(400);
    const level = await correct(no, { level: 'huge', by: 'wang' });
    expect(level.status).toBe(400);
    expect((await json(level)).message).toContain('未知的事件等级 huge');
    expect((await correct('KF-20990101-0001', { category: 'service', by: 'wang' })).status).toBe(404);
    expect(await correctedTickets(svc.ds)).toEqual([]);
  });

  const correctionBecomesExample =
    'when staff correct a ticket through the admin API, then it is a labelled example with its corrected labels ' +
    'and who corrected it, and training with corrections reads it';
  it(correctionBecomesExample, async () => {
    const text = '我是赵敏，2栋1单元202，物业那个小伙子说话太冲了';
    const no = ticketNo(await resident('o-fix-1', text));
    const r = await correct(no, { kind: 'complaint', category: 'service', trade: null, by: 'wang' });
    expect(r.status).toBe(200);
    expect((await json(r)).ticket).toMatchObject({ kind: 'complaint', category: 'service', trade: null });
    const [example, ...more] = await correctedTickets(svc.ds);
    expect(more).toEqual([]);
    expect(example).toMatchObject({ no, kind: 'complaint', category: 'service', trade: null, by: 'admin:wang' });
    expect(example!.text).toContain('说话太冲');

    const env: Record<string, string> = {
      ...process.env,
      LOG_LEVEL: 'silent',
      PII_KEYS: TEST_KEYS.keys,
      PII_INDEX_KEY: TEST_KEYS.indexKey,
    } as Record<string, string>;
    if (database.type === 'sqlite') env['SQLITE_PATH'] = database.path;
    else env['DATABASE_URL'] = database.url;
    const dry = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/train.ts', '--with-corrections', '--dry-run'],
      { encoding: 'utf8', env },
    );
    expect(dry.status, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout.trim().split('\n').at(-1)!);
    expect(plan.perWriter.corrections).toBe(1);
    expect(plan.perWriter.w01).toBe(300);
  }, 60_000);
});
