// What every ticket use case runs with: the policy in force, the transaction, and the moment it happens.
import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { Logger } from '../lib/logger.js';
import type { Organisation, ProjectConfig } from '../organisation/index.js';
import type { RuleEngine } from '../rules/index.js';
import type { TicketTx } from './ports.js';

export interface TicketDeps {
  organisation: Organisation;
  /** The rules in force now; a reload swaps them between messages. */
  rules: () => RuleEngine;
  /** The working calendar of a project (holidays, 调休, its working hours and closed days). */
  calendar: (projectCode: string) => WorkCalendar;
  logger: Logger;
  /** Staff notifications go out over the WeCom app only when it can send. */
  staffChannelEnabled: boolean;
  /** An LLM is configured: unsure classifications are queued for its second opinion. */
  secondOpinion?: boolean;
}

export interface TicketCtx {
  deps: TicketDeps;
  tx: TicketTx;
  now: Date;
}

export const projectOf = (deps: Pick<TicketDeps, 'organisation'>, code: string): ProjectConfig | undefined =>
  deps.organisation.projects.find((p) => p.code === code);
