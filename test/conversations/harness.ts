// Runs a transcript table through the pure dialogue and plays the part of the intake use case for its commands,
// the way src/intake/commands.ts does: a created ticket is remembered in session.last (a cancelled one forgotten),
// and the resident's profile (name, room, phone, 小区) is saved on creation and on every correction.
import { expect } from 'vitest';
import type { InboundContent } from '../../src/dialogue/inbound.js';
import {
  newSession,
  step,
  ticketSay,
  type Command,
  type Intake,
  type Profile,
  type ProjectRef,
  type Session,
  type StepContext,
  type TicketPatch,
} from '../../src/dialogue/index.js';

export const ONE_PROJECT: ProjectRef[] = [{ code: 'XFL', name: '幸福里花园', aliases: ['幸福里'] }];
export const TWO_PROJECTS: ProjectRef[] = [
  { code: 'XFL', name: '幸福里花园', aliases: ['幸福里'] },
  { code: 'JHY', name: '锦华苑', aliases: ['锦华'] },
];
export const BOT_NAME = '幸福里物业客服';
import { loadRuleEngine } from '../../src/config/rule-packs.js';
import { DEFAULT_MENU } from '../../src/organisation/index.js';

const RULES = loadRuleEngine('config');
const START = new Date('2026-11-22T09:00:00+08:00');

type Text = string | RegExp;
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What one turn must produce. Every field is optional; a turn with `{}` only checks that nothing throws. */
export interface Expect {
  /** Each must appear in the reply the resident sees (all replies of the turn joined). */
  says?: Text | Text[];
  /** None of these may appear in the reply. */
  never?: Text | Text[];
  /** The turn must emit exactly these commands (matched as partial objects, in order). */
  commands?: DeepPartial<Command>[];
  /** Shorthand: exactly one create_ticket whose intake matches this partial. */
  creates?: DeepPartial<Intake> & { askPhone?: boolean };
  /** Shorthand: exactly one update_ticket with this patch (ticketNo is the last ticket). */
  updates?: TicketPatch;
  /** Shorthand: no commands at all. */
  noCommand?: true;
  /** The dialogue state after the turn. */
  state?: Session['state'];
  /** Minutes to wait before this turn (default 1). */
  after?: number;
  /** The turn may produce no reply at all (events that need none). */
  silent?: true;
}

export type Turn = [says: string | InboundContent, expect: Expect];

export interface Conversation {
  name: string;
  turns: Turn[];
  projects?: ProjectRef[];
  profile?: Profile;
  menu?: StepContext['menu'];
}

export interface Transcript {
  session: Session;
  profile?: Profile;
  tickets: Map<string, { intake: Intake; status: 'open' | 'cancelled'; patches: TicketPatch[] }>;
  log: string[];
}

const ticketNo = (seq: number) => `KF-20261122-${String(seq).padStart(4, '0')}`;

/** What the use case would answer for a command, so the tables can read the resident's whole reply. */
function runCommand(t: Transcript, command: Command, now: Date): string {
  const session = t.session;
  switch (command.type) {
    case 'create_ticket': {
      const no = ticketNo(t.tickets.size + 1);
      const { intake } = command;
      t.tickets.set(no, { intake, status: 'open', patches: [] });
      t.session = { ...session, last: { ticketNo: no, name: intake.name, room: intake.room } };
      t.profile = {
        name: intake.name,
        room: intake.room,
        phone: intake.phone ?? null,
        projectCode: intake.projectCode,
      };
      const minutes = intake.classification.urgency === 'emergency' ? 30 : 120;
      const view = {
        no,
        summary: intake.summary,
        status: 'open',
        createdAt: now,
        classification: intake.classification,
        responseDueAt: new Date(now.getTime() + minutes * 60_000),
      };
      return ticketSay.created(view, intake.name, intake.room, now, command.askPhone);
    }
    case 'update_ticket': {
      const ticket = t.tickets.get(command.ticketNo);
      if (!ticket) return ticketSay.notFound(command.ticketNo);
      ticket.patches.push(command.patch);
      const p = command.patch;
      if (p.name || p.room || p.phone)
        t.profile = {
          ...t.profile,
          ...(p.name && { name: p.name }),
          ...(p.room && { room: p.room }),
          ...(p.phone && { phone: p.phone }),
        };
      return [
        p.name && `姓名改为 ${p.name}`,
        p.room && `房号改为 ${p.room}`,
        p.phone && `电话 ${p.phone}`,
        p.image && '图片',
      ]
        .filter(Boolean)
        .join('，');
    }
    case 'cancel_ticket': {
      const ticket = t.tickets.get(command.ticketNo);
      if (!ticket) return ticketSay.notFound(command.ticketNo);
      ticket.status = 'cancelled';
      t.session = {
        ...session,
        state: 'idle',
        last: session.last?.ticketNo === command.ticketNo ? undefined : session.last,
      };
      return ticketSay.cancelled(command.ticketNo);
    }
    case 'list_tickets':
      return '（工单列表）';
    case 'show_ticket':
      return `（工单详情 ${command.ticketNo}）`;
    case 'rate':
      return `（评价 ${command.rating}）`;
  }
}

const asContent = (says: string | InboundContent): InboundContent =>
  typeof says === 'string' ? { type: 'text', text: says } : says;
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const contains = (reply: string, t: Text) => (typeof t === 'string' ? reply.includes(t) : t.test(reply));

export function play(c: Conversation): Transcript {
  const t: Transcript = { session: newSession(), profile: c.profile, tickets: new Map(), log: [] };
  let now = START;
  c.turns.forEach(([says, want], i) => {
    now = new Date(now.getTime() + (want.after ?? 1) * 60_000);
    const ctx: StepContext = {
      now,
      rules: RULES,
      idleMinutes: 30,
      botName: BOT_NAME,
      projects: c.projects ?? ONE_PROJECT,
      menu: c.menu ?? DEFAULT_MENU,
      profile: t.profile,
    };
    const lastTicket = t.session.last?.ticketNo;
    const r = step(t.session, asContent(says), ctx);
    t.session = r.session;
    const replies = [...r.replies, ...r.commands.map((cmd) => runCommand(t, cmd, now))];
    const reply = replies.filter(Boolean).join('\n\n');
    t.log.push(`> ${typeof says === 'string' ? says : JSON.stringify(says)}\n${reply}`);
    const where =
      `turn ${i + 1} "${typeof says === 'string' ? says : says.type}" → ` +
      `${JSON.stringify(reply)} ${JSON.stringify(r.commands)}`;

    if (want.silent) expect(reply, where).toBe('');
    else expect(reply.length, `${where}: the resident got no reply`).toBeGreaterThan(0);
    for (const s of asList(want.says)) expect(contains(reply, s), `${where}: should say ${String(s)}`).toBe(true);
    for (const s of asList(want.never)) expect(contains(reply, s), `${where}: should not say ${String(s)}`).toBe(false);
    if (want.noCommand) expect(r.commands, where).toEqual([]);
    if (want.commands) {
      expect(r.commands, where).toHaveLength(want.commands.length);
      want.commands.forEach((cmd, j) => expect(r.commands[j], where).toMatchObject(cmd));
    }
    if (want.creates) {
      const { askPhone, ...intake } = want.creates;
      expect(r.commands, where).toHaveLength(1);
      expect(r.commands[0], where).toMatchObject({
        type: 'create_ticket',
        intake,
        ...(askPhone === undefined ? {} : { askPhone }),
      });
    }
    if (want.updates) {
      expect(r.commands, where).toEqual([{ type: 'update_ticket', ticketNo: lastTicket, patch: want.updates }]);
    }
    if (want.state) expect(t.session.state, where).toBe(want.state);
  });
  return t;
}
