// The one way to tell someone something: a recipient and a message in, an outbox row on the right channel out.
// Who is told about what (rule notices, the managers' group, the resident) is decided here and nowhere else.
import { maskName, maskPhone } from '../lib/masking.js';
import type { ProjectConfig } from '../organisation/index.js';
import { onShift } from '../organisation/index.js';
import type { Notice } from '../rules/index.js';
import { KIND_LABEL, URGENCY_LABEL } from '../rules/index.js';
import type { TicketCtx } from './context.js';
import type { OutboxChannel, OutboxItem } from './ports.js';
import type { Ticket } from './ticket.js';

export type Recipient =
  /** A member of staff in the WeCom app. */
  | { kind: 'staff'; userId: string }
  /** The resident of a ticket, on the channel they wrote from. */
  | { kind: 'resident'; ticket: Pick<Ticket, 'channel' | 'userId'> }
  /** A project's managers' group: its group robot, else its app group chat. */
  | { kind: 'managers-group'; project: ProjectConfig }
  /** The LLM reviewer of a ticket (a second opinion runs later, like any delivery). */
  | { kind: 'reviewer'; ticketNo: string };

export interface Message {
  text: string;
  card?: Record<string, unknown>;
  review?: OutboxItem['payload']['review'];
}

export interface Delivery {
  /** Unique per effect: the same key twice is delivered once. */
  key: string;
  /** Hold a non-urgent message until then (working hours, the next working day). */
  notBefore?: Date;
}

/** queued; or why not: the channel cannot push (web chat) or is not configured. */
export type NotifyOutcome = 'queued' | 'not-pushable' | 'not-configured';

type Ctx = Pick<TicketCtx, 'tx' | 'now'> & { deps: { staffChannelEnabled: boolean } };

export async function notify(c: Ctx, to: Recipient, message: Message, d: Delivery): Promise<NotifyOutcome> {
  const route = routeOf(c, to);
  if (typeof route === 'string') return route;
  await c.tx.enqueue({ dedupeKey: d.key, ...route, payload: message }, c.now, d.notBefore);
  return 'queued';
}

function routeOf(c: Ctx, to: Recipient): { channel: OutboxChannel; recipient: string } | NotifyOutcome {
  switch (to.kind) {
    case 'staff':
      return c.deps.staffChannelEnabled ? { channel: 'wecom_app', recipient: to.userId } : 'not-configured';
    case 'resident': {
      const { channel, userId } = to.ticket;
      if (channel === 'mp') return { channel: 'mp', recipient: userId };
      if (channel === 'wecom') return { channel: 'wecom_app', recipient: userId };
      return 'not-pushable';
    }
    case 'managers-group': {
      const { robotKey, chatId } = to.project.alerts;
      if (robotKey) return { channel: 'wecom_robot', recipient: robotKey };
      if (chatId && c.deps.staffChannelEnabled) return { channel: 'wecom_appchat', recipient: chatId };
      return 'not-configured';
    }
    case 'reviewer':
      return { channel: 'llm', recipient: to.ticketNo };
  }
}

/** Tells the resident about their ticket; the web chat cannot push, so that is written on the timeline instead. */
export async function tellResident(c: Ctx, t: Ticket, text: string, what: string, notBefore?: Date): Promise<boolean> {
  const sent = await notify(
    c,
    { kind: 'resident', ticket: t },
    { text },
    { key: `ticket:${t.no}:resident:${what}`, notBefore },
  );
  if (sent === 'queued') return true;
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'notified',
    actor: 'system',
    data: { resident: 'not_pushable', what, reason: '网页客服无法主动推送，住户查询工单时可见' },
  });
  return false;
}

/**
 * WeCom user ids for a role named by a rule: on_duty, lead, quality, head_office, finance, a department, or user:<id>.
 */
export function peopleFor(project: ProjectConfig, role: string, department: string | null, at: Date): string[] {
  if (role.startsWith('user:')) return [role.slice(5)];
  if (role === 'on_duty') {
    const duty = onShift(project.roster, 'duty', at);
    const dept = department ? onShift(project.roster, department, at) : [];
    return unique(
      [...duty, ...dept].map((r) => r.user).concat(duty.length + dept.length ? [] : (project.people['on_duty'] ?? [])),
    );
  }
  const rostered = onShift(project.roster, role, at).map((r) => r.user);
  return unique(rostered.length ? rostered : (project.people[role] ?? []));
}

const unique = (xs: string[]) => [...new Set(xs)];

/**
 * Many new tickets from one source in a short while (the web chat's flood): one notice for them all in place of each
 * ticket's own. The key is unique per source and window, so the later tickets of the window add no message.
 */
export interface FoldedNotice {
  key: string;
  /** Who filed them, as staff read it: 网页访客 Ab3dE9xK（地址 203.0.113.7）. */
  source: string;
  /** Tickets from the source within `minutes`, this one included. */
  count: number;
  minutes: number;
}

type NoticeCtx = Pick<TicketCtx, 'tx' | 'now'> & {
  deps: Pick<TicketCtx['deps'], 'logger' | 'rules' | 'staffChannelEnabled'>;
};

/**
 * Every notice goes once per person (the outbox key is unique), with the staff on the project's notify list.
 * A notice nobody can receive is written on the timeline, never silently dropped. `fold`: the same people get the
 * source's one summary instead (once per person and window), and the timeline says the ticket's notice was folded —
 * except for an emergency, which still pages on its own (see below).
 */
export async function notifyStaff(
  c: NoticeCtx,
  project: ProjectConfig,
  t: Ticket,
  notices: Notice[],
  reasons: string[],
  keyPrefix = `ticket:${t.no}`,
  fold?: FoldedNotice,
): Promise<void> {
  // A resident's gas leak must not wait behind a script's flood: an emergency is told as any emergency is, with the
  // flood said first so that staff call back before they send someone. The day limits bound how many there can be.
  const folding = fold && t.urgency !== 'emergency' ? fold : undefined;
  const everyone = new Map<string, string>();
  for (const n of notices) {
    const users = n.notify.flatMap((role) => peopleFor(project, role, t.department, c.now));
    if (users.length === 0) {
      c.deps.logger.warn(
        { ticketNo: t.no, rule: n.rule, roles: n.notify },
        'notice has no recipient in the organisation config',
      );
      await c.tx.addEvent({
        ticketId: t.id,
        at: c.now,
        type: 'notified',
        actor: 'rules',
        data: { rule: n.rule, undelivered: n.notify.join(','), reason: '组织配置里没有对应人员' },
      });
      continue;
    }
    for (const u of users) if (!everyone.has(u)) everyone.set(u, n.rule);
  }
  if (keyPrefix.startsWith('ticket:'))
    for (const u of project.notifyWecomUsers) if (!everyone.has(u)) everyone.set(u, '新工单');
  // An emergency (or any notice to the project lead marked 立即) also goes to the managers' group at once.
  const atOnce = notices.filter((n) => n.within.startsWith('立即') && n.notify.includes('lead'));
  if (atOnce.length && folding) await alertManagersGroupOfFlood(c, project, t, folding);
  else if (atOnce.length) await alertManagersGroup(c, project, t, atOnce, [...everyone.keys()], keyPrefix);
  if (everyone.size === 0) return;
  if (!c.deps.staffChannelEnabled) {
    await c.tx.addEvent({
      ticketId: t.id,
      at: c.now,
      type: 'notified',
      actor: 'rules',
      data: { undelivered: [...everyone.keys()], reason: '企业微信应用未配置，无法推送' },
    });
    return;
  }
  const pack = c.deps.rules().pack(t.rulePack);
  const labels = {
    level: pack.levels.find((l) => l.code === t.level)?.label ?? t.level,
    department: t.department ? (pack.departments[t.department]?.label ?? t.department) : null,
  };
  const own = staffNotice(t, project.name, notices, reasons, labels);
  const text = folding ? foldedNotice(t, folding) : fold ? `${floodWarning(fold)}\n${own}` : own;
  for (const [user, rule] of everyone) {
    const key = folding ? `${folding.key}:${user}` : `${keyPrefix}:${rule}:${user}`;
    await notify(c, { kind: 'staff', userId: user }, { text }, { key });
  }
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'notified',
    actor: 'rules',
    data: {
      to: [...everyone.keys()],
      rules: notices.map((n) => n.rule),
      ...(folding ? { folded: folding.key, reason: `${folding.source}短时间内提交多张工单，通知已合并` } : {}),
    },
  });
}

/** A notice marked 立即 among a flood goes to the managers' group too, as the one summary of the window. */
async function alertManagersGroupOfFlood(c: NoticeCtx, project: ProjectConfig, t: Ticket, fold: FoldedNotice) {
  await notify(c, { kind: 'managers-group', project }, { text: foldedNotice(t, fold) }, { key: `${fold.key}:group` });
}

async function alertManagersGroup(
  c: NoticeCtx,
  project: ProjectConfig,
  t: Ticket,
  notices: Notice[],
  mentions: string[],
  keyPrefix: string,
): Promise<void> {
  const text = [
    `**<font color="warning">${t.urgency === 'emergency' ? '紧急' : '立即处理'}</font>** ${t.no} ${t.summary}`,
    `> ${project.name} ${t.room} ${maskName(t.residentName)}`,
    `> ${notices.map((n) => n.rule).join('；')}`,
    mentions.map((u) => `<@${u}>`).join(' '),
  ].join('\n');
  const key = `${keyPrefix}:group:${notices.map((n) => n.rule).join('+')}`;
  await notify(c, { kind: 'managers-group', project }, { text }, { key });
}

/**
 * A notice for the managers: to their group where the project has one, else to each of `fallback` (the project leads
 * unless said otherwise) in the app. `group` is markdown for the group, `app` the plain text for one person. Returns
 * whether anything was queued.
 */
export async function tellManagers(
  c: Ctx,
  project: ProjectConfig,
  texts: { group: string; app: string },
  d: Delivery,
  fallback: readonly string[] = project.people['lead'] ?? [],
): Promise<boolean> {
  if ((await notify(c, { kind: 'managers-group', project }, { text: texts.group }, d)) === 'queued') return true;
  let queued = false;
  for (const u of fallback) {
    const one = { key: `${d.key}:${u}`, notBefore: d.notBefore };
    if ((await notify(c, { kind: 'staff', userId: u }, { text: texts.app }, one)) === 'queued') queued = true;
  }
  return queued;
}

const SHANGHAI_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour12: false,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function foldedNotice(t: Ticket, fold: FoldedNotice): string {
  return [
    `【网页客服·疑似批量提交】${fold.source}在 ${fold.minutes} 分钟内提交了 ${fold.count} 张工单。`,
    `同一来源这段时间内的新工单合并为这一条通知，不再逐条推送；请在工单列表中核实，确属住户报事的照常处理。`,
    `最新一张：${t.no} ${t.urgency === 'emergency' ? '（紧急）' : ''}${t.summary}`,
  ].join('\n');
}

const floodWarning = (fold: FoldedNotice) =>
  `【注意：疑似批量提交】${fold.source}在 ${fold.minutes} 分钟内提交了 ${fold.count} 张工单，请先电话核实再派人。`;

function staffNotice(
  t: Ticket,
  projectName: string,
  notices: Notice[],
  reasons: string[],
  labels: { level: string; department: string | null },
): string {
  const tags = [t.urgency === 'emergency' ? '紧急' : '', reasons.length ? labels.level : ''].filter(Boolean);
  return [
    `【${KIND_LABEL[t.kind]}${tags.length ? `·${tags.join('·')}` : ''}】${t.no}`,
    // Masked until someone takes the ticket: the reply to 接单 gives the handler the number to call (staff-chat.ts).
    `${projectName} ${t.room} ${maskName(t.residentName)}${t.phone ? ` ${maskPhone(t.phone)}` : ''}`,
    `内容：${t.summary}`,
    `紧急程度：${URGENCY_LABEL[t.urgency]}，请于 ${SHANGHAI_TIME.format(t.responseDueAt)} 前响应`,
    ...(reasons.length ? [`定级依据：${reasons.join('；')}`] : []),
    ...notices.filter((n) => n.within !== '按承诺时间').map((n) => `${n.rule}（${n.within}）`),
    ...(labels.department ? [`派单：${labels.department}${t.handler ? ` / ${t.handler}` : ''}`] : []),
  ].join('\n');
}
