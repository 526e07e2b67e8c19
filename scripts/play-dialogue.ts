// A labelled dialogue played through the bot's own dialogue (the pure state machine, with the rules and model it is
// given) and the ticket it ends with, as the intake use case would keep it: created, corrected, given a phone, or
// cancelled. For `npm run eval`'s whole-dialogue figure.
import { type Command, newSession, type Profile, type Session, step, type StepContext } from '../src/dialogue/index.js';
import { DEFAULT_MENU } from '../src/organisation/index.js';
import type { RuleEngine } from '../src/rules/index.js';
import type { LabelledDialogue } from './corpus-files.js';

export interface DialogueTicket {
  name: string;
  room: string;
  phone: string | null;
  category: string;
  urgency: string;
  cancelled: boolean;
}

export type DialogueResult =
  | { ok: true }
  | { ok: false; wrong: string[]; ticket: DialogueTicket | null; replies: string[] };

const START = new Date('2026-11-18T10:00:00+08:00');
const PROJECTS = [{ code: 'XFL', name: '幸福里花园', aliases: ['幸福里'] }];

export function playDialogue(engine: RuleEngine, d: LabelledDialogue): DialogueResult {
  let session: Session = newSession();
  let profile: Profile | undefined;
  let ticket: DialogueTicket | null = null;
  const replies: string[] = [];
  d.turns.forEach((says, i) => {
    const ctx: StepContext = {
      now: new Date(START.getTime() + (i + 1) * 60_000),
      rules: engine,
      idleMinutes: 30,
      botName: '物业客服',
      projects: PROJECTS,
      menu: DEFAULT_MENU,
      profile,
    };
    const r = step(session, { type: 'text', text: says }, ctx);
    session = r.session;
    for (const c of r.commands) {
      ({ session, ticket, profile } = apply(c, session, ticket, profile));
    }
    replies.push(`> ${says}`, ...r.replies);
  });
  const wrong = judge(d, ticket);
  return wrong.length === 0 ? { ok: true } : { ok: false, wrong, ticket, replies };
}

function apply(c: Command, session: Session, ticket: DialogueTicket | null, profile: Profile | undefined) {
  switch (c.type) {
    case 'create_ticket': {
      const { intake } = c;
      const made: DialogueTicket = {
        name: intake.name,
        room: intake.room,
        phone: intake.phone ?? null,
        category: intake.classification.category,
        urgency: intake.classification.urgency,
        cancelled: false,
      };
      return {
        session: { ...session, last: { ticketNo: 'T-1', name: intake.name, room: intake.room } },
        ticket: made,
        profile: { name: intake.name, room: intake.room, phone: intake.phone ?? null, projectCode: intake.projectCode },
      };
    }
    case 'update_ticket': {
      if (!ticket) return { session, ticket, profile };
      const p = c.patch;
      const next = { ...ticket, ...definedOf({ name: p.name, room: p.room, phone: p.phone }) };
      return {
        session,
        ticket: next,
        profile: { ...profile, ...definedOf({ name: p.name, room: p.room, phone: p.phone }) },
      };
    }
    case 'cancel_ticket':
      return {
        session: { ...session, state: 'idle' as const, last: undefined },
        ticket: ticket && { ...ticket, cancelled: true },
        profile,
      };
    default:
      return { session, ticket, profile };
  }
}

const definedOf = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

function judge(d: LabelledDialogue, t: DialogueTicket | null): string[] {
  const e = d.expect;
  if ('cancelled' in e) return t && !t.cancelled ? ['未取消'] : [];
  if (!t) return ['没有建单'];
  if (t.cancelled) return ['被取消'];
  const wrong: string[] = [];
  if (t.name !== e.name) wrong.push('姓名');
  if (t.room !== e.room) wrong.push('房号');
  if ((t.phone ?? null) !== (e.phone ?? null)) wrong.push('电话');
  if (t.category !== e.category) wrong.push('类别');
  if (t.urgency !== e.urgency) wrong.push('紧急程度');
  return wrong;
}
