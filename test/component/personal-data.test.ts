// Residents' names and phones at rest: sealed in every table that holds them (checked in the SQLite files, WAL
// included, and in a MariaDB dump), found again through blind indexes, masked in group messages and logs, and kept
// readable across a key rotation by the re-encrypt job.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/lib/logger.js';
import type { Service } from '../../src/service.js';
import { openWecomReply, post, wecomPost } from '../support/callbacks.js';
import { DB_KINDS, databaseFor } from '../support/databases.js';
import { json } from '../support/http.js';
import { startTestService, TEST_KEYS } from '../support/service.js';
import { outboxRows, storedBytes, ticketRows } from '../support/stored.js';
import { phoneIndex } from '../../src/db/personal-data.js';

const NAME = '欧阳丽娜';
const PHONE = '13812345678';
const ROTATED = `k2:${Buffer.alloc(32, 3).toString('base64')}`;
const SEALED_COLUMNS = [
  ['ticket', 'resident_name'],
  ['ticket', 'phone'],
  ['resident', 'name'],
  ['resident', 'phone'],
  ['dialogue_session', 'state'],
  ['inbound_message', 'reply'],
  ['ticket_event', 'data'],
  ['outbox', 'payload'],
] as const;

describe.each(DB_KINDS)('personal data at rest on %s', (kind) => {
  let svc: Service;
  const database = databaseFor(kind, 'pii');
  const logged: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    }),
  );
  const shipped = loadConfig({ CONFIG_DIR: 'config' }).organisation;
  const organisation = {
    ...shipped,
    projects: shipped.projects.map((p) => ({ ...p, alerts: { robotKey: 'robot-key-pii' } })),
  };
  const start = (keys = TEST_KEYS.keys) =>
    startTestService(kind, 'pii', { database, logger, config: { organisation }, env: { PII_KEYS: keys } });
  const say = async (from: string, text: string) =>
    openWecomReply((await post(svc.url, wecomPost({ from, text }))).text).Content ?? '';
  const admin = async (path: string) =>
    json(await fetch(`${svc.url}${path}`, { headers: { authorization: 'Bearer test-admin-token' } }));
  const everythingStored = () => storedBytes(database);
  const rawValues = async (table: string, column: string) =>
    ((await svc.ds.query(`SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`)) as { v: string }[]).map(
      (r) => r.v,
    );

  beforeAll(async () => {
    svc = await start();
  });
  afterAll(async () => svc?.close());

  it('when a resident reports over the encrypted webhook, then neither name nor phone is stored in clear', async () => {
    expect(await say('pii_user', `厨房水管爆了，水喷得到处都是，我是${NAME}`)).toContain('房号');
    expect(await say('pii_user', '3栋2单元502')).toMatch(/已为您登记工单 KF-\d{8}-\d{4}/);
    expect(await say('pii_user', PHONE)).toContain('138****5678');
    const stored = everythingStored();
    expect(stored).toContain('3-2-502'); // the room is there: we are reading the right data
    expect(stored).not.toContain(NAME);
    expect(stored).not.toContain(PHONE);
    for (const [table, column] of SEALED_COLUMNS)
      for (const v of await rawValues(table, column)) expect(v, `${table}.${column}`).toMatch(/^pii:t1:/);
    // The service itself still reads them as the resident wrote them; the admin API hands them out masked.
    const [row] = await ticketRows(svc.ds, { room: '3-2-502' });
    expect(row).toMatchObject({ residentName: NAME, phone: PHONE });
    const [t] = (await admin('/api/tickets?resident=3-2-502')).items;
    expect(t).toMatchObject({ residentName: '欧***', phone: '138****5678', room: '3-2-502' });
    expect(t.content).toContain('欧***'); // the text keeps the problem, not the name
  });

  it('when staff search by the phone, its last four digits or the name, then a blind index finds it', async () => {
    for (const q of [PHONE, '5678', NAME]) {
      const found = await admin(`/api/tickets?resident=${encodeURIComponent(q)}`);
      expect(
        found.items.map((t: { room: string }) => t.room),
        q,
      ).toEqual(['3-2-502']);
    }
    expect((await admin('/api/tickets?resident=1234')).total).toBe(0);
    expect((await admin(`/api/tickets?resident=${encodeURIComponent('欧阳')}`)).total).toBe(0); // no partial names
  });

  it('when the managers group is alerted, then the resident is masked there and in the logs', async () => {
    const group = (await outboxRows(svc.ds)).filter((r) => r.channel === 'wecom_robot');
    expect(group.length).toBeGreaterThan(0);
    for (const r of group) {
      expect(JSON.stringify(r.payload)).toContain('欧***');
      expect(JSON.stringify(r.payload)).not.toContain(NAME);
    }
    const log = logged.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(NAME);
    expect(log).not.toContain(PHONE);
  });

  it('when the keys rotate, then old values still read and the job re-seals them under the new key', async () => {
    await svc.close();
    svc = await start(`${ROTATED},${TEST_KEYS.keys}`);
    expect((await ticketRows(svc.ds, { phoneIndex: phoneIndex(PHONE) }))[0]?.residentName).toBe(NAME);
    expect(await svc.scheduler.runOnce('reencrypt-personal-data')).toBeGreaterThan(0);
    for (const [table, column] of SEALED_COLUMNS)
      for (const v of await rawValues(table, column)) expect(v, `${table}.${column}`).toMatch(/^pii:k2:/);
    expect(await svc.scheduler.runOnce('reencrypt-personal-data')).toBe(0);
    // The old key can go: everything opens with the new one alone.
    await svc.close();
    svc = await start(ROTATED);
    const [t] = await ticketRows(svc.ds, { phoneIndex: phoneIndex(PHONE) });
    expect(t).toMatchObject({ residentName: NAME, phone: PHONE });
    expect(await say('pii_user', '我的工单')).toContain('厨房水管爆了');
  });

  it('when rows were written in clear before encryption, then the job seals, indexes and masks them', async () => {
    const [{ id }] = await svc.ds.query('SELECT id FROM ticket ORDER BY id LIMIT 1');
    await svc.ds.query(
      'UPDATE ticket SET resident_name = ?, phone = ?, content = ?, ' +
        'phone_index = NULL, phone_tail_index = NULL, name_index = NULL WHERE id = ?',
      ['王小明', '13900001111', '王小明报修：阳台漏水，电话13900001111', id],
    );
    expect((await admin('/api/tickets?resident=13900001111')).total).toBe(0);
    expect(await svc.scheduler.runOnce('reencrypt-personal-data')).toBeGreaterThan(0);
    expect(everythingStored()).not.toContain('13900001111');
    const [t] = (await admin('/api/tickets?resident=13900001111')).items;
    expect(t.content).toBe('王**报修：阳台漏水，电话139****1111');
    expect((await ticketRows(svc.ds, { id }))[0]).toMatchObject({ residentName: '王小明', phone: '13900001111' });
  });
});
