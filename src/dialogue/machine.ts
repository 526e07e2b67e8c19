// The intake dialogue as a pure state machine: step(session, inbound, ctx) → { session, replies, commands }.
// It decides what to ask and what to do; the use case runs the commands (create/update tickets) and renders their
// replies.
import type { InboundContent } from './inbound.js';
import type { RuleEngine, TextClassification } from '../rules/index.js';
import { normalizeText } from '../text/normalize.js';
import {
  correctionBody,
  ratingOf,
  isCancel,
  isCancelTicket,
  isGreeting,
  isMyTickets,
  isNo,
  isSkip,
  isThanks,
  isYes,
  menuChoice,
  refersToEarlierReport,
  TICKET_NO,
} from './intents.js';
import { say } from './messages.js';
import {
  asBareName,
  correctedName,
  extractSlots,
  findPhone,
  nameAsWritten,
  nameInAnswer,
  withoutSlots,
  type Slots,
} from './slots.js';

export type DialogueState = 'idle' | 'collecting' | 'choosing_project' | 'confirming_identity' | 'awaiting_phone';
type Expecting = 'problem' | 'name' | 'room';

export interface Draft extends Slots {
  projectCode?: string;
  problem?: string;
  summary?: string;
  images: string[];
  location?: { lat: number; lng: number; label?: string };
}

export interface Session {
  state: DialogueState;
  expecting?: Expecting;
  draft: Draft;
  /**
   * The ticket this conversation last created: corrections and a late phone number go there. `stale`: the
   * conversation went idle since; only a bare phone number (the answer to the ticket reply's question) still does.
   */
  last?: { ticketNo: string; name: string; room: string; stale?: boolean };
  lastActiveAt?: string;
}

export interface Profile {
  name?: string | null;
  room?: string | null;
  phone?: string | null;
  projectCode?: string | null;
}

export interface ProjectRef {
  code: string;
  name: string;
  aliases: string[];
  rulePack?: string;
  /** This project's menu keys, over the company's. */
  menu?: Record<string, MenuAction>;
}

/** What a menu button (its EventKey) does; config/organisation.json `menu`. */
export type MenuAction = 'report' | 'complain' | 'tickets' | 'welcome' | { reply: string };

/** The text rules the dialogue needs: what a message is about, and whether it describes a problem at all. */
export type TextRules = Pick<RuleEngine, 'classify' | 'looksLikeProblem'>;

export interface StepContext {
  now: Date;
  rules: TextRules;
  idleMinutes: number;
  botName: string;
  projects: ProjectRef[];
  /** The company's menu keys. */
  menu: Record<string, MenuAction>;
  profile?: Profile;
}

export interface Intake {
  projectCode: string;
  name: string;
  room: string;
  phone?: string;
  problem: string;
  summary: string;
  images: string[];
  location?: Draft['location'];
  classification: TextClassification;
}

export type TicketPatch = Partial<Pick<Slots, 'name' | 'room' | 'phone'>> & {
  image?: string;
  location?: Draft['location'];
};

export type Command =
  | { type: 'create_ticket'; intake: Intake; askPhone: boolean }
  | { type: 'update_ticket'; ticketNo: string; patch: TicketPatch }
  | { type: 'cancel_ticket'; ticketNo: string }
  | { type: 'list_tickets' }
  | { type: 'show_ticket'; ticketNo: string }
  | { type: 'rate'; rating: 'satisfied' | 'neutral' | 'unsatisfied' };

export interface StepResult {
  session: Session;
  replies: string[];
  commands: Command[];
}

export const newSession = (): Session => ({ state: 'idle', draft: { images: [] } });

export function step(previous: Session, content: InboundContent, ctx: StepContext): StepResult {
  const { session, notes } = expireIfIdle(previous, ctx);
  const r = dispatch(session, content, ctx);
  // The expiry note already says what to do next; "没有理解" after it would only blame the resident for a stale answer.
  const replies = notes.length > 0 ? [...notes, ...r.replies.filter((t) => t !== say.didNotUnderstand())] : r.replies;
  return { ...r, session: { ...r.session, lastActiveAt: ctx.now.toISOString() }, replies };
}

const LATE_PHONE_HOURS = 24;

function expireIfIdle(s: Session, ctx: StepContext): { session: Session; notes: string[] } {
  if (!s.lastActiveAt) return { session: s, notes: [] };
  const idleMs = ctx.now.getTime() - Date.parse(s.lastActiveAt);
  if (idleMs <= ctx.idleMinutes * 60_000) return { session: s, notes: [] };
  const wasCollecting = s.state === 'collecting' || s.state === 'choosing_project' || s.state === 'confirming_identity';
  // The ticket reply asked for a phone; residents often answer hours later (after work). A day later it is news.
  const keep = s.last && idleMs <= LATE_PHONE_HOURS * 3_600_000 ? { last: { ...s.last, stale: true } } : {};
  return { session: { ...newSession(), ...keep }, notes: wasCollecting ? [say.expired(ctx.idleMinutes)] : [] };
}

const reply = (session: Session, ...replies: string[]): StepResult => ({ session, replies, commands: [] });

function dispatch(s: Session, c: InboundContent, ctx: StepContext): StepResult {
  switch (c.type) {
    case 'text':
      return onText(s, c.text, ctx);
    case 'event':
      return onEvent(s, c.event, c.key, ctx);
    case 'voice':
      // Elderly residents speak rather than type: the platform's recognition text is read as if typed, and said back
      // so that a misheard word can be corrected.
      if (c.recognition) {
        const r = onText(s, c.recognition, ctx);
        return { ...r, replies: [say.heardVoice(c.recognition), ...r.replies] };
      }
      // Mid-dialogue, repeat the pending question so the resident knows what to type.
      return s.state === 'collecting'
        ? advance(s, ctx, [say.voiceInText()], identityHandled(s))
        : reply(s, say.voiceUnsupported());
    case 'image':
      return onAttachment(s, { image: c.mediaId }, say.imageReceived(), ctx);
    case 'location':
      return onAttachment(
        s,
        { location: { lat: c.lat, lng: c.lng, label: c.label } },
        say.locationReceived(c.label),
        ctx,
      );
    default:
      return reply(s, say.unsupported());
  }
}

// Events the resident caused but that ask for nothing (a link button, leaving, a location report) get no reply.
function onEvent(s: Session, event: string, key: string | undefined, ctx: StepContext): StepResult {
  const name = event.toLowerCase();
  if (name === 'subscribe' || name === 'enter_agent') return reply(s, say.welcome(ctx.botName));
  if (name !== 'click') return reply(s);
  const action = key === undefined ? undefined : menuOf(s, ctx)[key];
  if (action === undefined) return reply(s, say.welcome(ctx.botName));
  if (typeof action === 'object') return reply(s, action.reply);
  if (action === 'tickets') return listTickets(s);
  if (action === 'welcome') return reply(s, say.welcome(ctx.botName));
  // Mid-report, the button is a reminder of what the bot still needs rather than a fresh start.
  if (s.state !== 'idle') return advance(s, ctx, [], identityHandled(s));
  const ask = action === 'complain' ? say.askComplaint() : say.askProblem();
  return reply({ ...s, state: 'collecting', expecting: 'problem' }, ask);
}

function menuOf(s: Session, ctx: StepContext): Record<string, MenuAction> {
  const code =
    s.draft.projectCode ?? ctx.profile?.projectCode ?? (ctx.projects.length === 1 ? ctx.projects[0]!.code : null);
  const project = ctx.projects.find((p) => p.code === code);
  return { ...ctx.menu, ...project?.menu };
}

function onAttachment(s: Session, patch: TicketPatch, ack: string, ctx: StepContext): StepResult {
  // Right after a ticket (until the session goes idle), a photo or location is almost always for that ticket.
  if ((s.state === 'awaiting_phone' || s.state === 'idle') && s.last && !s.last.stale) {
    return { session: s, replies: [], commands: [{ type: 'update_ticket', ticketNo: s.last.ticketNo, patch }] };
  }
  const draft: Draft = {
    ...s.draft,
    images: patch.image ? [...s.draft.images, patch.image] : s.draft.images,
    location: patch.location ?? s.draft.location,
  };
  return advance({ ...s, state: s.state === 'idle' ? 'collecting' : s.state, draft }, ctx, [ack]);
}

function onText(s: Session, raw: string, ctx: StepContext): StepResult {
  return namesAsWritten(onNormalisedText(s, raw, ctx), raw);
}

/** Every name this message gave, back in the characters the resident typed (陳生 stays 陳生). */
function namesAsWritten(r: StepResult, raw: string): StepResult {
  const keep = <T extends { name?: string }>(o: T): T => (o.name ? { ...o, name: nameAsWritten(raw, o.name) } : o);
  return {
    ...r,
    session: { ...r.session, draft: keep(r.session.draft) },
    commands: r.commands.map((c) =>
      c.type === 'create_ticket'
        ? { ...c, intake: keep(c.intake) }
        : c.type === 'update_ticket'
          ? { ...c, patch: keep(c.patch) }
          : c,
    ),
  };
}

function onNormalisedText(s: Session, raw: string, ctx: StepContext): StepResult {
  const { display, match } = normalizeText(raw);
  // Emoji or stickers alone: still a message from a resident, so still an answer.
  if (!match) return reply(s, say.onlyEmoji());
  const ticketNo = TICKET_NO.exec(match)?.[1];
  if (ticketNo && isCancel(match)) return { session: s, replies: [], commands: [{ type: 'cancel_ticket', ticketNo }] };
  if (ticketNo) return { session: s, replies: [], commands: [{ type: 'show_ticket', ticketNo }] };
  if (isMyTickets(match) && (!problemIn(ctx, s, withoutSlots(match)) || refersToEarlierReport(match)))
    return listTickets(s);
  if (isCancel(match) && !isSkipInPhoneState(s, match)) return onCancel(s, match);
  const rating = s.state === 'idle' ? ratingOf(match) : undefined;
  if (rating) return { session: s, replies: [], commands: [{ type: 'rate', rating }] };
  switch (s.state) {
    case 'awaiting_phone':
      return onAwaitingPhone(s, display, match, ctx);
    case 'confirming_identity':
      return onConfirmIdentity(s, display, match, ctx);
    case 'choosing_project':
      return onChooseProject(s, display, match, ctx);
    default: {
      if (s.state === 'idle' && s.last) {
        const correction = s.last.stale ? undefined : correctionBody(match);
        if (correction !== undefined) return correctTicket(s, correction, ctx);
        const slots = extractSlots(match);
        // The ticket reply asked for a phone; one given after "跳过" still belongs to that ticket.
        if (slots.phone && !slots.room && !slots.name && !problemIn(ctx, s, withoutSlots(match)))
          return updateLast(s, { phone: slots.phone });
      }
      if (s.state === 'idle') {
        const choice = menuChoice(match);
        if (choice === 'tickets') return listTickets(s);
        if (choice === 'report') return reply({ ...s, state: 'collecting', expecting: 'problem' }, say.askProblem());
      }
      return collect(s, display, match, ctx);
    }
  }
}

const isSkipInPhoneState = (s: Session, match: string) => s.state === 'awaiting_phone' && isSkip(match);
const listTickets = (s: Session): StepResult => ({ session: s, replies: [], commands: [{ type: 'list_tickets' }] });
const updateLast = (s: Session, patch: TicketPatch): StepResult => ({
  session: { ...s, state: 'idle' },
  replies: [],
  commands: [{ type: 'update_ticket', ticketNo: s.last!.ticketNo, patch }],
});

/**
 * Before a ticket exists any cancel word drops the draft. Once it exists (the phone question, or later in the
 * same session) only a clear "取消/算了/不修了" cancels it; "没事了/不用了" there means "that's all".
 */
function onCancel(s: Session, match: string): StepResult {
  if ((s.state === 'awaiting_phone' || s.state === 'idle') && s.last && !s.last.stale) {
    if (!isCancelTicket(match)) return reply({ ...s, state: 'idle' }, say.keepTicket(s.last.ticketNo));
    return { session: newSession(), replies: [], commands: [{ type: 'cancel_ticket', ticketNo: s.last.ticketNo }] };
  }
  if (s.state === 'idle') return reply(s, say.nothingToCancel());
  return reply({ ...newSession(), last: s.last }, say.cancelled());
}

function onAwaitingPhone(s: Session, display: string, match: string, ctx: StepContext): StepResult {
  const last = s.last!;
  const correction = correctionBody(match);
  if (correction !== undefined) return correctTicket(s, correction, ctx);
  const phone = findPhone(match);
  const newProblem = problemIn(ctx, s, withoutSlots(match));
  if (phone && !newProblem) return updateLast(s, { phone: phone.value });
  if (isSkip(match)) return reply({ ...s, state: 'idle' }, say.phoneSkipped());
  if (newProblem) return collect({ ...newSession(), last }, display, match, ctx);
  return reply(s, say.askPhoneAgain());
}

function onConfirmIdentity(s: Session, _display: string, match: string, ctx: StepContext): StepResult {
  if (isYes(match)) return advance({ ...s, state: 'collecting' }, ctx, [], true);
  if (isNo(match)) {
    const draft = { ...s.draft, name: undefined, room: undefined, phone: undefined };
    return advance({ ...s, state: 'collecting', draft }, ctx, [], true);
  }
  const slots = { ...extractSlots(correctionBody(match) ?? match) };
  if (!slots.name && !slots.room && !slots.phone)
    return reply(s, say.confirmIdentity(s.draft.name!, s.draft.room!, s.draft.phone));
  return advance({ ...s, state: 'collecting', draft: { ...s.draft, ...slots } }, ctx, [], true);
}

function onChooseProject(s: Session, _display: string, match: string, ctx: StepContext): StepResult {
  const index = /^\s*(\d{1,2})\s*$/.exec(match)?.[1];
  const chosen = index ? ctx.projects[Number(index) - 1] : projectIn(match, ctx.projects);
  // A name or room given instead of (or with) the 小区 is kept, so it is not asked for again later.
  const given = index ? {} : { name: asBareName(match), ...definedOnly(extractSlots(match)) };
  const draft: Draft = { ...s.draft, ...definedOnly(given) };
  if (!chosen) {
    const noted = Object.keys(definedOnly(given)).length > 0 ? [say.noted()] : [];
    return reply({ ...s, draft }, ...noted, say.askProject(ctx.projects.map((p) => p.name)));
  }
  return advance({ ...s, state: 'collecting', draft: { ...draft, projectCode: chosen.code } }, ctx);
}

function projectIn(match: string, projects: ProjectRef[]): ProjectRef | undefined {
  return projects.find((p) => [p.name, ...p.aliases].some((n) => match.includes(n.toUpperCase())));
}

function collect(s: Session, display: string, match: string, ctx: StepContext): StepResult {
  const correction = correctionBody(match);
  const body = correction ?? match;
  const found = extractSlots(body);
  if (correction !== undefined) {
    if (!found.name && !found.room && !found.phone) found.name = correctedName(body);
  } else if (!found.name && s.expecting === 'name') found.name = nameInAnswer(body);
  // In a shopping mall the answer to "where" is a place in words ("B1层扶梯口"), not a 楼栋-单元-房号.
  const place =
    !found.room && s.expecting === 'room' && correction === undefined && inMall(ctx, s.draft.projectCode)
      ? asPlace(display)
      : undefined;
  if (place) found.room = place;
  if (!found.room && correction !== undefined && s.draft.room) found.room = replaceRoomNumber(s.draft.room, body);
  const draft: Draft = { ...s.draft, ...definedOnly(found) };
  const project = projectIn(match, ctx.projects);
  if (project) draft.projectCode = project.code;

  const rest = place ? '' : withoutSlots(body);
  const gained = Object.keys(definedOnly(found)).length > 0 || project !== undefined;
  const describesProblem =
    rest.length >= 2 &&
    !isGreeting(rest) &&
    !isYes(rest) &&
    !isThanks(rest) &&
    (problemIn(ctx, s, rest) || (s.expecting === 'problem' && !gained));
  if (describesProblem && correction === undefined) {
    draft.problem = draft.problem ? `${draft.problem}；${display}` : display;
    draft.summary = draft.summary ?? summarize(rest);
  }
  if (!gained && !describesProblem) {
    if (s.state === 'idle') return reply(s, idleAnswer(match, ctx));
    if (s.expecting === 'room') return reply(s, say.askRoomAgain());
    if (s.expecting === 'name') return reply(s, say.askNameAgain());
  }
  return advance({ ...s, state: 'collecting', draft }, ctx, [], identityHandled(s));
}

function idleAnswer(match: string, ctx: StepContext): string {
  if (isGreeting(match)) return say.welcome(ctx.botName);
  if (isThanks(match)) return say.youAreWelcome();
  return say.didNotUnderstand();
}

/**
 * The returning-resident question comes before the name and room questions, so once the dialogue has asked for
 * a name or room it has been answered (or "不是" cleared it): the profile must not be offered again.
 */
const identityHandled = (s: Session) => s.expecting === 'name' || s.expecting === 'room';

/** "不对，是503" or "不是502，是503" with room 3-2-502 on file → 3-2-503. */
function replaceRoomNumber(room: string, text: string): string | undefined {
  const n = /(?:^|是|为|成)\s*(\d{3,4})(室|号|房)?$/.exec(text.trim())?.[1];
  if (!n) return undefined;
  return room.replace(/\d{3,4}$/, n);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function summarize(rest: string): string {
  const t = rest
    // A greeting or a form of address opens the message; "物业费…" is not the address "物业，…".
    .replace(/^((你好|您好|喂|在吗)[,，!！?？\s]*|(物业|管家|师傅)[,，!！?？\s]+)+/g, '')
    .replace(/[。.!！]+$/, '')
    // The match text is NFKC (half-width punctuation); residents read the summary back in Chinese punctuation.
    .replace(/[,;:!?()]/g, (c) => FULL_WIDTH[c] ?? c);
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}
const FULL_WIDTH: Record<string, string> = {
  ',': '，',
  ';': '；',
  ':': '：',
  '!': '！',
  '?': '？',
  '(': '（',
  ')': '）',
};

/** Ask for the next missing thing, or create the ticket once name, room and problem are known. */
function advance(s: Session, ctx: StepContext, prefix: string[] = [], identityConfirmed = false): StepResult {
  const d: Draft = { ...s.draft };
  if (!d.projectCode)
    d.projectCode = ctx.projects.length === 1 ? ctx.projects[0]!.code : (ctx.profile?.projectCode ?? undefined);
  const next = (state: DialogueState, expecting: Expecting | undefined, text: string): StepResult =>
    reply({ ...s, state, expecting, draft: d }, ...prefix, text);

  if (!d.problem) return next('collecting', 'problem', say.askProblem(d.name));
  if (!d.projectCode) return next('choosing_project', undefined, say.askProject(ctx.projects.map((p) => p.name)));
  const p = ctx.profile;
  const mall = inMall(ctx, d.projectCode);
  if (mall && p) {
    // A shopper is known by name and phone; where they are today is asked every time.
    d.name ??= p.name ?? undefined;
    d.phone ??= p.phone ?? undefined;
  }
  if (!mall && !identityConfirmed && p?.name && p.room && (!d.name || !d.room)) {
    d.name ??= p.name;
    d.room ??= p.room;
    d.phone ??= p.phone ?? undefined;
    return next('confirming_identity', undefined, say.confirmIdentity(d.name, d.room, d.phone));
  }
  // In an emergency every turn counts: ask for both at once (the answer "李娜，3栋2单元502" is understood).
  if (!d.name && !d.room && !mall && isEmergency(d.problem, ctx))
    return next('collecting', 'name', say.askNameAndRoomUrgent());
  if (!d.name) return next('collecting', 'name', say.askName());
  if (!d.room) return next('collecting', 'room', mall ? say.askPlace(isEmergency(d.problem, ctx)) : say.askRoom());
  return create(s, d, prefix, ctx);
}

/** Whether a text describes a problem, by the rules of the project the conversation is (most likely) about. */
const problemIn = (ctx: StepContext, s: Session, text: string) =>
  ctx.rules.looksLikeProblem(text, packOf(ctx, likelyProject(ctx, s)));
const likelyProject = (ctx: StepContext, s: Session) =>
  s.draft.projectCode ?? ctx.profile?.projectCode ?? (ctx.projects.length === 1 ? ctx.projects[0]!.code : undefined);

const inMall = (ctx: StepContext, projectCode: string | undefined) => packOf(ctx, projectCode) === 'mall';

/** What makes a mall correction a place rather than a name: a floor, a shop, a door, a number. */
const PLACE_WORDS = /[0-9A-Z楼层店铺门口梯号区馆厅场库台]/;

/** The room column holds 32 characters; a longer place keeps its beginning. */
const PLACE_MAX = 32;

/** A place in the mall as the shopper puts it: any short answer that is not a yes, a greeting or a skip. */
function asPlace(display: string): string | undefined {
  const t = display
    .trim()
    .replace(/^(我)?(现在)?(在|位置(是|在)?|地点(是|在)?|位于)[：:，,\s]*/, '')
    .replace(/[。.!！]+$/, '')
    .trim();
  if (t.length < 2 || isYes(t) || isNo(t) || isGreeting(t) || isThanks(t) || isSkip(t)) return undefined;
  return t.length > PLACE_MAX ? `${t.slice(0, PLACE_MAX - 1)}…` : t;
}

const isEmergency = (problem: string, ctx: StepContext) => classifyFor(problem, ctx, undefined).urgency === 'emergency';
const packOf = (ctx: StepContext, projectCode: string | undefined) =>
  ctx.projects.find((p) => p.code === projectCode)?.rulePack;
const classifyFor = (problem: string, ctx: StepContext, projectCode: string | undefined) =>
  ctx.rules.classify(normalizeText(problem).match, packOf(ctx, projectCode));

function create(s: Session, d: Draft, prefix: string[], ctx: StepContext): StepResult {
  const intake: Intake = {
    projectCode: d.projectCode!,
    name: d.name!,
    room: d.room!,
    phone: d.phone,
    problem: d.problem!,
    summary: d.summary ?? d.problem!.slice(0, 40),
    images: d.images,
    location: d.location,
    classification: classifyFor(d.problem!, ctx, d.projectCode),
  };
  const askPhone = !d.phone;
  return {
    session: { state: askPhone ? 'awaiting_phone' : 'idle', draft: { images: [] }, last: s.last },
    replies: prefix,
    commands: [{ type: 'create_ticket', intake, askPhone }],
  };
}

function correctTicket(s: Session, correction: string, ctx: StepContext): StepResult {
  const last = s.last!;
  const slots = extractSlots(correction);
  const patch: TicketPatch = definedOnly(slots);
  if (!patch.room) {
    // In a mall, "不对，是B2层扶梯口" moves the place; elsewhere "不对，是503" changes the flat number.
    const room = inMall(ctx, likelyProject(ctx, s))
      ? PLACE_WORDS.test(correction)
        ? asPlace(correction)
        : undefined
      : replaceRoomNumber(last.room, correction);
    if (room) patch.room = room;
  }
  if (!patch.name && !patch.room && !patch.phone) {
    const name = correctedName(correction);
    if (name) patch.name = name;
  }
  if (Object.keys(patch).length === 0) return reply(s, say.whatToCorrect());
  const updatedLast = { ...last, name: patch.name ?? last.name, room: patch.room ?? last.room };
  const state = s.state === 'awaiting_phone' && !patch.phone ? 'awaiting_phone' : 'idle';
  return {
    session: { ...s, state, last: updatedLast },
    replies: [],
    commands: [{ type: 'update_ticket', ticketNo: last.ticketNo, patch }],
  };
}
