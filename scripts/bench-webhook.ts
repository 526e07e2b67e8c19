// npm run bench:webhook — sustained load on POST /mp/callback (Official Account, safe mode), on SQLite (the embedded
// default, in a temporary file) and on MariaDB (a fresh kf_bench database), in the same run. Targets: p99 < 100 ms
// at 200 messages/s on the ticket-heavy mix on both databases, and CPU per message kept (it is what a shared machine
// measures best). The throughput target against the `wechat` npm package is retired.
//
// For each database a fresh service runs, in this order:
//   1. max load, whole conversations (each resident sends the problem, the name, the room — which files the
//      ticket — and a phone number or 跳过: four messages per ticket, as reports usually go);
//   2. max load, the ticket-heavy mix (half the first messages complete a report at once and create a ticket, most of
//      which join a collective incident: 24 problems over 30 buildings);
//   3. max load, dialogue turns only (first messages that only describe a problem);
//   4. the ticket-heavy mix at BENCH_RATE msg/s with autocannon's overallRate (each connection's quota is released
//      at the top of every second: a burst test);
//   5. the ticket-heavy mix at BENCH_RATE msg/s paced, open loop (one message every 1000/rate ms whatever the server
//      does, latency measured from each message's due time: the even arrival the platform produces).
// CPU per message comes from the max runs: this process's CPU (the service; on SQLite the database engine runs in
// it too) and mariadbd's (from /proc) per message the intake took, warm-up included. On a shared virtual machine it
// varies less from run to run than req/s does; the second database's runs find the JIT already warm (compare like
// with like, or swap the order with BENCH_DATABASES). Every reply is checked cheaply, one in BENCH_SAMPLE_EVERY
// decrypted and checked in full; the run fails on any bad reply, non-2xx or error.
//
// A short reference comes first: the `wechat` package (node-webot: verify + decrypt + passive text reply only) and a
// bare Koa route at max load, BENCH_REFERENCE_SECONDS each (0 leaves them out).
//
// The servers run in this process; the load comes from a forked process (scripts/bench-webhook-load.ts) so the
// load generator does not share an event loop with the code under test. Everything stays on 127.0.0.1.
//
// Knobs (env): BENCH_SECONDS (12), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50), BENCH_RATE (200),
// BENCH_RATE_SECONDS (20), BENCH_MESSAGES (90000 pre-generated per max run), BENCH_DATABASES (sqlite,mariadb: which
// databases, in that order), BENCH_REFERENCE_SECONDS (5; 0 = no wechat / bare Koa rows), BENCH_SAMPLE_EVERY (25),
// BENCH_MARIADB (mysql://root@127.0.0.1:3306), BENCH_KEEP_DB=1 keeps kf_bench and the SQLite file (its path is
// printed). INTAKE_BATCH_MAX and INTAKE_TRANSACTIONS are passed through to the service when set.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import Router from '@koa/router';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config.js';
import { formatKeyring, newKeyring } from '../src/lib/field-cipher.js';
import { startService, type Service } from '../src/service.js';
import type { Credentials, LoadJob, LoadMode, LoadReport, MessageKind } from './bench-webhook-load.js';

const DATABASE = 'kf_bench';
const HOST = '127.0.0.1';
const MP: Credentials = {
  token: 'benchToken2026',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
};
const FIXED_TEXT_REPLY = '收到，您反映的问题已记录，工作人员会尽快与您联系。请问您怎么称呼？';
const TARGET_P99_MS = 100;
const BENCH_KEYS = formatKeyring(newKeyring('bench'));

type DbName = 'sqlite' | 'mariadb';

const settings = {
  seconds: envNumber('BENCH_SECONDS', 12),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3, true),
  connections: envNumber('BENCH_CONNECTIONS', 50),
  rate: envNumber('BENCH_RATE', 200),
  rateSeconds: envNumber('BENCH_RATE_SECONDS', 20),
  // Enough distinct messages for ~6,000 req/s over warm-up + run; beyond that fresh ones are made on the fly.
  messages: envNumber('BENCH_MESSAGES', 90_000),
  databases: envDatabases(),
  referenceSeconds: envNumber('BENCH_REFERENCE_SECONDS', 5, true),
  mariadb: process.env.BENCH_MARIADB || 'mysql://root@127.0.0.1:3306',
  keepDb: process.env.BENCH_KEEP_DB === '1',
  rateConnections: 10,
  sampleEvery: envNumber('BENCH_SAMPLE_EVERY', 25),
};

function envNumber(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  const v = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(v) && (v > 0 || (zeroAllowed && v === 0)) ? v : fallback;
}

function envDatabases(): DbName[] {
  const names = (process.env.BENCH_DATABASES || 'sqlite,mariadb').split(',').map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => n !== 'sqlite' && n !== 'mariadb');
  if (bad.length) throw new Error(`BENCH_DATABASES: unknown ${bad.join(', ')} (sqlite, mariadb)`);
  return names as DbName[];
}

// ---------------------------------------------------------------------------------------------- databases

interface BenchDatabase {
  name: DbName;
  /** What the service gets: DATABASE_URL or SQLITE_PATH. */
  env: Record<string, string>;
  /** CPU ticks of a database server process on this machine; undefined when the engine runs in this process. */
  serverTicks(): number | undefined;
  cleanup(): Promise<void>;
}

async function mariadbQuery(sql: string): Promise<void> {
  const conn = await mysql.createConnection(`${settings.mariadb}/`);
  await conn.query(sql).finally(() => conn.end());
}

function mariadbTicks(): number | undefined {
  try {
    const pid = execFileSync('pidof', ['mariadbd']).toString().trim().split(' ')[0];
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function prepareDatabase(name: DbName): Promise<BenchDatabase> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kf-bench-'));
    const path = join(dir, 'kf-bench.sqlite');
    return {
      name,
      env: { SQLITE_PATH: path },
      serverTicks: () => undefined,
      cleanup: async () => {
        if (settings.keepDb) console.log(`SQLite database kept: ${path}`);
        else rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  await mariadbQuery(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await mariadbQuery(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    name,
    env: { DATABASE_URL: `${settings.mariadb}/${DATABASE}` },
    serverTicks: mariadbTicks,
    cleanup: async () => {
      if (!settings.keepDb) await mariadbQuery(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    },
  };
}

// ---------------------------------------------------------------------------------------------- targets

interface Target {
  name: string;
  origin: string;
  close(): Promise<void>;
}

/** Our whole service, as production runs it, minus the outbox dispatcher (it would only poll). */
async function startOurs(db: BenchDatabase): Promise<Service> {
  const passThrough = Object.fromEntries(
    ['INTAKE_BATCH_MAX', 'INTAKE_TRANSACTIONS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  const config = loadConfig({
    PORT: '0',
    HOST,
    LOG_LEVEL: 'silent',
    CONFIG_DIR: fileURLToPath(new URL('../config', import.meta.url)),
    // Residents' data sealed as in production (a fresh keyring per run unless PII_KEYS is passed through).
    PII_KEYS: BENCH_KEYS.keys,
    PII_INDEX_KEY: BENCH_KEYS.indexKey,
    ...db.env,
    ...passThrough,
    MP_TOKEN: MP.token,
    MP_AES_KEY: MP.aesKey,
    MP_APP_ID: MP.appId,
    // Messages are made seconds before each run; the production window (300 s) is plenty.
    CALLBACK_MAX_SKEW_SECONDS: '300',
    // A WeCom app is configured so each ticket also writes its staff notification to the outbox, as in production.
    // The dispatcher is not started and both API bases point at a closed loopback port: nothing leaves the machine.
    WECOM_CORP_ID: 'ww0000000000bench',
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'benchWecomSecret',
    WECOM_TOKEN: 'benchWecomToken',
    WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    WECOM_API_BASE: 'http://127.0.0.1:9',
    MP_APP_SECRET: 'benchMpSecret',
    MP_API_BASE: 'http://127.0.0.1:9',
  });
  return startService(config, { startDispatcher: false });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, HOST);
  await once(server, 'listening');
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

// The wechat package is CommonJS without type declarations: describe the part used here.
type WechatRequest = IncomingMessage & { query: Record<string, string> };
type WechatResponse = ServerResponse & { reply(content: string): void };
type WechatMiddleware = (req: WechatRequest, res: WechatResponse, next: (err?: unknown) => void) => void;
const wechat = createRequire(import.meta.url)('wechat') as (
  config: { token: string; appid: string; encodingAESKey: string },
  handle: (req: WechatRequest, res: WechatResponse) => void,
) => WechatMiddleware;

/**
 * node-webot's connect-style middleware on a plain http server. It expects `req.query` (Express/connect set it);
 * in safe mode it checks msg_signature, decrypts, parses both XML layers with xml2js and encrypts the reply.
 */
async function startWechatPackage(): Promise<Target> {
  const middleware = wechat({ token: MP.token, appid: MP.appId, encodingAESKey: MP.aesKey }, (_req, res) =>
    res.reply(FIXED_TEXT_REPLY),
  );
  const server = createServer((req, res) => {
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
    middleware(Object.assign(req, { query }), res as WechatResponse, (err) => {
      res.statusCode = err ? 400 : 404;
      res.end();
    });
  });
  return { name: 'wechat 2.1.0 (node-webot)', origin: await listen(server), close: () => closeServer(server) };
}

/** The framework's ceiling: a Koa route that answers a fixed text without reading the body. */
async function startBareKoa(): Promise<Target> {
  const app = new Koa();
  const router = new Router();
  router.post('/mp/callback', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  return { name: 'bare Koa route', origin: await listen(server), close: () => closeServer(server) };
}

// ---------------------------------------------------------------------------------------------- load

let runCounter = 0;

/** One run in a fresh load-generator process; it is killed if it overstays its duration. */
async function runLoad(
  target: Target,
  mode: LoadMode,
  stateful: boolean,
  expect: LoadJob['expect'],
  kinds?: MessageKind[],
): Promise<LoadReport> {
  const job: LoadJob = {
    ...(kinds ? { kinds } : {}),
    label: target.name,
    origin: target.origin,
    credentials: MP,
    runNo: ++runCounter,
    poolSize: mode.kind === 'max' ? settings.messages : Math.ceil(mode.rate * mode.durationSeconds * 1.1),
    reuseMessages: !stateful,
    mode,
    expect,
    sampleEvery: settings.sampleEvery,
  };
  const limitMs = (mode.durationSeconds + (mode.kind === 'max' ? mode.warmupSeconds : 0) + 60) * 1000;
  const child = fork(fileURLToPath(new URL('./bench-webhook-load.ts', import.meta.url)));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  try {
    const answer = new Promise<LoadReport>((resolve, reject) => {
      child.once('message', (m: { report?: LoadReport; error?: string }) =>
        m.report ? resolve(m.report) : reject(new Error(m.error)),
      );
      child.once('exit', (code, signal) =>
        reject(new Error(`load generator exited (${signal ?? code}) without a report`)),
      );
    });
    child.send(job);
    return await answer;
  } finally {
    clearTimeout(timer);
  }
}

const maxMode = (seconds = settings.seconds, warmupSeconds = settings.warmupSeconds): LoadMode => ({
  kind: 'max',
  durationSeconds: seconds,
  connections: settings.connections,
  warmupSeconds,
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- measuring

interface Cpu {
  /** This process's CPU per message (the service; SQLite's engine included). */
  node: number;
  /** The database server's CPU per message; undefined on SQLite. */
  db: number | undefined;
}

interface Row {
  target: string;
  load: string;
  r: LoadReport;
  cpu?: Cpu;
  /** Messages per intake transaction during the run. */
  perTx?: number;
  /** Event-loop delay during the run (ms). */
  loop?: { p99: number; max: number };
}

/**
 * What the run cost: CPU of this process and of the database server per message our intake took, the mean group
 * commit size and how late the event loop ran.
 */
function meter(service: Service | undefined, db: BenchDatabase | undefined) {
  const messages = () => service?.intakeStats().messages ?? 0;
  const batches = () => service?.intakeStats().batches ?? 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const start = { cpu: process.cpuUsage(), db: db?.serverTicks(), messages: messages(), batches: batches() };
  loop.enable();
  return {
    stop(responses: number): Pick<Row, 'cpu' | 'perTx' | 'loop'> {
      loop.disable();
      const used = process.cpuUsage(start.cpu);
      const taken = messages() - start.messages;
      const n = Math.max(1, service ? taken : responses);
      const dbNow = db?.serverTicks();
      const ticksPerMs = 100 / 1000; // USER_HZ
      return {
        cpu: {
          node: (used.user + used.system) / 1000 / n,
          db: dbNow === undefined || start.db === undefined ? undefined : (dbNow - start.db) / ticksPerMs / n,
        },
        ...(service ? { perTx: taken / Math.max(1, batches() - start.batches) } : {}),
        loop: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      };
    },
  };
}

async function measured(
  rows: Row[],
  service: Service | undefined,
  db: BenchDatabase | undefined,
  row: Omit<Row, 'r'>,
  load: () => Promise<LoadReport>,
): Promise<Row> {
  console.log(`running ${row.target}: ${row.load} …`);
  const m = meter(service, db);
  const r = await load();
  const done: Row = { ...row, r, ...m.stop(r.responsesInclWarmup) };
  rows.push(done);
  return done;
}

// ---------------------------------------------------------------------------------------------- report

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(rows: Row[]): void {
  const header = [
    'target',
    'load',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'responses',
    'non-2xx',
    'errors',
    'bad',
    'CPU ms/msg',
    'db ms/msg',
    'msg/tx',
    'loop p99/max',
  ];
  const lines = rows.map(({ target, load, r, cpu, perTx, loop }) => [
    target,
    load,
    fmt(r.reqPerSec),
    fmt(r.latencyMs.p50, r.latencyDecimals),
    fmt(r.latencyMs.p90, r.latencyDecimals),
    fmt(r.latencyMs.p99, r.latencyDecimals),
    fmt(r.latencyMs.max, r.latencyDecimals),
    fmt(r.completed),
    fmt(r.non2xx),
    fmt(r.errors),
    fmt(r.badReplies),
    cpu ? fmt(cpu.node, 3) : '',
    cpu?.db === undefined ? '' : fmt(cpu.db, 3),
    perTx === undefined ? '' : fmt(perTx, 1),
    loop ? `${fmt(loop.p99)}/${fmt(loop.max)}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${row(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(row(l));
  console.log(
    "(autocannon latencies are whole milliseconds, truncated; the paced run measures from each message's due time. " +
      'CPU ms/msg: this process (the service; on SQLite the database engine too) per message the intake took, ' +
      'warm-up included; db ms/msg: mariadbd; loop: event-loop delay in ms)',
  );
}

async function machineNotes(): Promise<string> {
  const cpu = cpus();
  const sqlite = createRequire(import.meta.url)('better-sqlite3') as new (
    path: string,
  ) => { prepare(sql: string): { pluck(): { get(): string } }; close(): void };
  const mem = new sqlite(':memory:');
  const sqliteVersion = mem.prepare('SELECT sqlite_version()').pluck().get();
  mem.close();
  let mariadb = 'not reached';
  if (settings.databases.includes('mariadb')) {
    const conn = await mysql.createConnection(`${settings.mariadb}/`);
    const [rows] = await conn.query('SELECT VERSION() AS v').finally(() => conn.end());
    mariadb = (rows as { v: string }[])[0]!.v;
  }
  return (
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
    `${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, SQLite ${sqliteVersion}, MariaDB ${mariadb}; ` +
    'servers and MariaDB share the machine with the load generator'
  );
}

async function databaseCounts(service: Service): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['inbound_message', 'dialogue_session', 'ticket', 'ticket_event', 'outbox', 'incident']) {
    const [{ n }] = (await service.ds.query(`SELECT COUNT(*) AS n FROM ${table}`)) as [{ n: string | number }];
    out[table] = Number(n);
  }
  const [{ n }] = (await service.ds.query('SELECT COUNT(*) AS n FROM ticket WHERE incident_id IS NOT NULL')) as [
    { n: string | number },
  ];
  out['tickets in an incident'] = Number(n);
  return out;
}

function problemsIn(rows: Row[]): string[] {
  const problems: string[] = [];
  for (const { target, load, r } of rows) {
    const where = `${target} / ${load}`;
    if (r.non2xx || r.errors || r.badReplies) {
      problems.push(
        `${where}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts), ${r.badReplies} bad replies; ` +
          `status codes ${JSON.stringify(r.statusCodes)}`,
      );
      for (const e of r.badExamples) problems.push(`    e.g. ${e}`);
    }
    if (r.messagesMadeDuringRun)
      problems.push(
        `${where}: note — pool ran out, ${r.messagesMadeDuringRun} messages were made during the run ` +
          '(raise BENCH_MESSAGES)',
      );
  }
  return problems;
}

const cpuText = (c: Cpu | undefined) =>
  c ? `service ${fmt(c.node, 3)} ms${c.db === undefined ? '' : ` + MariaDB ${fmt(c.db, 3)} ms`}` : 'n/a';

function sumRecords(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

// ---------------------------------------------------------------------------------------------- runs

interface DbResult {
  name: DbName;
  rows: Row[];
  verdict: string;
  summary: string[];
}

const encrypted = { kind: 'encrypted-reply' } as const;

/** The reference rows: what verifying, decrypting and answering costs without our pipeline. */
async function runReference(rows: Row[]): Promise<void> {
  const seconds = settings.referenceSeconds;
  const load = `max, ${settings.connections} conn, ${seconds} s`;
  const koa = await startBareKoa();
  const webot = await startWechatPackage();
  try {
    await measured(rows, undefined, undefined, { target: koa.name, load }, () =>
      runLoad(koa, maxMode(seconds, 1), false, { kind: 'fixed-text', text: 'success' }),
    );
    await measured(rows, undefined, undefined, { target: webot.name, load }, () =>
      runLoad(webot, maxMode(seconds, 1), false, encrypted),
    );
  } finally {
    await Promise.allSettled([koa.close(), webot.close()]);
  }
}

async function runDatabase(name: DbName): Promise<DbResult> {
  const db = await prepareDatabase(name);
  const rows: Row[] = [];
  let service: Service | undefined;
  try {
    service = await startOurs(db);
    const ours: Target = { name: `ours on ${name}`, origin: service.url, close: async () => undefined };
    const maxLoad = `max, ${settings.connections} conn, ${settings.seconds} s`;
    const run = (load: string, fn: () => Promise<LoadReport>) =>
      measured(rows, service, db, { target: ours.name, load }, fn);

    const talks = await run(`${maxLoad}, conversations`, () =>
      runLoad(ours, maxMode(), true, encrypted, ['conversation']),
    );
    const heavy = await run(`${maxLoad}, ticket-heavy`, () => runLoad(ours, maxMode(), true, encrypted));
    const turns = await run(`${maxLoad}, no ticket`, () => runLoad(ours, maxMode(), true, encrypted, ['problem-only']));
    await pause(2000); // let the database settle before the latency runs
    const bursty = await run(`${settings.rate}/s autocannon, ${settings.rateConnections} conn, ticket-heavy`, () =>
      runLoad(
        ours,
        {
          kind: 'autocannon-rate',
          durationSeconds: settings.rateSeconds,
          connections: settings.rateConnections,
          rate: settings.rate,
        },
        true,
        encrypted,
      ),
    );
    const paced = await run(`${settings.rate}/s paced, open loop, ticket-heavy`, () =>
      runLoad(ours, { kind: 'paced', durationSeconds: settings.rateSeconds, rate: settings.rate }, true, encrypted),
    );

    const sustained = Math.min(bursty.r.reqPerSec, paced.r.reqPerSec) >= settings.rate * 0.95;
    const clean = [bursty, paced].every(({ r }) => !r.non2xx && !r.errors && !r.badReplies);
    const p99 = Math.max(bursty.r.latencyMs.p99, paced.r.latencyMs.p99);
    const met = p99 < TARGET_P99_MS && sustained && clean;
    const verdict =
      `target p99 < ${TARGET_P99_MS} ms at ${settings.rate} msg/s on ${name}: ${met ? 'MET' : 'MISSED'} ` +
      `(ticket-heavy: autocannon p99 ${fmt(bursty.r.latencyMs.p99)} ms, paced p99 ` +
      `${fmt(paced.r.latencyMs.p99, 1)} ms, p50 ${fmt(paced.r.latencyMs.p50, 1)} ms` +
      `${sustained ? '' : '; rate not sustained'}${clean ? '' : '; failed or bad replies'})`;

    const kinds = sumRecords(rows.map(({ r }) => r.replyKinds));
    const sent = sumRecords(rows.map(({ r }) => r.messagesByKind));
    const summary = [
      `${name}: CPU per message at max load — conversations ${cpuText(talks.cpu)}; ticket-heavy ` +
        `${cpuText(heavy.cpu)}; dialogue turns only ${cpuText(turns.cpu)}`,
      `${name}: max req/s — conversations ${fmt(talks.r.reqPerSec)}, ticket-heavy ${fmt(heavy.r.reqPerSec)}, ` +
        `dialogue turns ${fmt(turns.r.reqPerSec)}; group commit ${JSON.stringify(service.intakeStats())}`,
      `${name}: replies decrypted and checked (1 in ${settings.sampleEvery}): ${JSON.stringify(kinds)}`,
      `${name}: messages sent by kind (incl. warm-up and in-flight at cut-off): ${JSON.stringify(sent)}`,
      `${name}: database after the runs: ${JSON.stringify(await databaseCounts(service))}`,
    ];
    const sample = rows.find(({ r }) => r.exampleReplies['ticket created'])?.r.exampleReplies['ticket created'];
    if (sample) summary.push(`${name}: a reply that created a ticket: ${sample.replaceAll('\n', ' / ')}`);
    return { name, rows, verdict, summary };
  } finally {
    await service?.close();
    await db.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const perDatabase = 3 * (settings.seconds + settings.warmupSeconds) + 2 * settings.rateSeconds + 15;
  const plannedSeconds =
    settings.databases.length * perDatabase + (settings.referenceSeconds ? 2 * (settings.referenceSeconds + 4) : 0);
  const watchdog = setTimeout(
    () => {
      console.error(`benchmark still running after ${plannedSeconds + 180} s: aborting`);
      process.exit(2);
    },
    (plannedSeconds + 180) * 1000,
  );
  watchdog.unref();

  console.log(`bench:webhook — ${await machineNotes()}`);
  console.log(
    `databases: ${settings.databases.join(', ')}; each max run: ${settings.warmupSeconds} s warm-up + ` +
      `${settings.seconds} s measured; ${settings.rate} msg/s runs ${settings.rateSeconds} s; ` +
      `about ${fmt(plannedSeconds / 60, 1)} min in all`,
  );

  const reference: Row[] = [];
  if (settings.referenceSeconds) await runReference(reference);
  const results: DbResult[] = [];
  for (const name of settings.databases) results.push(await runDatabase(name));

  const rows = [...reference, ...results.flatMap((d) => d.rows)];
  printTable(rows);
  console.log('');
  if (reference.length === 2) {
    const [bare, webot] = reference as [Row, Row];
    console.log(
      `reference: bare Koa ${fmt(bare.r.reqPerSec)} req/s; wechat package ${fmt(webot.r.reqPerSec)} req/s at ` +
        `${cpuText(webot.cpu)} per message (verify, decrypt, fixed reply: no dialogue, no database)`,
    );
  }
  for (const d of results) for (const line of d.summary) console.log(line);
  console.log('');
  for (const d of results) console.log(d.verdict);

  const problems = problemsIn(rows);
  if (problems.length) console.error(`\nPROBLEMS:\n${problems.join('\n')}`);
  return problems.some((p) => !p.includes('note —')) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
