// npm run bench:webhook — sustained load on POST /mp/callback (Official Account, safe mode) with MariaDB behind,
// compared in the same run with the `wechat` npm package (node-webot: verify + decrypt + passive text reply only)
// and with a bare Koa route. Targets (issue 2, item 13): our full pipeline at ≥ 50 % of the wechat package's
// throughput, and p99 < 100 ms at 200 messages/s.
//
// Our service runs three times at full load: whole conversations (each resident sends the problem, the name, the
// room — which files the ticket — and a phone number or 跳过: four messages per ticket, as reports usually go), the
// ticket-heavy mix (half the first messages complete a report at once and create a ticket, most of which join a
// collective incident: 24 problems over 30 buildings) and dialogue turns only (first messages that only describe a
// problem). CPU per message is printed too: on a shared virtual machine it varies less from run to run than req/s.
// Last comes the CPU budget at half of wechat's rate: what the cores leave per message for our service once MariaDB
// and the load generator (each measured in the same run) have taken theirs, against what the service used.
//
// The servers run in this process; the load comes from a forked process (scripts/bench-webhook-load.ts) so the
// load generator does not share an event loop with the code under test. Everything stays on 127.0.0.1.
//
// Knobs (env): BENCH_SECONDS (12), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50), BENCH_RATE (200),
// BENCH_RATE_SECONDS (15), BENCH_MESSAGES (90000 pre-generated per run), BENCH_KEEP_DB=1 keeps kf_bench.
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import Router from '@koa/router';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config.js';
import { startService, type Service } from '../src/service.js';
import type { Credentials, LoadJob, LoadMode, LoadReport, MessageKind } from './bench-webhook-load.js';

const MARIADB = 'mysql://root@127.0.0.1:3306';
const DATABASE = 'kf_bench';
const HOST = '127.0.0.1';
const MP: Credentials = {
  token: 'benchToken2026',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
};
const FIXED_TEXT_REPLY = '收到，您反映的问题已记录，工作人员会尽快与您联系。请问您怎么称呼？';

const settings = {
  seconds: envNumber('BENCH_SECONDS', 12),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
  connections: envNumber('BENCH_CONNECTIONS', 50),
  rate: envNumber('BENCH_RATE', 200),
  rateSeconds: envNumber('BENCH_RATE_SECONDS', 15),
  // Enough distinct messages for ~6,000 req/s over warm-up + run; beyond that fresh ones are made on the fly.
  messages: envNumber('BENCH_MESSAGES', 90_000),
  rateConnections: 10,
  sampleEvery: 25,
};

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

// ---------------------------------------------------------------------------------------------- targets

interface Target {
  name: string;
  origin: string;
  close(): Promise<void>;
}

async function recreateDatabase(): Promise<void> {
  const conn = await mysql.createConnection(`${MARIADB}/`);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await conn.query(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection(`${MARIADB}/`);
  await conn.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``).finally(() => conn.end());
}

/** Our whole service, as production runs it, minus the outbox dispatcher (it would only poll). */
async function startOurs(): Promise<Service> {
  const config = loadConfig({
    PORT: '0',
    HOST,
    LOG_LEVEL: 'silent',
    CONFIG_DIR: fileURLToPath(new URL('../config', import.meta.url)),
    DATABASE_URL: `${MARIADB}/${DATABASE}`,
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

const maxMode = (): LoadMode => ({
  kind: 'max',
  durationSeconds: settings.seconds,
  connections: settings.connections,
  warmupSeconds: settings.warmupSeconds,
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- report

interface Row {
  target: string;
  load: string;
  r: LoadReport;
}

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
    'bad replies',
  ];
  const lines = rows.map(({ target, load, r }) => [
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
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${row(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(row(l));
  console.log(
    "(autocannon latencies are whole milliseconds, truncated; the paced run measures from each message's due time)",
  );
}

async function machineNotes(service: Service): Promise<string> {
  const [{ version }] = (await service.ds.query('SELECT VERSION() AS version')) as [{ version: string }];
  const cpu = cpus();
  return (
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
    `${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, MariaDB ${version}; ` +
    'servers and MariaDB share the machine with the load generator'
  );
}

/**
 * CPU spent by this process (our service; the other targets are idle meanwhile) and by mariadbd (from /proc, when
 * it runs on this machine) per message our intake took.
 */
function cpuMeter(service: Service) {
  const dbTicks = (): number | undefined => {
    try {
      const pid = execFileSync('pidof', ['mariadbd']).toString().trim().split(' ')[0];
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  };
  const start = { cpu: process.cpuUsage(), db: dbTicks(), messages: service.intakeStats().messages };
  return {
    perMessage() {
      const used = process.cpuUsage(start.cpu);
      const n = Math.max(1, service.intakeStats().messages - start.messages);
      const db = dbTicks();
      const ticksPerMs = 100 / 1000; // USER_HZ
      return {
        node: (used.user + used.system) / 1000 / n,
        db: db === undefined || start.db === undefined ? undefined : (db - start.db) / ticksPerMs / n,
      };
    },
  };
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

const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/**
 * The arithmetic behind the throughput target on this machine: at half of wechat's rate, how much CPU per message the
 * cores leave for our service once MariaDB and the load generator have taken theirs (both measured in our runs).
 */
function budgetText(
  pkg: LoadReport,
  webotMs: number,
  runs: [string, LoadReport, { node: number; db: number | undefined }][],
): string {
  const rate = pkg.reqPerSec / 2;
  const perMessage = (cpus().length * 1000) / rate;
  const lines = runs.map(([name, r, c]) => {
    const left = perMessage - r.loadCpuMsPerResponse - (c.db ?? 0);
    return (
      `  ${name}: load generator ${fmt(r.loadCpuMsPerResponse, 2)} + ` +
      `MariaDB ${c.db === undefined ? 'n/a' : fmt(c.db, 2)} → ` +
      `${fmt(left, 2)} ms left for the service, which used ${fmt(c.node, 2)} ms`
    );
  });
  return (
    `\nCPU budget at 50 % of wechat (${fmt(rate)} msg/s on ${cpus().length} cores = ` +
    `${fmt(perMessage, 2)} ms of CPU per message; wechat itself used ${fmt(webotMs, 2)} ms per message, ` +
    `its load generator ${fmt(pkg.loadCpuMsPerResponse, 2)} ms):\n` +
    lines.join('\n')
  );
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const plannedSeconds = 5 * (settings.seconds + settings.warmupSeconds) + 2 * settings.rateSeconds;
  const watchdog = setTimeout(
    () => {
      console.error(`benchmark still running after ${plannedSeconds + 180} s: aborting`);
      process.exit(2);
    },
    (plannedSeconds + 180) * 1000,
  );
  watchdog.unref();

  await recreateDatabase();
  const ours = await startOurs();
  const oursTarget: Target = { name: 'ours: POST /mp/callback', origin: ours.url, close: () => ours.close() };
  const webot = await startWechatPackage();
  const koa = await startBareKoa();
  const encrypted = { kind: 'encrypted-reply' } as const;
  const rows: Row[] = [];
  const maxLoad = `max, ${settings.connections} conn, ${settings.seconds} s`;

  try {
    console.log(`bench:webhook — ${await machineNotes(ours)}`);
    console.log(
      `each max run: ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured; ` +
        `fixed-rate runs ${settings.rateSeconds} s`,
    );

    console.log(`running ${koa.name} …`);
    rows.push({
      target: koa.name,
      load: maxLoad,
      r: await runLoad(koa, maxMode(), false, { kind: 'fixed-text', text: 'success' }),
    });
    console.log(`running ${webot.name} …`);
    const webotCpu = process.cpuUsage();
    rows.push({ target: webot.name, load: maxLoad, r: await runLoad(webot, maxMode(), false, encrypted) });
    const webotCpuPerMessage = cpuMsSince(webotCpu) / Math.max(1, rows.at(-1)!.r.responsesInclWarmup);
    console.log(`running ${oursTarget.name} (max, whole conversations: four messages per ticket) …`);
    const talks = cpuMeter(ours);
    rows.push({
      target: oursTarget.name,
      load: `${maxLoad}, conversations`,
      r: await runLoad(oursTarget, maxMode(), true, encrypted, ['conversation']),
    });
    const cpuPerTalk = talks.perMessage();
    console.log(`running ${oursTarget.name} (max, ticket-heavy: half the messages create a ticket) …`);
    const cpu = cpuMeter(ours);
    rows.push({
      target: oursTarget.name,
      load: `${maxLoad}, ticket-heavy`,
      r: await runLoad(oursTarget, maxMode(), true, encrypted),
    });
    const cpuPerMessage = cpu.perMessage();
    console.log(`running ${oursTarget.name} (max, dialogue turns only: first messages that create no ticket yet) …`);
    const turns = cpuMeter(ours);
    rows.push({
      target: oursTarget.name,
      load: `${maxLoad}, no ticket`,
      r: await runLoad(oursTarget, maxMode(), true, encrypted, ['problem-only']),
    });
    const cpuPerTurn = turns.perMessage();
    await pause(2000); // let MariaDB flush before the latency runs
    console.log(`running ${oursTarget.name} at ${settings.rate} msg/s (autocannon overallRate) …`);
    const rateMode: LoadMode = {
      kind: 'autocannon-rate',
      durationSeconds: settings.rateSeconds,
      connections: settings.rateConnections,
      rate: settings.rate,
    };
    const bursty = await runLoad(oursTarget, rateMode, true, encrypted);
    rows.push({
      target: oursTarget.name,
      load: `${settings.rate}/s autocannon, ${settings.rateConnections} conn`,
      r: bursty,
    });
    console.log(`running ${oursTarget.name} at ${settings.rate} msg/s (paced, open loop) …`);
    const paced = await runLoad(
      oursTarget,
      { kind: 'paced', durationSeconds: settings.rateSeconds, rate: settings.rate },
      true,
      encrypted,
    );
    rows.push({ target: oursTarget.name, load: `${settings.rate}/s paced, open loop`, r: paced });

    printTable(rows);
    const [bare, pkg, mineTalks, mine, mineTurns] = rows.map((r) => r.r) as [
      LoadReport,
      LoadReport,
      LoadReport,
      LoadReport,
      LoadReport,
    ];
    const vsWechat = mineTalks.reqPerSec / pkg.reqPerSec;
    const rateAchieved = Math.min(bursty.reqPerSec, paced.reqPerSec) >= settings.rate * 0.95;
    const p99AtRate = Math.max(bursty.latencyMs.p99, paced.latencyMs.p99);
    console.log(
      `\nratios: ours (conversations) / wechat = ${fmt(vsWechat, 2)}, ` +
        `ours / bare Koa = ${fmt(mineTalks.reqPerSec / bare.reqPerSec, 2)}, ` +
        `wechat / bare Koa = ${fmt(pkg.reqPerSec / bare.reqPerSec, 2)}`,
    );
    console.log(
      `target throughput ≥ 50 % of wechat: ${vsWechat >= 0.5 ? 'MET' : 'MISSED'} ` +
        `(${fmt(vsWechat * 100)} % on whole conversations, four messages per ticket)`,
    );
    console.log(
      '  ticket-heavy mix (half the messages create a ticket): ' +
        `${fmt((mine.reqPerSec / pkg.reqPerSec) * 100)} % of wechat`,
    );
    console.log(
      `  dialogue turns that create no ticket: ${fmt((mineTurns.reqPerSec / pkg.reqPerSec) * 100)} % of wechat`,
    );
    console.log(
      `target p99 < 100 ms at ${settings.rate} msg/s: ${p99AtRate < 100 && rateAchieved ? 'MET' : 'MISSED'} ` +
        `(autocannon ${fmt(bursty.latencyMs.p99)} ms, paced ${fmt(paced.latencyMs.p99, 1)} ms` +
        `${rateAchieved ? '' : '; rate not sustained'})`,
    );

    const cpuText = (c: { node: number; db: number | undefined }) =>
      `service ${fmt(c.node, 2)} ms + MariaDB ${c.db === undefined ? 'n/a' : `${fmt(c.db, 2)} ms`}`;
    console.log(
      'CPU per message in the max runs (steadier than req/s on a shared machine): ' +
        `conversations ${cpuText(cpuPerTalk)}; ticket-heavy ${cpuText(cpuPerMessage)}; ` +
        `dialogue turns only ${cpuText(cpuPerTurn)}; group commit ${JSON.stringify(ours.intakeStats())}`,
    );
    console.log(
      budgetText(pkg, webotCpuPerMessage, [
        ['whole conversations', mineTalks, cpuPerTalk],
        ['dialogue turns only', mineTurns, cpuPerTurn],
      ]),
    );
    const counts = await databaseCounts(ours);
    const oursRows = rows.filter((r) => r.target === oursTarget.name).map((r) => r.r);
    const kinds = sumRecords(oursRows.map((r) => r.replyKinds));
    const sent = sumRecords(oursRows.map((r) => r.messagesByKind));
    console.log(`\nour replies, decrypted and checked (1 in ${settings.sampleEvery}): ${JSON.stringify(kinds)}`);
    console.log(
      `messages handed to our service by kind (incl. warm-up and in-flight at cut-off): ${JSON.stringify(sent)}`,
    );
    console.log(`database after the runs: ${JSON.stringify(counts)}`);
    const sample = oursRows.find((r) => r.exampleReplies['ticket created'])?.exampleReplies['ticket created'];
    if (sample) console.log(`a reply that created a ticket:\n  ${sample.replaceAll('\n', '\n  ')}`);

    const problems = problemsIn(rows);
    if (problems.length) console.error(`\nPROBLEMS:\n${problems.join('\n')}`);
    return problems.some((p) => !p.includes('note —')) ? 1 : 0;
  } finally {
    await Promise.allSettled([oursTarget.close(), webot.close(), koa.close()]);
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase();
  }
}

function sumRecords(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
