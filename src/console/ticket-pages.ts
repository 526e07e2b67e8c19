// Tickets, queues and incidents. Reads go through the scoped console queries (another project's ticket is simply not
// found); acts go through the ticket use cases as the console user, who are refused there when they may not act.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { readForm } from '../http/read-body.js';
import { AppError } from '../lib/errors.js';
import { maskName, maskPersonalText, maskPhone } from '../lib/masking.js';
import { CATEGORIES, KINDS, TRADES, URGENCIES } from '../rules/index.js';
import type { CloseOutcome, CorrectOutcome, DecideOutcome, Ticket, TicketEvent } from '../tickets/index.js';
import type { ResolveOutcome } from '../tickets/index.js';
import { checkCsrf, hasRole, me, requireUser } from './guard.js';
import { render } from './render.js';
import type { ConsoleDeps } from './deps.js';
import type { Me } from './session.js';

const STATUSES = ['active', 'open', 'assigned', 'in_progress', 'resolved', 'closed', 'cancelled'] as const;
const blank = (v: unknown) => (v === '' ? undefined : v);
const day = z.preprocess(
  blank,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
);
const code = (values: readonly string[]) => z.preprocess(blank, z.enum(values as [string, ...string[]]).optional());
const ListQuery = z.object({
  status: code(STATUSES),
  category: code(CATEGORIES),
  urgency: code(URGENCIES),
  level: z.preprocess(blank, z.string().max(16).optional()),
  project: z.preprocess(blank, z.string().max(16).optional()),
  handler: z.preprocess(blank, z.string().max(64).optional()),
  overdue: z.preprocess(blank, z.literal('1').optional()),
  from: day,
  to: day,
  q: z.preprocess(blank, z.string().trim().max(64).optional()),
  before: z.preprocess(blank, z.coerce.number().int().positive().optional()),
});

/** What the page says after an act (PRG: the act redirects back with one of these codes). */
const DONE: Record<string, string> = {
  transferred: '已转派，处理人已收到通知。',
  labels: '分类已更正，并记入分类器的训练样本。',
  notes: '处理记录已保存。',
  approved: '已批准。',
  rejected: '已驳回。',
  closed: '工单已关闭，住户已收到通知。',
  resolved: '事件已办结，相关住户已收到通知。',
};

const PAGE_SIZE = 20;

export function ticketPages(router: Router, deps: ConsoleDeps): void {
  const { queries, tickets, clock } = deps;
  const projectName = (code: string) => deps.organisation.projects.find((p) => p.code === code)?.name ?? code;
  const levelLabel = (code: string) => deps.levels().find((l) => l.code === code)?.label ?? code;
  const visibleProjects = (m: Me) =>
    deps.organisation.projects.filter((p) => m.scope.projects === 'all' || m.scope.projects.includes(p.code));

  router.get('/', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    const now = clock.now();
    const handlerId = m.user.wecomUserId ?? m.user.username;
    const [queues, approvals] = await Promise.all([
      queries.queues(m.scope, handlerId, now),
      queries.pendingApprovals(m.scope, 5),
    ]);
    render(ctx, 'home', { queues, approvals, handlerId });
  });

  router.get('/tickets', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    const parsed = ListQuery.safeParse(ctx.query);
    if (!parsed.success) throw new AppError('BAD_REQUEST', `筛选条件有误：${z.prettifyError(parsed.error)}`);
    const f = parsed.data;
    const now = clock.now();
    const result = await queries.list(
      m.scope,
      {
        ...f,
        status: f.status as never,
        overdue: f.overdue === '1',
        from: f.from ? new Date(`${f.from}T00:00:00+08:00`) : undefined,
        to: f.to ? new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000) : undefined,
        pageSize: PAGE_SIZE,
      },
      now,
    );
    const query = new URLSearchParams(
      Object.entries(f).flatMap(([k, v]): [string, string][] =>
        v === undefined || k === 'before' ? [] : [[k, String(v)]],
      ),
    );
    const nextUrl = result.next ? `/console/tickets?${withParam(query, 'before', String(result.next))}` : undefined;
    render(ctx, 'tickets', {
      f,
      result,
      rows: result.items.map((t) => row(t, now)),
      nextUrl,
      firstUrl: f.before ? `/console/tickets?${query}` : undefined,
      projects: visibleProjects(m),
      levels: deps.levels(),
      categories: CATEGORIES,
      urgencies: URGENCIES,
      statuses: STATUSES,
      projectName,
      levelLabel,
    });
  });

  async function ticketPage(ctx: Context, extra: { revealed?: string; error?: string } = {}, status = 200) {
    const m = me(ctx)!;
    const found = await queries.ticket(m.scope, ctx.params.no ?? '');
    if (!found) throw new AppError('NOT_FOUND', `工单 ${ctx.params.no} 不存在，或不在您负责的范围内`);
    const { ticket: t } = found;
    const now = clock.now();
    const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
    const project = deps.organisation.projects.find((p) => p.code === t.projectCode);
    render(
      ctx,
      'ticket',
      {
        ...found,
        t,
        masked: { name: maskName(t.residentName), phone: t.phone ? maskPhone(t.phone) : null },
        timeline: found.timeline.map((e) => eventView(e, t)),
        deadlines: found.deadlines.map((d) => ({
          ...d,
          state: d.metAt ? (d.metAt <= d.dueAt ? '按时完成' : '超时完成') : d.dueAt < now ? '已超时' : '进行中',
          late: !d.metAt && d.dueAt < now,
        })),
        staff: project ? staffOf(project) : [],
        done,
        can: {
          work: hasRole(m, 'admin', 'manager', 'handler'),
          direct: hasRole(m, 'admin', 'manager'),
          decide: hasRole(m, 'manager'),
          reveal: hasRole(m, 'admin', 'manager', 'handler') && !!t.phone,
        },
        kinds: KINDS,
        categories: CATEGORIES,
        trades: TRADES,
        urgencies: URGENCIES,
        levels: deps.levels(),
        projectName,
        levelLabel,
        ...extra,
      },
      status,
    );
  }

  router.get('/tickets/:no', requireUser(), (ctx) => ticketPage(ctx));

  /**
   * Every act on a ticket: CSRF checked, then the use case as the console user; a refusal comes back on the ticket's
   * page, success redirects to it with what was done (`done`, or the decision's).
   */
  type Handle = (m: Me, form: URLSearchParams, no: string, ctx: Context) => Promise<string | undefined>;
  const postAct = (path: string, done: string | ((form: URLSearchParams) => string), handle: Handle) =>
    router.post(`/tickets/:no/${path}`, requireUser(), async (ctx) => {
      const m = me(ctx)!;
      const form = await readForm(ctx);
      checkCsrf(m.csrf, form.get('_csrf'));
      const no = ctx.params.no ?? '';
      const error = await handle(m, form, no, ctx);
      if (error) return ticketPage(ctx, { error }, 409);
      const what = typeof done === 'string' ? done : done(form);
      ctx.redirect(`/console/tickets/${encodeURIComponent(no)}?done=${what}`);
    });
  const field = (form: URLSearchParams, name: string, max = 500) => (form.get(name) ?? '').trim().slice(0, max);

  postAct('transfer', 'transferred', async (m, form, no) => {
    const to = field(form, 'to', 64);
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(to)) return '请填写接手同事的企业微信账号';
    return refusal(await tickets.transfer(m.actor, no, to));
  });

  postAct('labels', 'labels', async (m, form, no) => {
    const pick = <T extends string>(name: string, values: readonly T[]) => {
      const v = form.get(name);
      return v && (values as readonly string[]).includes(v) ? (v as T) : undefined;
    };
    const trade = form.get('trade');
    const fix = {
      kind: pick('kind', KINDS),
      category: pick('category', CATEGORIES),
      urgency: pick('urgency', URGENCIES),
      level: form.get('level') || undefined,
      ...(trade === 'none' ? { trade: null } : trade ? { trade: pick('trade', TRADES) } : {}),
    };
    return correctionRefusal(await tickets.recategorise(m.actor, no, fix));
  });

  postAct('notes', 'notes', async (m, form, no) => {
    const notes = {
      causeAnalysis: field(form, 'causeAnalysis', 2000),
      correctiveAction: field(form, 'correctiveAction', 2000),
      handlingOpinion: field(form, 'handlingOpinion', 2000),
      leaderInstruction: field(form, 'leaderInstruction', 2000),
    };
    return refusal(await tickets.addHandlingNotes(m.actor, no, notes));
  });

  const approving = (form: URLSearchParams) => form.get('decision') === 'approve';
  postAct(
    'approvals/:id',
    (form) => (approving(form) ? 'approved' : 'rejected'),
    async (m, form, no, ctx) => {
      const id = Number(ctx.params.id);
      const approved = approving(form);
      const reason = field(form, 'reason', 200);
      if (!approved && reason.length < 2) return '驳回时请写明理由';
      const found = await queries.ticket(m.scope, no);
      if (!found?.approvals.some((a) => a.id === id)) return '审批事项不存在';
      return decisionRefusal(await tickets.decideApproval(m.actor, id, approved, reason));
    },
  );

  postAct('close', 'closed', async (m, form, no) =>
    closeRefusal(await tickets.close(m.actor, no, field(form, 'note', 500))),
  );

  /** Seeing a full phone number is a processing act of its own (PIPL): a reason, and a line in the audit log. */
  router.post('/tickets/:no/reveal', requireUser('admin', 'manager', 'handler'), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const reason = field(form, 'reason', 200);
    if (reason.length < 2) return ticketPage(ctx, { error: '查看完整电话需要填写理由' }, 400);
    const found = await queries.ticket(m.scope, ctx.params.no ?? '');
    if (!found) throw new AppError('NOT_FOUND', `工单 ${ctx.params.no} 不存在，或不在您负责的范围内`);
    await deps.store.audit(
      { actor: m.user.username, action: 'reveal_phone', ticketNo: found.ticket.no, reason, ip: ctx.ip },
      clock.now(),
    );
    deps.logger.info({ user: m.user.username, ticket: found.ticket.no }, 'phone revealed');
    return ticketPage(ctx, { revealed: found.ticket.phone ?? '' });
  });

  router.get('/incidents', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    const status = ctx.query.status === 'resolved' ? 'resolved' : ctx.query.status === 'all' ? undefined : 'open';
    const items = await queries.incidents(m.scope, status, 100);
    render(ctx, 'incidents', { items, status: status ?? 'all', projectName, levelLabel });
  });

  router.get('/incidents/:id', requireUser(), async (ctx) => {
    const m = me(ctx)!;
    const id = Number(ctx.params.id);
    const found = Number.isInteger(id) ? await queries.incident(m.scope, id) : undefined;
    if (!found) throw new AppError('NOT_FOUND', `事件 ${ctx.params.id} 不存在，或不在您负责的范围内`);
    const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
    render(ctx, 'incident', {
      ...found,
      rows: found.members.map((t) => row(t, clock.now())),
      projectName,
      levelLabel,
      done,
      canResolve: hasRole(m, 'admin', 'manager'),
    });
  });

  router.post('/incidents/:id/resolve', requireUser('admin', 'manager'), async (ctx) => {
    const m = me(ctx)!;
    const form = await readForm(ctx);
    checkCsrf(m.csrf, form.get('_csrf'));
    const id = Number(ctx.params.id);
    const resolution = field(form, 'resolution', 500);
    if (resolution.length < 2) throw new AppError('BAD_REQUEST', '请写明处理结果');
    const r: ResolveOutcome = await tickets.resolveIncident(m.actor, id, resolution);
    if (!r.ok)
      throw r.reason === 'already_resolved'
        ? new AppError('CONFLICT', `事件 ${id} 已经办结`)
        : new AppError('NOT_FOUND', `事件 ${id} 不存在，或不在您负责的范围内`);
    ctx.redirect(`/console/incidents/${id}?done=resolved`);
  });
}

function withParam(q: URLSearchParams, key: string, value: string): string {
  const copy = new URLSearchParams(q);
  copy.set(key, value);
  return copy.toString();
}

/** A list row: the resident masked, the response deadline's state. */
function row(t: Ticket, now: Date) {
  const active = t.status === 'open' || t.status === 'assigned' || t.status === 'in_progress';
  return { ...t, residentName: maskName(t.residentName), overdue: active && t.responseDueAt < now };
}

const EVENT_LABEL: Record<string, string> = {
  created: '受理',
  updated: '更新',
  attached: '补充',
  cancelled: '撤销',
  notified: '通知',
  graded: '定级',
  routed: '派单',
  incident: '并入事件',
  reclassified: '更正分类',
  resolved: '事件办结',
  accepted: '接单',
  arrived: '到场',
  completed: '完成',
  transferred: '转派',
  approval_requested: '提交审批',
  approved: '批准',
  rejected: '驳回',
  rated: '评价',
  reopened: '重新打开',
  closed: '关闭',
};

const DATA_LABEL: Record<string, string> = {
  channel: '渠道',
  receiver: '接报人',
  department: '部门',
  handler: '处理人',
  from: '原',
  to: '给',
  rules: '规则',
  note: '说明',
  reason: '理由',
  plan: '方案',
  level: '等级',
  category: '类别',
  urgency: '紧急程度',
  rating: '评价',
};
const HIDDEN_DATA = new Set(['confidence', 'correction']);

/** A timeline line for people: what, who, when, and its data with the resident's name and phones masked. */
function eventView(e: TicketEvent, t: Ticket) {
  const data = e.data
    ? Object.entries(e.data)
        .filter(([k, v]) => v !== null && v !== '' && !HIDDEN_DATA.has(k))
        .map(([k, v]) => `${DATA_LABEL[k] ?? k}：${Array.isArray(v) ? v.join('、') : String(v)}`)
        .join('；')
    : '';
  return {
    at: e.at,
    label: EVENT_LABEL[e.type] ?? e.type,
    actor: e.actor,
    data: maskPersonalText(data, { name: t.residentName, phone: t.phone }).slice(0, 400),
  };
}

function staffOf(p: ConsoleDeps['organisation']['projects'][number]): string[] {
  const ids = new Set<string>([
    p.receptionist,
    ...p.notifyWecomUsers,
    ...p.roster.map((r) => r.user),
    ...Object.values(p.people).flat(),
  ]);
  ids.delete('');
  return [...ids].sort();
}

function refusal(r: Exclude<CloseOutcome, { kind: 'not-resolved' }>): string | undefined {
  switch (r.kind) {
    case 'done':
      return undefined;
    case 'not-found':
      return `工单 ${r.ticketNo} 不存在`;
    case 'not-allowed':
      return `您无权处理工单 ${r.ticket.no}（${r.project.name}）`;
    case 'finished':
      return `工单 ${r.ticket.no} 已关闭或已撤销`;
  }
}

const closeRefusal = (r: CloseOutcome) =>
  r.kind === 'not-resolved' ? `工单 ${r.ticket.no} 尚未完成（${r.ticket.status}），不能关闭` : refusal(r);

const correctionRefusal = (r: CorrectOutcome) =>
  r.kind === 'unknown-level' ? `未知的事件等级 ${r.level}` : refusal(r);

function decisionRefusal(r: DecideOutcome): string | undefined {
  switch (r.kind) {
    case 'decided':
      return undefined;
    case 'not-found':
      return '审批事项不存在';
    case 'nothing-pending':
      return '没有待审批的事项';
    case 'not-allowed':
      return '您无权审批此事项';
    case 'already-decided':
      return `此事项已由 ${r.approval.decidedBy ?? '他人'} 审批`;
  }
}
