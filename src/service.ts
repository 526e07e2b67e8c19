// Composition root: wire config, database, channels, use cases, HTTP and the outbox dispatcher.
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type Router from '@koa/router';
import type { AppConfig } from './config/load-config.js';
import type { WorkCalendar } from './calendar/work-calendar.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { openBatchingPool, openDatabase } from './db/data-source.js';
import { loadCipher } from './db/keyring-source.js';
import { reencryptPersonalData } from './db/reencrypt.js';
import { anonymiseExpiredTickets } from './db/retention.js';
import { createIntakeStore } from './db/intake-uow/index.js';
import { createOutboxRepo } from './db/outbox-repo.js';
import { createTokenStore } from './db/token-store.js';
import { createTicketQueries } from './db/ticket-queries.js';
import { AccessTokens } from './channels/platform-api/access-token.js';
import { wecomSignIn } from './channels/platform-api/wecom-identity.js';
import {
  isPermanent,
  mpCustomSender,
  ROBOT_PER_MINUTE,
  wecomAppChatSender,
  wecomAppSender,
  wecomRobotSender,
} from './channels/platform-api/senders.js';
import { createLeaseStore } from './db/lease.js';
import { LeasedScheduler } from './scheduler/leased-jobs.js';
import { RateWindow } from './notifications/rate-window.js';
import { databaseSendLog } from './db/send-log.js';
import { scanDeadlines } from './alerts/deadline-scan.js';
import { wecomRoutes } from './channels/wecom-app/routes.js';
import { officialAccountRoutes } from './channels/official-account/routes.js';
import { webChatRoutes } from './channels/web-chat/routes.js';
import type { InboundMessage } from './dialogue/inbound.js';
import { createIntakeBatcher, replyInTime, type BatcherStats, type IntakeDeps } from './intake/index.js';
import {
  createTicketService,
  reconcileIncidentLevels,
  reviewTicket,
  system,
  type TicketDeps,
  type TicketService,
} from './tickets/index.js';
import { LlmClassifier } from './llm/second-opinion.js';
import { loadRuleEngine } from './config/rule-packs.js';
import { buildCalendar, calendarStatus } from './config/calendar-file.js';
import { OutboxDispatcher, type OutboxSender } from './notifications/outbox-dispatcher.js';
import { adminRoutes } from './http/admin-routes.js';
import { consoleRoutes } from './console/routes.js';
import { createReportRuns } from './db/report-runs.js';
import { reportDeps } from './reports/report-deps.js';
import { type ReportJobDeps, sendDueReports } from './reports/report-job.js';
import { createConsoleQueries } from './db/console-queries.js';
import { createConsoleStore } from './db/console-store.js';
import { createHttpApp } from './http/app.js';
import { purgeInboundBefore } from './db/housekeeping.js';
import { purgeWebFilingsBefore } from './db/web-filings.js';
import { startHousekeeping } from './scheduler/housekeeping.js';

/** How long a shutdown waits for messages under way: the platforms wait five seconds for a reply. */
const DRAIN_MS = 5_000;

export interface Service {
  url: string;
  port: number;
  ds: DataSource;
  dispatcher: OutboxDispatcher;
  /** Leased jobs: deadline-scan, robot-alerts. Tests call runOnce(name). */
  scheduler: LeasedScheduler;
  logger: Logger;
  /** Group-commit counters of the webhook intake (benchmark and tests). */
  intakeStats(): BatcherStats;
  /** The ticket use cases for actors outside chat (the console, jobs, tests). */
  tickets: TicketService;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /** Tests drive the dispatcher by hand with tick(). */
  startDispatcher?: boolean;
  /** Tests drive the leased jobs by hand with scheduler.runOnce(). */
  startScheduler?: boolean;
  /** Names this instance in job leases and outbox locks (tests run two "instances" side by side). */
  instanceId?: string;
}

export async function startService(config: AppConfig, opts: ServiceOptions = {}): Promise<Service> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const ds = await openDatabase(config.database, loadCipher(config.personalData, config.database, logger));
  const tokens = new AccessTokens(createTokenStore(ds), clock);

  const senders = senderRegistry(config, tokens);
  // Staff notifications go out over the WeCom app only when it can send.
  const staffChannelEnabled = senders.wecom_app !== undefined;
  const rulesInForce = ruleHolder(config, logger);
  const rules = () => rulesInForce.current();
  const calendar = projectCalendars(config);
  const batchingPool = await openBatchingPool(ds, config.database);
  const store = createIntakeStore(batchingPool);
  // One bag of policy for every use case: the intake, the jobs, the console and the admin API.
  const ticketDeps: TicketDeps = {
    organisation: config.organisation,
    rules,
    calendar,
    logger,
    staffChannelEnabled,
    secondOpinion: config.llm !== undefined,
  };
  if (config.llm) {
    const source = new LlmClassifier(config.llm, logger);
    // The outbox row's recipient is the ticket number; the review runs outside any webhook request.
    senders['llm'] = {
      send: (ticketNo, payload) =>
        reviewTicket({ ...ticketDeps, store, clock, source }, ticketNo, payload.review ?? 'labels'),
    };
  }
  const intake: IntakeDeps = {
    ...ticketDeps,
    store,
    clock,
    idleMinutes: config.sessionIdleMinutes,
    webTickets: config.webChat.tickets,
  };
  const tickets = createTicketService({ ...ticketDeps, store, clock });
  // SQLite has one writer: a second transaction under way would only wait for the first.
  const batcher = createIntakeBatcher(intake, {
    maxBatch: config.intakeBatchMax,
    maxInFlight: config.database.type === 'sqlite' ? 1 : config.intakeTransactions,
  });
  const respondVia = (deferTo: 'wecom_app' | 'mp' | undefined) => (msg: InboundMessage) =>
    replyInTime(intake, batcher.submit, msg, config.replyDeadlineMs, deferTo !== undefined && !!senders[deferTo]);

  const callbackDeps = { clock, maxSkewSeconds: config.callbackMaxSkewSeconds };
  const routers: Router[] = [
    webChatRoutes({
      respond: respondVia(undefined),
      title: config.organisation.botName,
      limits: config.webChat.messages,
      clock,
      logger,
    }),
  ];
  if (config.wecom) routers.push(wecomRoutes(config.wecom, { ...callbackDeps, respond: respondVia('wecom_app') }));
  if (config.mp) routers.push(officialAccountRoutes(config.mp, { ...callbackDeps, respond: respondVia('mp') }));
  const queries = createTicketQueries(ds);
  const consoleStore = createConsoleStore(ds);
  const dbLabel = config.database.type;
  routers.push(
    adminRoutes(config.adminToken, {
      queries,
      apiTokenScope: (token) => consoleStore.apiTokenScope(token, clock.now()),
      reloadRules: rulesInForce.reload,
      calendarStatus: () =>
        calendarStatus(
          config.organisation.projects.map((p) => ({ code: p.code, calendar: calendar(p.code) })),
          clock.now(),
        ),
      provisional: (code, from, to) => calendar(code).provisionalYears(from, to).length > 0,
      levelCodes: () => rulesInForce.levelCodes(),
      resolveIncident: (id, resolution, by) => tickets.resolveIncident(system(by), id, resolution),
      recategorise: (no, fix, by) => tickets.recategorise(system(by), no, fix),
    }),
  );

  routers.push(
    consoleRoutes({
      store: consoleStore,
      queries: createConsoleQueries(ds),
      tickets,
      clock,
      logger,
      organisation: config.organisation,
      publicUrl: config.publicUrl,
      wecom: config.wecom ? wecomSignIn(config.wecom, tokens) : undefined,
      levels: () => rulesInForce.levels(),
      reloadRules: rulesInForce.reload,
      reports: reportDeps(config, ds, rules),
    }),
  );

  const app = createHttpApp({
    logger,
    routers,
    health: async () => {
      const { waiting } = batcher.stats();
      try {
        await queries.ping();
        return { ok: true, database: dbLabel, waiting };
      } catch (err) {
        return { ok: false, database: dbLabel, detail: (err as Error).message, waiting };
      }
    },
  });

  const owner = opts.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const { dispatcher, robots } = deliveries(ds, senders, { clock, logger, owner, pollMs: config.outboxPollMs });
  const reports: ReportJobDeps = {
    report: reportDeps(config, ds, rules),
    runs: createReportRuns(ds),
    store,
    schedule: { monthly: config.reports.monthly },
    clock,
    logger,
  };
  const scheduler = leasedJobs(ds, { ...ticketDeps, store, clock }, robots, owner, config.retentionDays, reports);
  if (opts.startScheduler !== false) scheduler.start();
  if (opts.startDispatcher !== false) dispatcher.start();
  const stopHousekeeping = startHousekeeping(
    [
      {
        name: 'purge-inbound-keys',
        cron: '17 3 * * *',
        run: () => purgeInboundBefore(ds, new Date(clock.now().getTime() - 7 * 86_400_000)),
      },
      { name: 'purge-console-sessions', cron: '23 * * * *', run: () => consoleStore.purgeSessions(clock.now()) },
      {
        name: 'purge-web-filings',
        cron: '27 3 * * *',
        run: () => purgeWebFilingsBefore(ds, new Date(clock.now().getTime() - 2 * 86_400_000)),
      },
    ],
    logger,
  );

  const { server, port, url } = await listen(app, config);
  sayWhatIsOff(config, logger);
  if ((await consoleStore.listUsers()).length === 0)
    logger.warn('管理后台还没有用户：运行 npm run user -- add --role admin 用户名，创建第一个管理员');

  return {
    url,
    port,
    ds,
    dispatcher,
    scheduler,
    logger,
    intakeStats: batcher.stats,
    tickets,
    async close() {
      // Take no new messages and let those under way finish before anything they need closes: closing the database
      // first failed them with 500s (the platform retries, so nothing was lost, but each showed up as an error).
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([drained, delay(DRAIN_MS, undefined, { ref: false })]);
      server.closeAllConnections();
      await stopHousekeeping();
      await scheduler.stop();
      await dispatcher.stop();
      await store.close();
      if (batchingPool !== ds) await batchingPool.destroy();
      await ds.destroy();
    },
  };
}

/** One sender per outbox channel; a channel without credentials has none (its rows wait, visibly, in the outbox). */
function senderRegistry(config: AppConfig, tokens: AccessTokens): Partial<Record<string, OutboxSender>> {
  return {
    wecom_app: config.wecom ? wecomAppSender(config.wecom, tokens) : undefined,
    mp: config.mp ? mpCustomSender(config.mp, tokens) : undefined,
    wecom_robot: wecomRobotSender(config.wecomApiBase),
    wecom_appchat: config.wecom ? wecomAppChatSender(config.wecom, tokens) : undefined,
  };
}

/** The rule packs in force; a reload swaps them between messages, or keeps the old ones when the new are broken. */
function ruleHolder(config: AppConfig, logger: Logger) {
  let rules = config.rules;
  return {
    current: () => rules,
    levelCodes: () => [...new Set(rules.packNames().flatMap((p) => rules.pack(p).levels.map((l) => l.code)))],
    /** Every pack's levels, the first label of a code winning (the packs share the residential codes). */
    levels: () =>
      [
        ...new Map(
          rules
            .packNames()
            .flatMap((p) => rules.pack(p).levels)
            .reverse()
            .map((l) => [l.code, l]),
        ).values(),
      ].reverse(),
    reload() {
      try {
        rules = loadRuleEngine(config.configDir, config.organisation, { withModel: config.withModel });
        logger.info({ packs: rules.packNames() }, 'rule packs reloaded');
        return { ok: true as const, packs: rules.packNames() };
      } catch (err) {
        logger.error({ err }, 'rule packs not reloaded; the previous rules stay in force');
        return { ok: false as const, error: (err as Error).message };
      }
    },
  };
}

/** Each project's working calendar (its own hours and closed days over the company's holidays). */
function projectCalendars(config: AppConfig): (projectCode: string) => WorkCalendar {
  const calendars = new Map(config.organisation.projects.map((p) => [p.code, buildCalendar(config.calendar, p)]));
  return (code) => calendars.get(code) ?? buildCalendar(config.calendar);
}

async function listen(app: ReturnType<typeof createHttpApp>, config: AppConfig) {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { server, port, url: config.publicUrl ?? `http://${host}:${port}` };
}

/** Start-up says which channels and features are off, and why. */
function sayWhatIsOff(config: AppConfig, logger: Logger): void {
  for (const off of config.disabledChannels) logger.warn({ channel: off }, `渠道未启用：${off}`);
  if (config.withModel && !config.rules.model)
    logger.warn('分类模型文件 config/model/classifier.json 不存在，只用规则判断（可运行 npm run train 生成）');
  if (!config.withModel) logger.info('分类：只用规则（CLASSIFIER=rules）');
  if (!config.llm) logger.info('大模型复核未启用（未配置 OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL）');
  if (!config.adminToken) logger.info('未配置 ADMIN_TOKEN：/api 只接受管理后台创建的 API 令牌');
}

/**
 * The outbox's dispatchers: staff and resident notices; LLM reviews (up to OPENAI_TIMEOUT_MS each) in passes of their
 * own, started, ticked and stopped with the notices' dispatcher, so slow reviews never hold up a staff notice; and the
 * group robots, sent by one instance only (the lease holder) with the 20-a-minute limit logged in the database, so it
 * also holds across a lease hand-over.
 */
function deliveries(
  ds: DataSource,
  senders: Partial<Record<string, OutboxSender>>,
  o: { clock: Clock; logger: Logger; owner: string; pollMs: number },
) {
  const dispatcherDeps = { repo: createOutboxRepo(ds), senders, isPermanent, ...o };
  const reviews = new OutboxDispatcher({ ...dispatcherDeps, channels: { only: ['llm'] }, batch: 5 });
  const dispatcher = new OutboxDispatcher({
    ...dispatcherDeps,
    channels: { except: ['wecom_robot', 'llm'] },
    alongside: [reviews],
  });
  const robots = new OutboxDispatcher({
    ...dispatcherDeps,
    channels: { only: ['wecom_robot'] },
    limiter: new RateWindow(ROBOT_PER_MINUTE, 60_000, databaseSendLog(ds)),
  });
  return { dispatcher, robots };
}

/** Jobs that one instance runs at a time, under a database lease. */
function leasedJobs(
  ds: DataSource,
  scanDeps: Parameters<typeof scanDeadlines>[0],
  robots: OutboxDispatcher,
  holder: string,
  retentionDays: number,
  reports: ReportJobDeps,
): LeasedScheduler {
  const { clock, logger } = scanDeps;
  return new LeasedScheduler({ leases: createLeaseStore(ds), clock, logger, holder }, [
    {
      name: 'deadline-scan',
      cron: '*/30 * * * * *',
      leaseMs: 90_000,
      run: async () => (await scanDeadlines(scanDeps)) + (await reconcileIncidentLevels(scanDeps)),
    },
    { name: 'robot-alerts', cron: '*/10 * * * * *', leaseMs: 45_000, run: () => robots.tick() },
    // The monthly report for the month just ended, once across instances, caught up after a restart.
    { name: 'periodic-reports', cron: '*/5 * * * *', leaseMs: 600_000, run: () => sendDueReports(reports) },
    // After a key rotation (or an upgrade from clear text), old values are re-sealed a few thousand at a time.
    { name: 'reencrypt-personal-data', cron: '*/2 * * * *', leaseMs: 300_000, run: () => reencryptPersonalData(ds) },
    // 004 §四.4: finished tickets past the keeping period are anonymised, a bounded batch a night (db/retention.ts).
    {
      name: 'anonymise-expired-tickets',
      cron: '41 3 * * *',
      leaseMs: 600_000,
      run: () => anonymiseExpiredTickets(ds, clock.now(), retentionDays, 2000, { logger }),
    },
  ]);
}
