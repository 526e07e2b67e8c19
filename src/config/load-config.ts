// The only module that reads process.env and the files under config/. Everything else receives an AppConfig.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { parseOrganisation, type Organisation } from '../organisation/index.js';
import { RulePackError, type RuleEngine } from '../rules/index.js';
import { loadRuleEngine } from './rule-packs.js';
import { llmConfigFrom, type LlmConfig } from '../llm/second-opinion.js';
import { loadCalendarConfig, type CalendarConfig } from './calendar-file.js';

export { ConfigError };

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: optionalString,
  DATABASE_URL: optionalString,
  SQLITE_PATH: z.string().default('./data/kf.sqlite'),
  // Residents' personal data at rest: PII_KEYS="k2:<base64>,k1:<base64>" (newest first), PII_INDEX_KEY=<base64>.
  PII_KEYS: optionalString,
  PII_INDEX_KEY: optionalString,
  PII_KEY_FILE: optionalString,
  CONFIG_DIR: z.string().default('./config'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADMIN_TOKEN: optionalString,
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  CALLBACK_MAX_SKEW_SECONDS: z.coerce.number().int().positive().default(300),
  REPLY_DEADLINE_MS: z.coerce.number().int().positive().default(4000),
  // Group commit of concurrent webhook messages: most messages per transaction, transactions under way at once.
  INTAKE_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(12),
  INTAKE_TRANSACTIONS: z.coerce.number().int().min(1).max(16).default(3),
  OUTBOX_POLL_MS: z.coerce.number().int().positive().default(1000),
  // Days a finished ticket keeps the resident's details before the retention job anonymises it (db/retention.ts).
  RETENTION_DAYS: z.coerce.number().int().default(730),
  // model: the learned classifier with the rules (config/model/classifier.json); rules: the decision lists alone.
  CLASSIFIER: z.enum(['model', 'rules']).default('model'),
  // The monthly report: day and time (Beijing) it leaves for the month just ended, and the CJK font of its chart.
  REPORT_MONTHLY_AT: z.string().default('1 09:00'),
  REPORT_FONT: z.string().default('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  // The public web chat, the one door anyone can open: messages per visitor and per address (this instance's memory),
  // tickets per visitor and per address and Beijing day (the database), and when one source's staff notices fold.
  WEBCHAT_VISITOR_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  WEBCHAT_VISITOR_MESSAGES_PER_DAY: z.coerce.number().int().min(1).default(200),
  WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  WEBCHAT_VISITOR_TICKETS_PER_DAY: z.coerce.number().int().min(1).default(5),
  WEBCHAT_ADDRESS_TICKETS_PER_DAY: z.coerce.number().int().min(1).default(20),
  WEBCHAT_FOLD_TICKETS: z.coerce.number().int().min(1).default(3),
  WEBCHAT_FOLD_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: optionalString,
  WECOM_SECRET: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_AES_KEY: optionalString,
  WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
  MP_APP_ID: optionalString,
  MP_APP_SECRET: optionalString,
  MP_TOKEN: optionalString,
  MP_AES_KEY: optionalString,
  MP_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  MP_TEMPLATE_ID: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: optionalString,
  OPENAI_TIMEOUT_MS: optionalString,
});

const aesKey = z.string().regex(/^[A-Za-z0-9]{43}$/, 'EncodingAESKey 必须是 43 位字母或数字');

export interface WecomConfig {
  corpId: string;
  token: string;
  aesKey: string;
  agentId?: number;
  secret?: string;
  apiBase: string;
}

export interface MpConfig {
  appId?: string;
  token: string;
  aesKey?: string;
  appSecret?: string;
  apiBase: string;
  /** Template message (工单状态通知: first, keyword1 工单号, keyword2 内容, remark) for residents outside the 48-hour window. */
  templateId?: string;
}

/** The public web chat's limits; past them the visitor is refused politely (channels/web-chat, intake/web-quota.ts). */
export interface WebChatConfig {
  messages: { visitorPerMinute: number; visitorPerDay: number; addressPerMinute: number };
  /** A source's staff notices fold into one once it has filed `foldAfter` tickets within `foldMinutes`. */
  tickets: { visitorPerDay: number; addressPerDay: number; foldAfter: number; foldMinutes: number };
}

export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'mysql' | 'mariadb'; url: string };

/** Where the keys that seal residents' personal data come from (db/keyring-source.ts). */
export interface PersonalDataConfig {
  keys?: string;
  indexKey?: string;
  /** The embedded default's generated key file, next to the SQLite file unless PII_KEY_FILE says otherwise. */
  keyFile: string;
}

export interface AppConfig {
  port: number;
  host: string;
  publicUrl?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  database: DatabaseConfig;
  personalData: PersonalDataConfig;
  adminToken?: string;
  sessionIdleMinutes: number;
  callbackMaxSkewSeconds: number;
  replyDeadlineMs: number;
  intakeBatchMax: number;
  intakeTransactions: number;
  outboxPollMs: number;
  /** Days a finished ticket is kept as it is; after that the retention job anonymises it (RETENTION_DAYS). */
  retentionDays: number;
  webChat: WebChatConfig;
  /** The periodic reports: when the monthly one leaves (day of month, HH:MM Beijing) and the chart's font. */
  reports: { monthly: { day: number; time: string }; fontFile: string };
  wecom?: WecomConfig;
  mp?: MpConfig;
  organisation: Organisation;
  configDir: string;
  /** Read reports with the learned model as well as the rules (CLASSIFIER=model, the default). */
  withModel: boolean;
  rules: RuleEngine;
  calendar: CalendarConfig;
  /** The optional LLM second opinion; undefined when not configured. */
  llm?: LlmConfig;
  /** WeCom API host for group robots, which need no app credentials. */
  wecomApiBase: string;
  /** Channels that are off, with the reason, so start-up can say so. */
  disabledChannels: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`配置错误：\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const disabledChannels: string[] = [];
  const organisation = loadOrganisation(resolve(e.CONFIG_DIR, 'organisation.json'));
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    database: databaseFrom(e.DATABASE_URL, e.SQLITE_PATH),
    personalData: {
      keys: e.PII_KEYS,
      indexKey: e.PII_INDEX_KEY,
      keyFile: e.PII_KEY_FILE ?? resolve(dirname(e.SQLITE_PATH), 'pii-keys.json'),
    },
    adminToken: e.ADMIN_TOKEN,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    callbackMaxSkewSeconds: e.CALLBACK_MAX_SKEW_SECONDS,
    replyDeadlineMs: e.REPLY_DEADLINE_MS,
    intakeBatchMax: e.INTAKE_BATCH_MAX,
    intakeTransactions: e.INTAKE_TRANSACTIONS,
    outboxPollMs: e.OUTBOX_POLL_MS,
    retentionDays: retentionDaysFrom(e.RETENTION_DAYS),
    webChat: webChatFrom(e),
    reports: { monthly: monthlyAt(e.REPORT_MONTHLY_AT), fontFile: e.REPORT_FONT },
    wecom: wecomFrom(e, disabledChannels),
    mp: mpFrom(e, disabledChannels),
    organisation,
    configDir: e.CONFIG_DIR,
    withModel: e.CLASSIFIER === 'model',
    rules: rulesOrFail(e.CONFIG_DIR, organisation, e.CLASSIFIER === 'model'),
    calendar: loadCalendarConfig(resolve(e.CONFIG_DIR, 'calendar.json')),
    wecomApiBase: e.WECOM_API_BASE,
    llm: llmConfigFrom(e),
    disabledChannels,
  };
}

function databaseFrom(url: string | undefined, sqlitePath: string): DatabaseConfig {
  if (!url) return { type: 'sqlite', path: sqlitePath };
  const scheme = url.split(':')[0];
  if (scheme === 'mysql' || scheme === 'mariadb') return { type: scheme, url: url.replace(/^mariadb:/, 'mysql:') };
  throw new ConfigError(`DATABASE_URL 只支持 mysql:// 或 mariadb://，收到 ${scheme}://`);
}

function webChatFrom(e: z.infer<typeof EnvSchema>): WebChatConfig {
  return {
    messages: {
      visitorPerMinute: e.WEBCHAT_VISITOR_MESSAGES_PER_MINUTE,
      visitorPerDay: e.WEBCHAT_VISITOR_MESSAGES_PER_DAY,
      addressPerMinute: e.WEBCHAT_ADDRESS_MESSAGES_PER_MINUTE,
    },
    tickets: {
      visitorPerDay: e.WEBCHAT_VISITOR_TICKETS_PER_DAY,
      addressPerDay: e.WEBCHAT_ADDRESS_TICKETS_PER_DAY,
      foldAfter: e.WEBCHAT_FOLD_TICKETS,
      foldMinutes: e.WEBCHAT_FOLD_MINUTES,
    },
  };
}

/** A year at least: anything shorter would anonymise tickets residents may still ask about, and last year's reports. */
export const MIN_RETENTION_DAYS = 730;

function retentionDaysFrom(days: number): number {
  if (days < MIN_RETENTION_DAYS)
    throw new ConfigError(
      `RETENTION_DAYS 不能少于 ${MIN_RETENTION_DAYS} 天（收到 ${days}）：投诉记录按 004 §四.4 至少保存两年，` +
        '之后才能匿名化',
    );
  return days;
}

function monthlyAt(text: string): { day: number; time: string } {
  const m = /^([1-9]|1\d|2[0-8]) ([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new ConfigError(`REPORT_MONTHLY_AT 应为"日 时:分"，日为 1–28，例如 "1 09:00"（收到 "${text}"）`);
  return { day: Number(m[1]), time: `${m[2]}:${m[3]}` };
}

function wecomFrom(e: z.infer<typeof EnvSchema>, off: string[]): WecomConfig | undefined {
  if (!e.WECOM_CORP_ID || !e.WECOM_TOKEN || !e.WECOM_AES_KEY) {
    off.push('企业微信自建应用（缺少 WECOM_CORP_ID / WECOM_TOKEN / WECOM_AES_KEY）');
    return undefined;
  }
  checkAesKey('WECOM_AES_KEY', e.WECOM_AES_KEY);
  const agentId = e.WECOM_AGENT_ID ? Number(e.WECOM_AGENT_ID) : undefined;
  if (agentId !== undefined && !Number.isInteger(agentId)) throw new ConfigError('WECOM_AGENT_ID 必须是整数');
  return {
    corpId: e.WECOM_CORP_ID,
    token: e.WECOM_TOKEN,
    aesKey: e.WECOM_AES_KEY,
    agentId,
    secret: e.WECOM_SECRET,
    apiBase: e.WECOM_API_BASE,
  };
}

function mpFrom(e: z.infer<typeof EnvSchema>, off: string[]): MpConfig | undefined {
  if (!e.MP_TOKEN) {
    off.push('微信公众号（缺少 MP_TOKEN）');
    return undefined;
  }
  if (e.MP_AES_KEY) {
    checkAesKey('MP_AES_KEY', e.MP_AES_KEY);
    if (!e.MP_APP_ID) throw new ConfigError('配置了 MP_AES_KEY（安全/兼容模式）时必须同时配置 MP_APP_ID');
  }
  return {
    appId: e.MP_APP_ID,
    token: e.MP_TOKEN,
    aesKey: e.MP_AES_KEY,
    appSecret: e.MP_APP_SECRET,
    apiBase: e.MP_API_BASE,
    templateId: e.MP_TEMPLATE_ID,
  };
}

function checkAesKey(name: string, value: string): void {
  const r = aesKey.safeParse(value);
  if (!r.success) throw new ConfigError(`${name}: ${r.error.issues[0]?.message}`);
}

function rulesOrFail(configDir: string, organisation: Organisation, withModel: boolean): RuleEngine {
  try {
    return loadRuleEngine(configDir, organisation, { withModel });
  } catch (err) {
    if (err instanceof RulePackError) throw new ConfigError(`规则包有误，拒绝启动：${err.message}`);
    throw err;
  }
}

export function loadOrganisation(file: string): Organisation {
  if (!existsSync(file)) throw new ConfigError(`找不到组织配置文件 ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} 不是合法的 JSON：${(err as Error).message}`);
  }
  return parseOrganisation(json, file);
}
