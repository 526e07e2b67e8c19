// npm run bench:kpi — one month's KPIs (db/kpi-queries.ts + kpi/computeMonthKpis) over 1,000,000 tickets, on SQLite
// and on MariaDB. Target (issue #14): the month's KPIs in < 2 s on each database (p50 of the runs, load + compute).
//
// The data: 5 projects, two years of tickets (~42,000 a month), most of them done and some rated, ~2 % reopened;
// ~340,000 residents, a few of whom file often (so repeats happen); every ticket has its response deadline and the
// pack's others (resolution, upgrades, the lead's report for emergencies, the callback once done), and its timeline
// (created, graded, routed, notified, accepted, completed, rated, reopened) — ~4.5 deadlines and ~6 events a ticket;
// shared-facility faults are merged into incidents. Names are sealed by the store's own transformer (rowCodec);
// phones and blind indexes are left out (the KPIs never read them).
//
// Each run prints the statements' plans (EXPLAIN) and their times, then the p50 of BENCH_KPI_RUNS runs. The seeded
// databases are kept between runs (a SQLite file and the kf_bench_kpi MariaDB database, the keyring beside the file)
// and reused when they hold what this script would seed; --reseed seeds them again, --drop removes them at the end.
//
// Knobs (env): BENCH_DATABASES (sqlite,mariadb), BENCH_MARIADB (mysql://root@127.0.0.1:3306), BENCH_KPI_TICKETS
// (1000000), BENCH_KPI_RUNS (5), BENCH_KPI_MONTH (2026-10), BENCH_KPI_DIR (<tmpdir>/kf-bench-kpi).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { DataSource, EntitySchema, ObjectLiteral } from 'typeorm';
import { buildCalendar, loadCalendarConfig } from '../src/config/calendar-file.js';
import type { DatabaseConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/data-source.js';
import { rowCodec } from '../src/db/intake-uow/fast-rows.js';
import { createKpiQueries } from '../src/db/kpi-queries.js';
import {
  DeadlineEntity,
  type DeadlineRow,
  IncidentEntity,
  TicketEntity,
  TicketEventEntity,
  type TicketRow,
} from '../src/db/schema.js';
import { computeMonthKpis, formatHours, formatPercent, type MonthKpis } from '../src/kpi/index.js';
import { FieldCipher, formatKeyring, newKeyring, parseKeyring } from '../src/lib/field-cipher.js';
import type { Incident, TicketEvent } from '../src/tickets/index.js';

type DbName = 'sqlite' | 'mariadb';

const TARGET_MS = 2000;
/** Bump when the seeded data changes: a kept database of another version is seeded again. */
const SEED_VERSION = 1;
const DATABASE = 'kf_bench_kpi';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** The newest ticket was filed just before this, the oldest two years earlier. */
const NOW = new Date('2026-12-01T10:00:00+08:00');
const SPAN_DAYS = 730;

const settings = {
  databases: envDatabases(),
  mariadb: process.env.BENCH_MARIADB || 'mysql://root@127.0.0.1:3306',
  tickets: envNumber('BENCH_KPI_TICKETS', 1_000_000),
  runs: envNumber('BENCH_KPI_RUNS', 5),
  month: process.env.BENCH_KPI_MONTH || '2026-10',
  dir: process.env.BENCH_KPI_DIR || join(tmpdir(), 'kf-bench-kpi'),
  reseed: process.argv.includes('--reseed'),
  drop: process.argv.includes('--drop'),
};

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function envDatabases(): DbName[] {
  const names = (process.env.BENCH_DATABASES || 'sqlite,mariadb').split(',').map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => n !== 'sqlite' && n !== 'mariadb');
  if (bad.length) throw new Error(`BENCH_DATABASES: unknown ${bad.join(', ')} (sqlite, mariadb)`);
  return names as DbName[];
}

// ---------------------------------------------------------------------------------------------- the data

/** A deterministic random source (mulberry32): the same seed gives the same data. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const weighted = <T>(table: readonly (readonly [T, number])[]): T => {
    let r = next() * table.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of table) if ((r -= w) < 0) return v;
    return table.at(-1)![0];
  };
  return { next, int, pick, weighted };
}

const PROJECTS = [
  { code: 'XFL', prefix: 'KF', share: 30, buildings: 24, households: 1860 },
  { code: 'YHY', prefix: 'YH', share: 25, buildings: 18, households: 1420 },
  { code: 'JXC', prefix: 'JX', share: 20, buildings: 30, households: 2300 },
  { code: 'LSW', prefix: 'LS', share: 15, buildings: 12, households: 900 },
  { code: 'BHT', prefix: 'BH', share: 10, buildings: 6, households: 480 },
] as const;
type Project = (typeof PROJECTS)[number];
const HANDLERS = Array.from({ length: 10 }, (_, i) => `wx${String(i + 1).padStart(2, '0')}`);

interface Problem {
  kind: string;
  category: string;
  trade: string | null;
  summary: string;
  emergency: boolean;
  /** A shared facility: reports of it by different residents are merged into incidents. */
  shared: boolean;
}
const problem = (
  weight: number,
  kind: string,
  category: string,
  trade: string | null,
  summary: string,
  emergency = false,
  shared = false,
) => [{ kind, category, trade, summary, emergency, shared } satisfies Problem, weight] as const;
const PROBLEMS = [
  problem(60, 'repair', 'engineering', 'water_electric', '卫生间天花板漏水'),
  problem(40, 'repair', 'engineering', 'civil', '外墙渗水'),
  problem(35, 'repair', 'engineering', 'doors_windows', '窗户关不严'),
  problem(30, 'repair', 'engineering', 'fitout', '地砖空鼓'),
  problem(25, 'repair', 'engineering', 'hvac', '暖气不热'),
  problem(15, 'repair', 'engineering', 'water_electric', '水管爆裂', true),
  problem(60, 'repair', 'property', null, '楼道灯不亮', false, true),
  problem(45, 'repair', 'property', null, '电梯故障', false, true),
  problem(8, 'repair', 'property', null, '电梯困人', true, true),
  problem(50, 'complaint', 'property', null, '楼上噪音扰民'),
  problem(45, 'complaint', 'property', null, '垃圾没有清运', false, true),
  problem(40, 'complaint', 'property', null, '车位被占'),
  problem(35, 'inquiry', 'property', null, '物业费怎么交'),
  problem(25, 'suggestion', 'property', null, '建议增加充电桩'),
  problem(40, 'complaint', 'service', null, '客服态度差'),
  problem(40, 'complaint', 'other', null, '小区停水', false, true),
  problem(15, 'inquiry', 'other', null, '宽带怎么装'),
  problem(30, 'complaint', 'planning', null, '车位规划不合理'),
  problem(25, 'complaint', 'sales', null, '房产证迟迟办不下来'),
  problem(10, 'praise', 'service', null, '表扬维修师傅'),
] as const;
const LEVELS = [
  ['general', 880],
  ['important', 80],
  ['hot', 35],
  ['major', 5],
] as const;
const RATINGS = [
  ['satisfied', 70],
  ['neutral', 20],
  ['unsatisfied', 10],
] as const;
const CHANNELS = [
  ['mp', 50],
  ['wecom', 20],
  ['web', 30],
] as const;

interface Resident {
  project: Project;
  channel: string;
  userId: string;
  name: string;
  room: string;
}

function residents(tickets: number): Resident[] {
  const r = random(20261201);
  const table = PROJECTS.map((p) => [p, p.share] as const);
  return Array.from({ length: Math.round(tickets * 0.34) }, (_, i) => {
    const project = r.weighted(table);
    return {
      project,
      channel: r.weighted(CHANNELS),
      userId: `u${i.toString(36).padStart(6, '0')}`,
      name: `住户${i}`,
      room: `${1 + r.int(project.buildings)}-${1 + r.int(4)}-${1 + r.int(30)}0${1 + r.int(4)}`,
    };
  });
}

const beijingDay = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
const later = (d: Date, minutes: number) => new Date(d.getTime() + minutes * MINUTE);

interface Chunk {
  tickets: TicketRow[];
  deadlines: DeadlineRow[];
  events: TicketEvent[];
}

/** The tickets in filing order (ids 1…n), their deadlines and timelines in chunks; the incidents at the end. */
async function generate(people: Resident[], n: number, emit: (c: Chunk) => Promise<void>): Promise<Incident[]> {
  const r = random(7);
  const calendar = buildCalendar(loadCalendarConfig('config/calendar.json'));
  const start = NOW.getTime() - SPAN_DAYS * DAY;
  const daySeq = new Map<string, number>();
  const incidents: Incident[] = [];
  /** The open incident of a project, building and problem, while its last report is less than 3 days old. */
  const openIncident = new Map<string, { incident: Incident; last: number; residents: Set<string> }>();
  let chunk: Chunk = { tickets: [], deadlines: [], events: [] };
  for (let i = 0; i < n; i++) {
    const id = i + 1;
    // Most residents file now and then; a few file often (and so come back on the same problem).
    const who = people[r.next() < 0.85 ? r.int(people.length) : Math.floor(people.length * r.next() ** 2)]!;
    const createdAt = new Date(start + ((i + r.next()) / n) * SPAN_DAYS * DAY);
    const age = (NOW.getTime() - createdAt.getTime()) / DAY;
    const p = r.weighted(PROBLEMS);
    const emergency = p.emergency;
    const cancelled = r.next() < 0.03;
    // Acted on: nearly all but the newest; done: most of those older than a few days.
    const acted = !cancelled && r.next() < (age < 1 ? 0.5 : 0.97);
    const done = acted && r.next() < (age < 3 ? 0.3 : age < 30 ? 0.8 : 0.96);
    const actedAt = acted ? later(createdAt, emergency ? 5 + r.int(40) : 10 + r.int(r.next() < 0.8 ? 110 : 900)) : null;
    const doneAt = done
      ? later(actedAt!, emergency ? 60 + r.int(1500) : 120 + r.int(r.next() < 0.85 ? 7000 : 20000))
      : null;
    const rating = doneAt && r.next() < 0.6 ? r.weighted(RATINGS) : null;
    const reopened = rating === 'unsatisfied' && r.next() < 0.4;
    const status = cancelled
      ? 'cancelled'
      : reopened
        ? 'open'
        : done
          ? r.next() < 0.6
            ? 'closed'
            : 'resolved'
          : acted
            ? 'assigned'
            : 'open';
    const day = beijingDay(createdAt);
    const seq = (daySeq.get(who.project.code + day) ?? 0) + 1;
    daySeq.set(who.project.code + day, seq);
    const level = r.weighted(LEVELS);
    let incidentId: number | null = null;
    if (p.shared && !cancelled && r.next() < 0.3) {
      const key = `${who.project.code}/${who.room.split('-')[0]}/${p.summary}`;
      let open = openIncident.get(key);
      if (!open || createdAt.getTime() - open.last > 3 * DAY) {
        const incident: Incident = {
          id: incidents.length + 1,
          projectCode: who.project.code,
          category: p.category,
          trade: p.trade,
          title: p.summary,
          status: 'open',
          level: 'general',
          residents: 0,
          resolution: null,
          createdAt,
          updatedAt: createdAt,
          resolvedAt: null,
        };
        incidents.push(incident);
        openIncident.set(key, (open = { incident, last: 0, residents: new Set() }));
      }
      open.last = createdAt.getTime();
      open.residents.add(`${who.channel}:${who.userId}`);
      const inc = open.incident;
      inc.residents = open.residents.size;
      inc.level = inc.residents >= 10 ? 'major' : inc.residents >= 3 ? 'hot' : 'general';
      inc.updatedAt = createdAt;
      if (doneAt) Object.assign(inc, { status: 'resolved', resolvedAt: doneAt });
      incidentId = inc.id;
    }
    const responseDueAt = later(createdAt, emergency ? 30 : 120);
    chunk.tickets.push({
      id,
      no: `${who.project.prefix}-${day}-${String(seq).padStart(4, '0')}`,
      projectCode: who.project.code,
      channel: who.channel,
      userId: who.userId,
      residentName: who.name,
      room: who.room,
      building: who.room.split('-')[0]!,
      phone: null,
      content: p.summary,
      summary: p.summary,
      kind: p.kind,
      category: p.category,
      trade: p.trade,
      urgency: emergency ? 'emergency' : 'normal',
      level: reopened && level === 'general' ? 'important' : level,
      confidence: 0.8,
      status,
      receiver: 'kf01',
      images: [],
      location: null,
      causeAnalysis: null,
      correctiveAction: null,
      handlingOpinion: null,
      leaderInstruction: null,
      rulePack: 'residential',
      department: 'maintenance',
      handler: acted ? r.pick(HANDLERS) : r.next() < 0.5 ? null : r.pick(HANDLERS),
      incidentId,
      faultTerms: null,
      commonArea: p.shared,
      rating,
      completedAt: reopened ? null : doneAt,
      responseDueAt,
      createdAt,
      updatedAt: doneAt ?? actedAt ?? createdAt,
      anonymisedAt: null,
    } as TicketRow);
    const deadline = (kind: string, dueAt: Date, metAt: Date | null): DeadlineRow => ({
      id: 0,
      ticketId: id,
      kind,
      label: kind,
      dueAt,
      warnAt: null,
      nextCheckAt: metAt || cancelled ? null : dueAt,
      stage: metAt ? 'met' : cancelled ? 'cancelled' : dueAt < NOW ? 'missed' : 'pending',
      escalationStep: 0,
      urgent: emergency,
      notify: ['handler'],
      upgradeTo: null,
      metAt,
      createdAt,
      scanFailures: 0,
      scanError: null,
    });
    const problemKind = p.kind === 'repair' || p.kind === 'complaint';
    chunk.deadlines.push(deadline('response', responseDueAt, actedAt));
    if (emergency) chunk.deadlines.push(deadline('lead_report', later(createdAt, 240), actedAt));
    if (problemKind) {
      const resolutionDue = emergency ? later(createdAt, 1440) : calendar.addWorkdays(createdAt, 5);
      chunk.deadlines.push(deadline('resolution', resolutionDue, doneAt));
      if (level === 'general' || level === 'important')
        chunk.deadlines.push(deadline('upgrade_hot', later(createdAt, 10080), doneAt));
      chunk.deadlines.push(deadline('upgrade_major', later(createdAt, 43200), doneAt));
    }
    if (doneAt)
      chunk.deadlines.push(deadline('callback', later(doneAt, 3 * 1440), rating ? later(doneAt, 1440) : null));
    const event = (type: TicketEvent['type'], at: Date, actor = 'system') =>
      chunk.events.push({ ticketId: id, at, type, actor, data: null });
    event('created', createdAt, `${who.channel}:${who.userId}`);
    event('graded', createdAt, 'rules');
    event('routed', createdAt, 'rules');
    event('notified', createdAt);
    if (actedAt) event('accepted', actedAt, 'wecom:wx01');
    if (doneAt) event('completed', doneAt, 'wecom:wx01');
    if (rating) event('rated', later(doneAt!, 1440), `${who.channel}:${who.userId}`);
    if (reopened) event('reopened', later(doneAt!, 1440), `${who.channel}:${who.userId}`);
    if (cancelled) event('cancelled', later(createdAt, 5), `${who.channel}:${who.userId}`);
    if (chunk.tickets.length === 10_000 || i === n - 1) {
      await emit(chunk);
      chunk = { tickets: [], deadlines: [], events: [] };
    }
  }
  return incidents;
}

// ---------------------------------------------------------------------------------------------- databases

interface SeedState {
  version: number;
  tickets: number;
}

const keyFile = join(settings.dir, 'pii-keys.json');
const stateFile = (name: DbName) => join(settings.dir, `${name}-seed.json`);
const sqlitePath = join(settings.dir, 'kf-bench-kpi.sqlite');

function keyring(): FieldCipher {
  mkdirSync(settings.dir, { recursive: true });
  if (existsSync(keyFile)) {
    const { keys, indexKey } = JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: string; indexKey: string };
    return new FieldCipher(parseKeyring(keys, indexKey));
  }
  const ring = newKeyring('bench');
  writeFileSync(keyFile, JSON.stringify(formatKeyring(ring)), { mode: 0o600 });
  return new FieldCipher(ring);
}

async function mariadbAdmin(sql: string): Promise<void> {
  const conn = await mysql.createConnection(`${settings.mariadb}/`);
  await conn.query(sql).finally(() => conn.end());
}

function config(name: DbName): DatabaseConfig {
  return name === 'sqlite'
    ? { type: 'sqlite', path: sqlitePath }
    : { type: 'mariadb', url: `${settings.mariadb}/${DATABASE}` };
}

async function emptyDatabase(name: DbName): Promise<void> {
  if (name === 'sqlite') for (const f of ['', '-wal', '-shm']) rmSync(sqlitePath + f, { force: true });
  else {
    await mariadbAdmin(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await mariadbAdmin(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
}

/** The database, reused when it holds this script's data, else seeded afresh. */
async function prepare(name: DbName, cipher: FieldCipher, people: Resident[]): Promise<DataSource> {
  const want: SeedState = { version: SEED_VERSION, tickets: settings.tickets };
  const kept = existsSync(stateFile(name)) ? (JSON.parse(readFileSync(stateFile(name), 'utf8')) as SeedState) : null;
  if (!settings.reseed && kept && JSON.stringify(kept) === JSON.stringify(want)) {
    if (name === 'mariadb') await mariadbAdmin(`CREATE DATABASE IF NOT EXISTS \`${DATABASE}\``);
    // openDatabase runs the migrations: a kept database gets indexes added since it was seeded.
    const ds = await openDatabase(config(name), cipher);
    const [{ n }] = (await ds.query('SELECT COUNT(*) AS n FROM ticket')) as [{ n: number | string }];
    if (Number(n) === settings.tickets) {
      console.log(`${name}：沿用已写入的 ${settings.tickets.toLocaleString('zh-CN')} 张工单（--reseed 重新写入）`);
      return ds;
    }
    await ds.destroy();
  }
  rmSync(stateFile(name), { force: true });
  await emptyDatabase(name);
  const ds = await openDatabase(config(name), cipher);
  const t0 = performance.now();
  await seed(ds, name, people);
  console.log(`${name}：写入 ${settings.tickets.toLocaleString('zh-CN')} 张工单用时 ${secs(performance.now() - t0)}`);
  writeFileSync(stateFile(name), JSON.stringify(want));
  return ds;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(0)} 秒`;

/** Multi-row INSERTs with the tables' secondary indexes dropped, then built again (faster than row by row). */
async function seed(ds: DataSource, name: DbName, people: Resident[]): Promise<void> {
  const runner = ds.createQueryRunner();
  const tables = ['ticket', 'ticket_deadline', 'ticket_event', 'incident'];
  const indexes = await Promise.all(tables.map(async (t) => (await runner.getTable(t))!.indices.map((x) => x.clone())));
  for (const [i, t] of tables.entries()) for (const index of indexes[i]!) await runner.dropIndex(t, index);
  // SQLite: at most 32,766 bound values a statement; MariaDB: 16 MB a packet.
  const rowsPerStatement = name === 'sqlite' ? 500 : 2000;
  const insert = async <T extends ObjectLiteral>(entity: EntitySchema<T>, rows: T[]) => {
    const codec = rowCodec(ds.manager, entity);
    for (let i = 0; i < rows.length; i += rowsPerStatement)
      for (const [sql, params] of codec.insertMany(rows.slice(i, i + rowsPerStatement)))
        await runner.query(sql, params);
  };
  let written = 0;
  const t0 = performance.now();
  const incidents = await generate(people, settings.tickets, async (c) => {
    await runner.startTransaction();
    await insert(TicketEntity, c.tickets);
    await insert(DeadlineEntity, c.deadlines);
    await insert(TicketEventEntity, c.events);
    await runner.commitTransaction();
    written += c.tickets.length;
    if (written % 100_000 === 0)
      console.log(`  ${name}：${written.toLocaleString('zh-CN')} 张（${secs(performance.now() - t0)}）`);
  });
  await runner.startTransaction();
  await insert(IncidentEntity, incidents);
  await runner.commitTransaction();
  // The deadlines, events and tickets point at ids 1…n: the tables were empty and the rows go in in order.
  for (const [table, n] of [
    ['ticket', settings.tickets],
    ['incident', incidents.length],
  ] as const) {
    const [{ first, last }] = (await runner.query(`SELECT MIN(id) AS first, MAX(id) AS last FROM ${table}`)) as [
      { first: number; last: number },
    ];
    if (Number(first) !== 1 || Number(last) !== n) throw new Error(`${table} ids ${first}…${last}, expected 1…${n}`);
  }
  const t1 = performance.now();
  for (const [i, t] of tables.entries()) for (const index of indexes[i]!) await runner.createIndex(t, index);
  if (name === 'mariadb') await runner.query(`ANALYZE TABLE ${tables.join(', ')}`);
  else await runner.query('ANALYZE');
  console.log(
    `  ${name}：${incidents.length.toLocaleString('zh-CN')} 个事件；重建索引用时 ${secs(performance.now() - t1)}`,
  );
  await runner.release();
}

async function size(ds: DataSource, name: DbName): Promise<string> {
  if (name === 'sqlite') return `${(statSync(sqlitePath).size / 2 ** 20).toFixed(0)} MB`;
  const [{ bytes }] = (await ds.query(
    'SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()',
  )) as [{ bytes: number | string }];
  return `${(Number(bytes) / 2 ** 20).toFixed(0)} MB`;
}

// ---------------------------------------------------------------------------------------------- measuring

const calendars = new Map(
  PROJECTS.map((p) => [p.code as string, buildCalendar(loadCalendarConfig('config/calendar.json'))]),
);
const households = new Map(PROJECTS.map((p) => [p.code as string, p.households as number]));

/** Every statement one load sends, with its time: ds.query wrapped for the length of one call. */
async function traced(
  ds: DataSource,
  run: () => Promise<unknown>,
): Promise<{ sql: string; params: unknown[]; ms: number; rows: number }[]> {
  const seen: { sql: string; params: unknown[]; ms: number; rows: number }[] = [];
  const query = ds.query.bind(ds);
  ds.query = (async (sql: string, params?: unknown[]) => {
    const t0 = performance.now();
    const out = await query(sql, params);
    seen.push({ sql, params: params ?? [], ms: performance.now() - t0, rows: Array.isArray(out) ? out.length : 0 });
    return out;
  }) as DataSource['query'];
  try {
    await run();
  } finally {
    ds.query = query;
  }
  return seen;
}

async function explain(ds: DataSource, name: DbName, sql: string, params: unknown[]): Promise<string> {
  if (name === 'sqlite') {
    const plan = (await ds.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[];
    return plan.map((p) => `    ${p.detail}`).join('\n');
  }
  const plan = (await ds.query(`EXPLAIN ${sql}`, params)) as Record<string, unknown>[];
  return plan
    .map((p) => `    ${p['table']}: type=${p['type']} key=${p['key']} rows=${p['rows']} ${p['Extra'] ?? ''}`)
    .join('\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function measure(ds: DataSource, name: DbName): Promise<boolean> {
  const queries = createKpiQueries(ds);
  const compute = (facts: Awaited<ReturnType<typeof queries.monthFacts>>) =>
    computeMonthKpis(facts, {
      calendarOf: (p) => calendars.get(p)!,
      households: (p) => households.get(p),
      projects: PROJECTS.map((p) => p.code),
      asOf: NOW,
    });
  // Warm-up, with the statements traced, then each explained and timed on its own (the load runs them side by side).
  const statements = await traced(ds, () => queries.monthFacts(settings.month, NOW));
  console.log(`\n${name}：${settings.month} 的语句（单独执行 3 次的中位数）与执行计划`);
  for (const s of statements) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await ds.query(s.sql, s.params);
      times.push(performance.now() - t0);
    }
    console.log(`  ${median(times).toFixed(0)} ms, ${s.rows} 行：${s.sql.slice(0, 110)}…`);
    console.log(await explain(ds, name, s.sql, s.params));
  }
  const load: number[] = [];
  const calc: number[] = [];
  let kpis: MonthKpis | undefined;
  for (let i = 0; i < settings.runs; i++) {
    const t0 = performance.now();
    const facts = await queries.monthFacts(settings.month, NOW);
    const t1 = performance.now();
    kpis = compute(facts);
    const t2 = performance.now();
    load.push(t1 - t0);
    calc.push(t2 - t1);
  }
  const total = load.map((l, i) => l + calc[i]!);
  const a = kpis!.all;
  console.log(
    `${name}：${settings.month} 共 ${a.filed.count.toLocaleString('zh-CN')} 张；` +
      `按时响应 ${formatPercent(a.responseOnTime.rate)}，按时解决 ${formatPercent(a.resolutionOnTime.rate)}，` +
      `一次解决 ${formatPercent(a.firstTimeFix.rate)}，` +
      `回访 ${formatPercent(a.callback.rate)}，满意 ${formatPercent(a.satisfaction.rate.rate)}，` +
      `重复投诉 ${a.repeatComplaints.count}，集体投诉 ${a.collective.count}（${a.collective.residents} 户），` +
      `平均响应 ${formatHours(a.responseHours.meanHours)}，平均解决 ${formatHours(a.resolutionHours.meanHours)}`,
  );
  const ms = (xs: number[]) => `p50 ${median(xs).toFixed(0)} ms（${xs.map((x) => x.toFixed(0)).join(' / ')}）`;
  console.log(`  读取 ${ms(load)}\n  计算 ${ms(calc)}\n  合计 ${ms(total)}`);
  const met = median(total) < TARGET_MS;
  console.log(`target p50 < ${TARGET_MS} ms on ${name}: ${met ? 'MET' : 'MISSED'}`);
  return met;
}

// ---------------------------------------------------------------------------------------------- main

console.log(
  `月度 KPI 压测：${settings.tickets.toLocaleString('zh-CN')} 张工单，月份 ${settings.month}；` +
    `${cpus().length} 核 ${cpus()[0]?.model ?? ''}；Node ${process.version}`,
);
const cipher = keyring();
const people = residents(settings.tickets);
let allMet = true;
for (const name of settings.databases) {
  const ds = await prepare(name, cipher, people);
  try {
    console.log(`${name}：库大小 ${await size(ds, name)}`);
    allMet = (await measure(ds, name)) && allMet;
  } finally {
    await ds.destroy();
  }
  if (settings.drop) {
    if (name === 'mariadb') await mariadbAdmin(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    else for (const f of ['', '-wal', '-shm']) rmSync(sqlitePath + f, { force: true });
    rmSync(stateFile(name), { force: true });
  }
}
if (settings.drop) rmSync(settings.dir, { recursive: true, force: true });
process.exitCode = allMet ? 0 : 1;
