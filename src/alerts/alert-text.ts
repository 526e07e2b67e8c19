// What managers read in the group chat: short markdown, the ticket, the deadline, who is called on.
import type { Deadline, Ticket } from '../tickets/index.js';

export type AlertStage = 'near' | 'missed';

const ROLE_LABEL: Record<string, string> = {
  handler: '处理人',
  supervisor: '主管',
  lead: '项目负责人',
  head_office: '总部',
  quality: '品质部',
  finance: '财务',
  on_duty: '值班人员',
};

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour12: false,
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function span(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 120) return `${minutes} 分钟`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} 小时`;
  return `${Math.round(minutes / 1440)} 天`;
}

export interface AlertInput {
  stage: AlertStage;
  ticket: Ticket;
  deadline: Deadline;
  projectName: string;
  roles: string[];
  mentions: string[];
  now: Date;
}

/** Markdown for a WeCom group robot; `<@userid>` rings the people responsible. */
export function alertText(a: AlertInput): string {
  const { ticket: t, deadline: d } = a;
  const left = d.dueAt.getTime() - a.now.getTime();
  const head =
    a.stage === 'near'
      ? `**<font color="warning">临近时限</font>** ${t.no}`
      : `**<font color="warning">已超时</font>** ${t.no}`;
  const when =
    a.stage === 'near'
      ? `截止 ${TIME.format(d.dueAt)}，还剩 ${span(left)}`
      : `截止 ${TIME.format(d.dueAt)}，已超时 ${span(left)}`;
  return [
    `${head} · ${d.label}`,
    `> ${a.projectName} ${t.room} ${t.summary}`,
    `> ${when}`,
    `> 通知：${a.roles.map((r) => ROLE_LABEL[r] ?? r).join('、')}`,
    a.mentions.map((u) => `<@${u}>`).join(' '),
  ]
    .filter(Boolean)
    .join('\n');
}
