// The company's organisation (config/organisation.json): projects, who receives and handles what, rosters, alert
// groups and escalation chains. Validated once at start; the domain reads it as plain data.
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { isValidShift } from './roster.js';

/**
 * What a custom-menu button (公众号 / 企业微信应用的 CLICK 事件, by its EventKey) does: start a repair report, a
 * complaint or suggestion, list the resident's tickets, say the welcome again, or answer with a fixed text.
 */
const MenuActionSchema = z.union([
  z.enum(['report', 'complain', 'tickets', 'welcome']),
  z.object({ reply: z.string().trim().min(1) }),
]);
const MenuSchema = z.record(z.string().min(1).max(128), MenuActionSchema);
export type MenuAction = z.infer<typeof MenuActionSchema>;
export type Menu = z.infer<typeof MenuSchema>;

/** The keys a freshly configured account's menu is likely to use. */
export const DEFAULT_MENU: Menu = {
  REPAIR: 'report',
  COMPLAINT: 'complain',
  MY_TICKETS: 'tickets',
  HELP: 'welcome',
};

const ProjectSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  ticketPrefix: z.string().regex(/^[A-Z]{1,6}$/),
  rulePack: z.string().default('residential'),
  receptionist: z.string().min(1).describe('first-contact owner (接报人) of tickets taken by the bot'),
  notifyWecomUsers: z.array(z.string()).default([]),
  responseMinutes: z
    .object({ emergency: z.number().positive(), normal: z.number().positive() })
    .default({ emergency: 30, normal: 120 }),
  /** Working hours and closed days of this project, when they differ from config/calendar.json. */
  workingHours: z.array(z.tuple([z.string().regex(/^\d{2}:\d{2}$/), z.string().regex(/^\d{2}:\d{2}$/)])).optional(),
  closedDays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
  /** Occupied households (入住户数): the KPIs' complaints per household; that figure is blank while unknown. */
  households: z.number().int().positive().optional(),
  /**
   * Where deadline alerts go: a WeCom group robot (webhook key), else an app group chat (appchat chatid), else the
   * people one by one.
   */
  alerts: z.object({ robotKey: z.string().min(1).optional(), chatId: z.string().min(1).optional() }).default({}),
  /** Who hears about a missed deadline, and how long after it is missed (minutes): 处理人 → 主管 → 项目负责人 → 总部. */
  escalation: z
    .array(z.object({ role: z.string().min(1), afterMinutes: z.number().min(0) }))
    .min(1)
    .default([
      { role: 'handler', afterMinutes: 0 },
      { role: 'supervisor', afterMinutes: 60 },
      { role: 'lead', afterMinutes: 240 },
      { role: 'head_office', afterMinutes: 1440 },
    ]),
  /** Role → WeCom user ids: lead (项目负责人), quality (品质部), head_office (总部), finance (财务), or a department code. */
  people: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /**
   * On-duty roster: who handles a department's tickets at a given time (department "duty" is the night/holiday duty).
   */
  roster: z
    .array(
      z.object({
        user: z.string().min(1),
        name: z.string().optional(),
        department: z.string().min(1),
        shifts: z
          .array(
            z.string().refine(isValidShift, '班次格式应为 "1-5 08:30-17:30"（周一到周五）或 "1-7 17:30-08:30"（跨夜）'),
          )
          .min(1),
      }),
    )
    .default([]),
  /** This project's own menu keys, over the company's (a resident known to live here gets these). */
  menu: MenuSchema.default({}),
});

const OrganisationSchema = z.object({
  company: z.string().min(1),
  botName: z.string().default('物业客服'),
  menu: MenuSchema.default(DEFAULT_MENU),
  projects: z.array(ProjectSchema).min(1),
  /** Where the monthly report goes besides each project's managers' group (its `alerts.robotKey`). */
  reports: z.object({ headOfficeRobotKey: z.string().min(1).optional() }).default({}),
});

export type ProjectConfig = z.infer<typeof ProjectSchema>;
export type Organisation = z.infer<typeof OrganisationSchema>;

export function parseOrganisation(json: unknown, source = 'organisation'): Organisation {
  const r = OrganisationSchema.safeParse(json);
  if (!r.success) throw new ConfigError(`${source} 校验失败：\n${z.prettifyError(r.error)}`);
  const codes = new Set<string>();
  for (const p of r.data.projects) {
    if (codes.has(p.code)) throw new ConfigError(`${source}: 项目编码 ${p.code} 重复`);
    codes.add(p.code);
  }
  return r.data;
}
