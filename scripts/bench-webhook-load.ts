// Load generator for scripts/bench-webhook.ts. It runs in its own forked process so that autocannon (or the
// paced sender) does not share an event loop with the servers under test. It receives one LoadJob over IPC,
// makes the encrypted Official Account callbacks, fires them, checks the replies and sends back a LoadReport.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

// ---------------------------------------------------------------------------------------------- job / report

export interface Credentials {
  token: string;
  aesKey: string;
  appId: string;
}

export type LoadMode =
  | { kind: 'max'; durationSeconds: number; connections: number; warmupSeconds: number }
  | { kind: 'autocannon-rate'; durationSeconds: number; connections: number; rate: number }
  | { kind: 'paced'; durationSeconds: number; rate: number };

export interface LoadJob {
  label: string;
  origin: string;
  credentials: Credentials;
  /** Distinct per run, so openids and MsgIds never repeat across the runs of one benchmark. */
  runNo: number;
  poolSize: number;
  /** A stateful target (ours) must see each message once: when the pool runs out, fresh messages are made. */
  reuseMessages: boolean;
  mode: LoadMode;
  expect: { kind: 'encrypted-reply' } | { kind: 'fixed-text'; text: string };
  /** The mix of first messages (default: half of them complete a report and create a ticket). */
  kinds?: MessageKind[];
  /** Every Nth response is decrypted and checked in full; all responses get the cheap check. */
  sampleEvery: number;
}

export interface LoadReport {
  label: string;
  durationSeconds: number;
  completed: number;
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** autocannon's histogram keeps whole milliseconds (truncated); the paced sender measures fractions. */
  latencyDecimals: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  badReplies: number;
  badExamples: string[];
  fullyChecked: number;
  replyKinds: Record<string, number>;
  exampleReplies: Record<string, string>;
  messagesMadeDuringRun: number;
  messagesByKind: Record<string, number>;
  /** CPU this load generator spent per response (warm-up included), for the benchmark's CPU budget. */
  loadCpuMsPerResponse: number;
  /** Responses received, warm-up included. */
  responsesInclWarmup: number;
}

// ---------------------------------------------------------------------------------------------- messages

/**
 * What a resident's first message gives: only the problem, or the problem with name and room (→ a ticket at once).
 * `conversation`: every message is one turn of a whole report as residents usually make it — the problem, then the
 * name, then the room (→ the ticket), then a phone number or 跳过 — four messages per ticket.
 */
export type MessageKind = 'problem-only' | 'name-room-problem' | 'name-room-phone-problem' | 'conversation';
const KIND_CYCLE: MessageKind[] = ['problem-only', 'name-room-problem', 'problem-only', 'name-room-phone-problem'];

const PROBLEMS = [
  '卫生间天花板在滴水，应该是楼上漏下来的',
  '厨房水龙头关不紧，一直在漏水',
  '客厅的灯不亮了，换了灯泡也没用',
  '家里突然停电了，空气开关合不上去',
  '厨房下水道堵了，水下不去',
  '卫生间地漏返臭味，还往上冒水',
  '入户门的门锁坏了，钥匙拧不动',
  '阳台窗户关不严，下雨往里渗水',
  '暖气片一直不热，家里只有十几度',
  '楼道的声控灯坏了好几天了，晚上很黑',
  '电梯按钮没反应，一直停在一楼',
  '楼上装修噪音太大，晚上十点还在砸墙',
  '小区门口的垃圾好几天没人清理了，味道很大',
  '地下车库的道闸抬不起来，车出不去',
  '外墙瓷砖松动了，担心掉下来砸到人',
  '家里燃气有点异味，不敢开火',
  '热水器打不着火，没有热水洗澡',
  '马桶水箱一直流水，停不下来',
  '墙面发霉起皮，一大片',
  '单元门的门禁刷卡没反应',
  '空调外机漏水，滴到楼下窗台上',
  '水压很小，楼上几户都一样',
  '有人在楼道里吸烟，烟味飘进家里',
  '楼下绿化带被人堆了很多杂物',
];
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];
const GIVEN_NAMES = [
  '娜',
  '强',
  '敏',
  '静',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '桂英',
  '建华',
  '志强',
  '丽华',
  '晓东',
];

interface Message {
  path: string;
  body: string;
  openid: string;
  kind: MessageKind;
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;

/** Rooms in the formats residents use: 3栋2单元502, 3-2-502, 12号楼1803, B座1203. */
function roomText(i: number): string {
  const building = 1 + (i % 30);
  const unit = 1 + (Math.floor(i / 30) % 4);
  const flat = `${1 + (Math.floor(i / 7) % 33)}0${1 + (i % 4)}`;
  switch (Math.floor(i / 4) % 4) {
    case 0:
      return `${building}栋${unit}单元${flat}`;
    case 1:
      return `${building}-${unit}-${flat}`;
    case 2:
      return `${building}号楼${flat}`;
    default:
      return `${'ABCDEF'[i % 6]}座${flat}`;
  }
}

function residentText(kind: MessageKind, i: number): string {
  const problem = pick(PROBLEMS, i * 7);
  const surname = pick(SURNAMES, i * 3);
  const name = surname + pick(GIVEN_NAMES, i * 11);
  const room = roomText(i);
  const phone = `13${(800_000_000 + ((i * 7_919) % 199_999_999)).toString()}`;
  if (kind === 'problem-only') return pick(['你好，', '您好，', '', '物业你好，'], i) + problem;
  if (kind === 'name-room-problem') {
    return pick(
      [
        `我是${room}的${name}，${problem}`,
        `你好，我叫${name}，住${room}，${problem}`,
        `${problem}。我是${room}业主${name}`,
      ],
      i,
    );
  }
  return pick([`我是${room}的${name}，电话${phone}，${problem}`, `${problem}，${room}${surname}女士，手机${phone}`], i);
}

/**
 * A conversation's turns are CONVERSATION_STRIDE messages apart: far more than the connections in flight, so each
 * resident's next turn is sent only after the previous one was answered, as a person would.
 */
const CONVERSATION_STRIDE = 400;
const TURNS = 4;

function conversationTurn(i: number): { resident: number; turn: number } {
  const block = Math.floor(i / (CONVERSATION_STRIDE * TURNS));
  const within = i % (CONVERSATION_STRIDE * TURNS);
  return {
    resident: block * CONVERSATION_STRIDE + (within % CONVERSATION_STRIDE),
    turn: Math.floor(within / CONVERSATION_STRIDE),
  };
}

function turnText(resident: number, turn: number): string {
  const name = pick(SURNAMES, resident * 3) + pick(GIVEN_NAMES, resident * 11);
  if (turn === 0) return residentText('problem-only', resident);
  if (turn === 1) return pick([`我叫${name}`, name, `我是${name}`], resident);
  if (turn === 2) return roomText(resident);
  return resident % 3 === 0 ? '跳过' : `13${(800_000_000 + ((resident * 7_919) % 199_999_999)).toString()}`;
}

/** One Official Account callback in safe mode, exactly as the platform sends it (protocol doc §6). */
function makeMessage(c: Credentials, runNo: number, i: number, kinds: readonly MessageKind[] = KIND_CYCLE): Message {
  const kind = pick(kinds, i);
  const talk = kind === 'conversation' ? conversationTurn(i) : undefined;
  const sender = talk ? talk.resident : i;
  const openid = `oBnch${runNo.toString(36).padStart(3, '0')}_${sender.toString(36).padStart(19, '0')}`;
  const msgId = (6_000_000_000_000_000_000n + BigInt(runNo) * 1_000_000_000n + BigInt(i)).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const plain =
    `<xml><ToUserName><![CDATA[gh_3f2a9c1b7d4e]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${talk ? turnText(talk.resident, talk.turn) : residentText(kind, i)}]]></Content>` +
    `<MsgId>${msgId}</MsgId></xml>`;
  const encrypted = encrypt(c.aesKey, plain, c.appId);
  const query = new URLSearchParams({
    signature: createHash('sha1').update([c.token, timestamp, nonce].sort().join('')).digest('hex'),
    timestamp,
    nonce,
    openid,
    encrypt_type: 'aes',
    msg_signature: getSignature(c.token, timestamp, nonce, encrypted),
  });
  return {
    path: `/mp/callback?${query.toString()}`,
    body: `<xml><ToUserName><![CDATA[gh_3f2a9c1b7d4e]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
    openid,
    kind,
  };
}

/** Hands out messages: pre-generated ones first; then either cycles (stateless targets) or makes fresh ones. */
class MessageSource {
  private readonly pool: Message[];
  private next = 0;
  madeDuringRun = 0;
  readonly byKind: Record<string, number> = {};

  constructor(private readonly job: LoadJob) {
    this.pool = Array.from({ length: job.poolSize }, (_, i) => makeMessage(job.credentials, job.runNo, i, job.kinds));
  }

  take(): Message {
    const i = this.next++;
    let m: Message;
    if (i < this.pool.length) m = this.pool[i]!;
    else if (this.job.reuseMessages) m = this.pool[i % this.pool.length]!;
    else {
      this.madeDuringRun++;
      m = makeMessage(this.job.credentials, this.job.runNo, i, this.job.kinds);
    }
    this.byKind[m.kind] = (this.byKind[m.kind] ?? 0) + 1;
    return m;
  }
}

// ---------------------------------------------------------------------------------------------- reply checks

const TICKET_NO = /[A-Z]{1,6}-\d{8}-\d{4}/;

function cdataField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Verifies the reply envelope like WeChat would and returns what kind of answer the resident got. */
function checkEncryptedReply(
  c: Credentials,
  body: string,
  openid: string,
): { ok: true; kind: string; content: string } | { ok: false; why: string } {
  const enc = cdataField(body, 'Encrypt');
  const sig = cdataField(body, 'MsgSignature');
  const ts = cdataField(body, 'TimeStamp');
  const nonce = cdataField(body, 'Nonce');
  if (!enc || !sig || !ts || !nonce) return { ok: false, why: 'reply envelope incomplete' };
  if (getSignature(c.token, ts, nonce, enc) !== sig) return { ok: false, why: 'reply MsgSignature wrong' };
  const { message, id } = decrypt(c.aesKey, enc);
  if (id !== c.appId) return { ok: false, why: `reply receiveid ${JSON.stringify(id)}` };
  if (cdataField(message, 'MsgType') !== 'text') return { ok: false, why: 'reply is not a text message' };
  if (cdataField(message, 'ToUserName') !== openid) return { ok: false, why: 'reply addressed to someone else' };
  const content = cdataField(message, 'Content') ?? '';
  if (!content) return { ok: false, why: 'reply text empty' };
  const kind = /已将联系电话/.test(content)
    ? 'phone recorded'
    : /通过本对话与您联系/.test(content)
      ? 'phone skipped'
      : TICKET_NO.test(content)
        ? 'ticket created'
        : /称呼/.test(content)
          ? 'asked for name'
          : /房号/.test(content)
            ? 'asked for room'
            : 'other text';
  return { ok: true, kind, content };
}

class ReplyChecker {
  seen = 0;
  bad = 0;
  fullyChecked = 0;
  readonly badExamples: string[] = [];
  readonly kinds: Record<string, number> = {};
  readonly examples: Record<string, string> = {};

  constructor(private readonly job: LoadJob) {}

  check(status: number, body: string, openid: string): void {
    const n = this.seen++;
    const problem = this.problemWith(status, body, openid, n % this.job.sampleEvery === 0);
    if (problem === undefined) return;
    this.bad++;
    if (this.badExamples.length < 5) this.badExamples.push(`${status} ${problem}: ${body.slice(0, 160)}`);
  }

  private problemWith(status: number, body: string, openid: string, inFull: boolean): string | undefined {
    if (status !== 200) return 'status';
    const expect = this.job.expect;
    if (expect.kind === 'fixed-text') return body === expect.text ? undefined : 'unexpected body';
    // Cheap check on every response: our service answers "success" (not an encrypted reply) when it misses the
    // deadline.
    if (!body.startsWith('<xml><Encrypt>')) return 'not an encrypted reply';
    if (!inFull) return undefined;
    this.fullyChecked++;
    const r = checkEncryptedReply(this.job.credentials, body, openid);
    if (!r.ok) return r.why;
    this.kinds[r.kind] = (this.kinds[r.kind] ?? 0) + 1;
    this.examples[r.kind] ??= r.content;
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- autocannon

// autocannon ships no type declarations: describe the part of its API used here.
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest, context: Record<string, unknown>) => CannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  overallRate?: number;
  ignoreCoordinatedOmission?: boolean;
  warmup?: { connections: number; duration: number };
  requests: CannonRequest[];
}
interface CannonHistogram {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface CannonResult {
  duration: number;
  latency: CannonHistogram;
  requests: CannonHistogram & { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: CannonOptions) => Promise<CannonResult>;

async function runAutocannon(job: LoadJob, source: MessageSource, checker: ReplyChecker): Promise<LoadReport> {
  const mode = job.mode;
  if (mode.kind === 'paced') throw new Error('paced mode is not an autocannon run');
  const request: CannonRequest = {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    // Pipelining is 1, so the context of a connection always belongs to the request whose response arrives next.
    setupRequest: (req, context) => {
      const m = source.take();
      context.openid = m.openid;
      return { ...req, path: m.path, body: m.body };
    },
    onResponse: (status, body, context) => checker.check(status, body, String(context.openid)),
  };
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: job.origin,
    connections: mode.connections,
    duration: mode.durationSeconds,
    timeout: 10,
    requests: [request],
    ...(mode.kind === 'max' && mode.warmupSeconds > 0
      ? { warmup: { connections: mode.connections, duration: mode.warmupSeconds } }
      : {}),
    // autocannon's coordinated-omission correction assumes a 1 ms interval whatever the rate, which would invent
    // thousands of samples: report the latencies that were actually measured.
    ...(mode.kind === 'autocannon-rate' ? { overallRate: mode.rate, ignoreCoordinatedOmission: true } : {}),
  });
  const completed = Object.values(result.statusCodeStats).reduce((n, s) => n + s.count, 0);
  return {
    ...baseReport(job, source, checker, cpu),
    durationSeconds: result.duration,
    completed,
    reqPerSec: completed / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    latencyDecimals: 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

// ---------------------------------------------------------------------------------------------- paced sender

/**
 * Open-loop load: one message every 1000/rate ms whatever the server does, latency measured from the moment each
 * message was due. autocannon's rate limit releases each connection's quota at the top of every second, which
 * is a burst test; this is the even arrival the platform produces.
 */
async function runPaced(job: LoadJob, source: MessageSource, checker: ReplyChecker): Promise<LoadReport> {
  const mode = job.mode;
  if (mode.kind !== 'paced') throw new Error('not a paced run');
  const cpu = process.cpuUsage();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(mode.rate * mode.durationSeconds);
  const interval = 1000 / mode.rate;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();

  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const m = source.take();
      const failed = () => {
        errors++;
        resolve();
      };
      const req = request(
        `${job.origin}${m.path}`,
        { method: 'POST', agent, headers: { 'content-type': 'text/xml' }, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('error', failed);
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - dueAt);
            const status = res.statusCode ?? 0;
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            checker.check(status, Buffer.concat(chunks).toString('utf8'), m.openid);
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', failed); // timeouts end up here too
      req.end(m.body);
    });

  await new Promise<void>((done) => {
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) inFlight.push(send(start + sent++ * interval));
      if (sent < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const completed = latencies.length;
  return {
    ...baseReport(job, source, checker, cpu),
    durationSeconds: elapsed,
    completed,
    reqPerSec: completed / elapsed,
    latencyMs: {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: at(1),
      mean: latencies.reduce((s, x) => s + x, 0) / Math.max(1, completed),
    },
    latencyDecimals: 1,
    non2xx: completed - (statusCodes['200'] ?? 0) - (statusCodes['204'] ?? 0),
    errors,
    timeouts,
    statusCodes,
  };
}

function baseReport(job: LoadJob, source: MessageSource, checker: ReplyChecker, cpuAtStart: NodeJS.CpuUsage) {
  const used = process.cpuUsage(cpuAtStart);
  return {
    loadCpuMsPerResponse: (used.user + used.system) / 1000 / Math.max(1, checker.seen),
    responsesInclWarmup: checker.seen,
    label: job.label,
    badReplies: checker.bad,
    badExamples: checker.badExamples,
    fullyChecked: checker.fullyChecked,
    replyKinds: checker.kinds,
    exampleReplies: checker.examples,
    messagesMadeDuringRun: source.madeDuringRun,
    messagesByKind: source.byKind,
  };
}

// ---------------------------------------------------------------------------------------------- entry

async function runJob(job: LoadJob): Promise<LoadReport> {
  const source = new MessageSource(job); // timestamps are taken now, seconds before the run starts
  const checker = new ReplyChecker(job);
  return job.mode.kind === 'paced' ? runPaced(job, source, checker) : runAutocannon(job, source, checker);
}

if (process.send) {
  process.once('message', (job: LoadJob) => {
    runJob(job).then(
      (report) => process.send!({ report }, () => process.disconnect()),
      (err: unknown) => process.send!({ error: (err as Error).stack ?? String(err) }, () => process.disconnect()),
    );
  });
}
