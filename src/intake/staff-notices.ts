// Tells the people a rule names (on duty, project lead, quality department, head office…) through the outbox.
import type { ProjectConfig } from '../organisation/index.js';
import type { Notice } from '../rules/index.js';
import { onShift } from '../organisation/index.js';
import { KIND_LABEL, URGENCY_LABEL } from '../rules/index.js';
import type { Ticket } from '../tickets/index.js';
import type { IntakeDeps } from './handle-inbound.js';
import type { IntakeTx } from './ports.js';

/** What sending notices needs: a message's command context has it, and so has a review that runs after the reply. */
export interface NoticeCtx {
  deps: Pick<IntakeDeps, 'logger' | 'rules' | 'staffChannelEnabled'>;
  tx: IntakeTx;
  now: Date;
}

/** WeCom user ids for a role named by a rule: on_duty, lead, quality, head_office, finance, a department, or user:<id>. */
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
 * Every notice goes once per person (the outbox key is unique), with the staff on the project's notify list.
 * A notice nobody can receive is written on the timeline, never silently dropped.
 */
export async function notifyStaff(
  c: NoticeCtx,
  project: ProjectConfig,
  t: Ticket,
  notices: Notice[],
  reasons: string[],
  keyPrefix = `ticket:${t.no}`,
): Promise<void> {
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
  if (atOnce.length) await toManagersGroup(c, project, t, atOnce, [...everyone.keys()], keyPrefix);
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
  const text = staffNotice(t, project.name, notices, reasons, labels);
  for (const [user, rule] of everyone) {
    await c.tx.enqueue(
      { dedupeKey: `${keyPrefix}:${rule}:${user}`, channel: 'wecom_app', recipient: user, payload: { text } },
      c.now,
    );
  }
  await c.tx.addEvent({
    ticketId: t.id,
    at: c.now,
    type: 'notified',
    actor: 'rules',
    data: { to: [...everyone.keys()], rules: notices.map((n) => n.rule) },
  });
}

async function toManagersGroup(
  c: NoticeCtx,
  project: ProjectConfig,
  t: Ticket,
  notices: Notice[],
  mentions: string[],
  keyPrefix: string,
): Promise<void> {
  const { robotKey, chatId } = project.alerts;
  const text = [
    `**<font color="warning">${t.urgency === 'emergency' ? '紧急' : '立即处理'}</font>** ${t.no} ${t.summary}`,
    `> ${project.name} ${t.room} ${t.residentName}`,
    `> ${notices.map((n) => n.rule).join('；')}`,
    mentions.map((u) => `<@${u}>`).join(' '),
  ].join('\n');
  const key = `${keyPrefix}:group:${notices.map((n) => n.rule).join('+')}`;
  if (robotKey)
    await c.tx.enqueue({ dedupeKey: key, channel: 'wecom_robot', recipient: robotKey, payload: { text } }, c.now);
  else if (chatId && c.deps.staffChannelEnabled)
    await c.tx.enqueue({ dedupeKey: key, channel: 'wecom_appchat', recipient: chatId, payload: { text } }, c.now);
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
    `${projectName} ${t.room} ${t.residentName}${t.phone ? ` ${t.phone}` : ''}`,
    `内容：${t.summary}`,
    `紧急程度：${URGENCY_LABEL[t.urgency]}，请于 ${SHANGHAI_TIME.format(t.responseDueAt)} 前响应`,
    ...(reasons.length ? [`定级依据：${reasons.join('；')}`] : []),
    ...notices.filter((n) => n.within !== '按承诺时间').map((n) => `${n.rule}（${n.within}）`),
    ...(labels.department ? [`派单：${labels.department}${t.handler ? ` / ${t.handler}` : ''}`] : []),
  ].join('\n');
}
