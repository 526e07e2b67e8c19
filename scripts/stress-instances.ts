// npm run stress:instances — two instances of the service on one MariaDB database, each under full load from its own
// load generator (whole conversations by default), then the invariants that must hold when several instances
// behave as one: every reply valid, every message recorded once, one ticket per finished conversation, ticket
// numbers unique, every incident's head count equal to the distinct residents of its tickets. Exits 1 on a violation.
//
// Knobs (env): STRESS_SECONDS (10), STRESS_CONNECTIONS (25 per instance), STRESS_KINDS (conversation; or e.g.
// name-room-problem for reports that file a ticket in one message), STRESS_KEEP_DB=1 keeps kf_stress.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config.js';
import { startService, type Service } from '../src/service.js';
import type { Credentials, LoadJob, LoadReport, MessageKind } from './bench-webhook-load.js';

const SERVER = 'mysql://root@127.0.0.1:3306';
const DATABASE = 'kf_stress';
const MP: Credentials = {
  token: 'stressToken2026',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
};
const seconds = Number(process.env.STRESS_SECONDS ?? 10);
const connections = Number(process.env.STRESS_CONNECTIONS ?? 25);
const kinds = (process.env.STRESS_KINDS ?? 'conversation').split(',') as MessageKind[];

async function startInstance(): Promise<Service> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    CONFIG_DIR: fileURLToPath(new URL('../config', import.meta.url)),
    DATABASE_URL: `${SERVER}/${DATABASE}`,
    MP_TOKEN: MP.token,
    MP_AES_KEY: MP.aesKey,
    MP_APP_ID: MP.appId,
    CALLBACK_MAX_SKEW_SECONDS: '300',
  });
  return startService(config, { startDispatcher: false });
}

function load(svc: Service, runNo: number): Promise<LoadReport> {
  const job: LoadJob = {
    label: `instance ${runNo}`,
    origin: svc.url,
    credentials: MP,
    runNo,
    poolSize: 20_000,
    reuseMessages: false,
    mode: { kind: 'max', durationSeconds: seconds, connections, warmupSeconds: 1 },
    expect: { kind: 'encrypted-reply' },
    kinds,
    sampleEvery: 5,
  };
  const child = fork(fileURLToPath(new URL('./bench-webhook-load.ts', import.meta.url)));
  return new Promise<LoadReport>((resolve, reject) => {
    child.once('message', (m: { report?: LoadReport; error?: string }) =>
      m.report ? resolve(m.report) : reject(new Error(m.error)),
    );
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a report`)));
    child.send(job);
  });
}

type Row = Record<string, string | number | null>;

async function invariants(db: mysql.Connection, handled: number): Promise<string[]> {
  const q = async (sql: string) => ((await db.query(sql)) as unknown as [Row[]])[0];
  const problems: string[] = [];
  const [inbound] = await q('SELECT COUNT(*) AS n, COUNT(DISTINCT channel, dedupe_key) AS d FROM inbound_message');
  if (Number(inbound!.n) !== handled)
    problems.push(`${inbound!.n} messages recorded, the instances handled ${handled}`);
  if (Number(inbound!.n) !== Number(inbound!.d)) problems.push(`a message id was recorded twice`);
  const [tickets] = await q(
    'SELECT COUNT(*) AS n, COUNT(DISTINCT no) AS d, COUNT(DISTINCT channel, user_id) AS people FROM ticket',
  );
  if (Number(tickets!.n) !== Number(tickets!.d))
    problems.push(`duplicate ticket numbers: ${tickets!.n} tickets, ${tickets!.d} numbers`);
  if (kinds.includes('conversation') && Number(tickets!.n) !== Number(tickets!.people))
    problems.push(`a conversation filed more than one ticket`);
  const counts = await q(
    'SELECT i.id, i.residents, COUNT(DISTINCT t.channel, t.user_id) AS actual ' +
      'FROM incident i LEFT JOIN ticket t ON t.incident_id = i.id GROUP BY i.id, i.residents',
  );
  const off = counts.filter((r) => Number(r['residents']) !== Number(r['actual']));
  if (off.length)
    problems.push(
      `head counts off in ${off.length} of ${counts.length} incidents, e.g. ${JSON.stringify(off.slice(0, 3))}`,
    );
  console.log(`database: ${inbound!.n} messages, ${tickets!.n} tickets, ${counts.length} incidents`);
  return problems;
}

async function main(): Promise<number> {
  const admin = await mysql.createConnection(`${SERVER}/`);
  await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await admin.query(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const instances = [await startInstance(), await startInstance()];
  try {
    console.log(
      `stress:instances — 2 instances on ${DATABASE}, ${connections} connections each, ${seconds} s, ` +
        `messages: ${kinds.join(', ')}`,
    );
    const reports = await Promise.all(instances.map((svc, i) => load(svc, i + 1)));
    const problems: string[] = [];
    for (const [i, r] of reports.entries()) {
      console.log(
        `instance ${i + 1}: ${r.reqPerSec.toFixed(0)} req/s, p99 ${r.latencyMs.p99} ms, ` +
          `replies checked ${r.fullyChecked}: ${JSON.stringify(r.replyKinds)}; ` +
          `group commit ${JSON.stringify(instances[i]!.intakeStats())}`,
      );
      if (r.non2xx || r.errors || r.badReplies)
        problems.push(
          `instance ${i + 1}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.badReplies} bad replies ` +
            `${JSON.stringify(r.badExamples)}`,
        );
    }
    // Messages cut off mid-flight by the load generator's end are still being written: let them land first.
    for (let i = 0; i < 100 && instances.some((svc) => svc.intakeStats().waiting > 0); i++)
      await new Promise((r) => setTimeout(r, 50));
    await admin.query(`USE \`${DATABASE}\``);
    problems.push(
      ...(await invariants(
        admin,
        instances.reduce((n, svc) => n + svc.intakeStats().messages, 0),
      )),
    );
    if (problems.length) console.error(`\nVIOLATED:\n${problems.join('\n')}`);
    else console.log('all invariants hold');
    return problems.length ? 1 : 0;
  } finally {
    await Promise.allSettled(instances.map((svc) => svc.close()));
    if (process.env.STRESS_KEEP_DB !== '1') await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await admin.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
