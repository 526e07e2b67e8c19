// What the console needs from the rest of the service (wired in service.ts).
import type { WecomSignInConfig } from '../channels/platform-api/wecom-identity.js';
import type { ReportDeps } from '../reports/monthly-report.js';
import type { ConsoleQueries } from '../db/console-queries.js';
import type { ConsoleStore } from '../db/console-store.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Organisation } from '../organisation/index.js';
import type { TicketService } from '../tickets/index.js';

export interface ConsoleDeps {
  store: ConsoleStore;
  queries: ConsoleQueries;
  tickets: TicketService;
  clock: Clock;
  logger: Logger;
  organisation: Organisation;
  publicUrl?: string;
  /** 网页授权 and 扫码登录, when the WeCom app (corp id, agent id, secret) is configured. */
  wecom?: WecomSignInConfig;
  /** Level codes and labels of every loaded rule pack, for the filters and the re-grade form. */
  levels(): { code: string; label: string }[];
  /** The month's KPIs, chart and ledger (the same code as the scheduled report). */
  reports: ReportDeps;
  reloadRules(): { ok: true; packs: string[] } | { ok: false; error: string };
}
