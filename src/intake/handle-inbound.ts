// Use case: one chat message in, its replies out — exactly once per platform message id.
import { text, type InboundMessage, type Reply } from '../dialogue/inbound.js';
import { newSession, step, type Command, type Session, type StepContext } from '../dialogue/index.js';
import { parseStaffCommand, type StaffCommand } from '../staff/parse.js';
import { normalizeText } from '../text/normalize.js';
import { isStaff } from '../tickets/authorise.js';
import { counterScope } from '../tickets/index.js';
import type { IntakeDeps } from './context.js';
import { ConcurrencyError, recordedKey, type IntakeTx } from './ports.js';
import { runCommand } from './resident-commands.js';
import { attachPhoto, runCardClick, runStaffCommand } from './staff-chat.js';
import { decodeReplies, encodeReplies } from './stored-replies.js';

export type { IntakeDeps } from './context.js';

export interface IntakeResult {
  replies: Reply[];
  duplicate: boolean;
}

class DuplicateMessage extends Error {}

const MAX_ATTEMPTS = 4;

export async function handleInbound(deps: IntakeDeps, msg: InboundMessage): Promise<IntakeResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      // The same unit of work as a batch of one: the session is read ahead and locked, written back at commit.
      const replies = await deps.store.transaction(
        async (tx) => {
          const recorded = await tx.prefetch([msg]);
          if (recorded.has(recordedKey(msg.channel, msg.dedupeKey))) throw new DuplicateMessage();
          return processOnce(deps, tx, msg);
        },
        { batch: true },
      );
      return { replies, duplicate: false };
    } catch (err) {
      if (err instanceof DuplicateMessage) return storedReply(deps, msg);
      if (err instanceof ConcurrencyError && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/**
 * Group commit: one or more messages (from different users, with different ids) in one transaction, their sessions,
 * profiles and ids read with one statement each and written with one multi-row statement each. If anything in the
 * batch fails — a conflict with another instance, a deadlock, one bad message — the batch rolls back and every
 * message runs again on its own, so a batch never decides anything a single message would not.
 */
export async function handleInboundBatch(
  deps: IntakeDeps,
  msgs: readonly InboundMessage[],
  options: BatchOptions = {},
): Promise<BatchOutcome> {
  let replies: (Reply[] | undefined)[];
  try {
    replies = await withRetries(options.yieldOnConflict ? 1 : MAX_ATTEMPTS, () =>
      deps.store.transaction(
        async (tx) => {
          const recorded = await tx.prefetch(msgs);
          const plans = await planBatch(deps, tx, msgs, recorded);
          const out: (Reply[] | undefined)[] = [];
          for (const [i, msg] of msgs.entries())
            out.push(
              recorded.has(recordedKey(msg.channel, msg.dedupeKey))
                ? undefined
                : await processOnce(deps, tx, msg, plans[i]),
            );
          return out;
        },
        { batch: true },
      ),
    );
  } catch (err) {
    if (options.yieldOnConflict && err instanceof ConcurrencyError) return { outcome: 'conflict', results: [] };
    deps.logger.warn({ err, messages: msgs.length }, 'group commit failed; the messages run one by one');
    return { outcome: 'one-by-one', results: await Promise.allSettled(msgs.map((msg) => handleInbound(deps, msg))) };
  }
  const results = await Promise.allSettled(
    msgs.map(async (msg, i) =>
      replies[i] === undefined ? storedReply(deps, msg) : { replies: replies[i]!, duplicate: false },
    ),
  );
  return { outcome: 'committed', results };
}

export interface BatchOptions {
  /**
   * Give up at the first deadlock or conflict, with nothing done, instead of retrying: the caller runs the batch
   * again when no other batch holds locks (two big batches touching the same incidents deadlock again and again).
   */
  yieldOnConflict?: boolean;
}

export interface BatchOutcome {
  /** committed together; one-by-one after a failure; conflict: nothing done (only with yieldOnConflict). */
  outcome: 'committed' | 'one-by-one' | 'conflict';
  /** One per message, in order: each message succeeds or fails on its own. Empty on conflict. */
  results: PromiseSettledResult<IntakeResult>[];
}

/** A deadlock between two batches (both joining one incident, say) is retried whole: one by one costs far more. */
async function withRetries<T>(attempts: number, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
    }
  }
}

async function storedReply(deps: IntakeDeps, msg: InboundMessage): Promise<IntakeResult> {
  const stored = await deps.store.findInboundReply(msg.channel, msg.dedupeKey);
  deps.logger.info(
    { channel: msg.channel, dedupeKey: msg.dedupeKey },
    'duplicate delivery answered with the stored reply',
  );
  return { replies: decodeReplies(stored?.reply ?? null), duplicate: true };
}

async function processOnce(deps: IntakeDeps, tx: IntakeTx, msg: InboundMessage, planned?: Planned): Promise<Reply[]> {
  const now = planned?.now ?? deps.clock.now();
  const staffReplies = await staffCommandReplies(deps, tx, msg, now);
  if (staffReplies !== undefined) return recorded(tx, msg, staffReplies, now);
  const { ctx, result } = planned ?? (await plan(deps, tx, msg, now));
  let session: Session = result.session;
  const replies = result.replies.map(text);
  const knownResident = ctx.profile !== undefined;
  for (const command of result.commands) {
    const out = await runCommand({ deps, tx, msg, now }, command as Command, session, knownResident);
    session = out.session;
    replies.push(...out.replies);
  }
  await tx.saveSession(msg.channel, msg.userId, session, now);
  return recorded(tx, msg, replies, now);
}

interface Planned {
  now: Date;
  loaded: Awaited<ReturnType<IntakeTx['loadSession']>>;
  ctx: StepContext;
  result: ReturnType<typeof step>;
}

/**
 * The dialogue's step for a resident's message: pure, so a batch can run it ahead to know how many tickets it files.
 */
async function plan(deps: IntakeDeps, tx: IntakeTx, msg: InboundMessage, now: Date): Promise<Planned> {
  const loaded = await tx.loadSession(msg.channel, msg.userId);
  const ctx: StepContext = {
    now,
    rules: deps.rules(),
    idleMinutes: deps.idleMinutes,
    botName: deps.organisation.botName,
    projects: deps.organisation.projects,
    menu: deps.organisation.menu,
    profile: await tx.loadProfile(msg.channel, msg.userId),
  };
  return { now, loaded, ctx, result: step(loaded ?? newSession(), msg.content, ctx) };
}

/**
 * A batch takes its ticket numbers with one counter update per project and day instead of one per ticket. The steps
 * run here are the ones the messages then use; a ticket that is not filed after all leaves a gap, never a duplicate.
 */
async function planBatch(
  deps: IntakeDeps,
  tx: IntakeTx,
  msgs: readonly InboundMessage[],
  recorded: Set<string>,
): Promise<(Planned | undefined)[]> {
  const now = deps.clock.now();
  const wanted = new Map<string, number>();
  const plans: (Planned | undefined)[] = [];
  for (const msg of msgs) {
    if (recorded.has(recordedKey(msg.channel, msg.dedupeKey)) || staffWork(deps, msg)) {
      plans.push(undefined);
      continue;
    }
    const planned = await plan(deps, tx, msg, now);
    plans.push(planned);
    for (const command of planned.result.commands) {
      if (command.type !== 'create_ticket') continue;
      const project =
        deps.organisation.projects.find((p) => p.code === command.intake.projectCode) ?? deps.organisation.projects[0]!;
      const scope = counterScope(project.ticketPrefix, now);
      wanted.set(scope, (wanted.get(scope) ?? 0) + 1);
    }
  }
  for (const [scope, count] of wanted) await tx.reserveTicketSeqs(scope, count);
  return plans;
}

/**
 * The message id and its reply are written last, in one statement. A platform retry racing the first delivery meets
 * the unique key here (or the session's version before it): its whole transaction rolls back and it is answered with
 * the reply the first one stored — one effect, one reply.
 */
async function recorded(tx: IntakeTx, msg: InboundMessage, replies: Reply[], now: Date): Promise<Reply[]> {
  const said = replies.filter((r) => r.type !== 'text' || r.text !== '');
  if (!(await tx.recordInbound(msg.channel, msg.dedupeKey, msg.userId, encodeReplies(said), now)))
    throw new DuplicateMessage();
  return said;
}

/**
 * Staff commands come over the WeCom app. 同意/驳回 always go here, so that someone who may not approve gets a polite
 * refusal rather than being treated as a resident; the other commands only from people the organisation names.
 */
async function staffCommandReplies(
  deps: IntakeDeps,
  tx: IntakeTx,
  msg: InboundMessage,
  now: Date,
): Promise<Reply[] | undefined> {
  const work = staffWork(deps, msg);
  if (!work) return undefined;
  const c = { deps, tx, msg, now };
  if (work.type === 'card') return runCardClick(c, work.key);
  if (work.type === 'photo') return attachPhoto(c, work.mediaId);
  return runStaffCommand(c, work.cmd);
}

/**
 * Is this message staff work rather than a resident's (see staffCommandReplies)? Pure: decided from the message alone.
 */
function staffWork(
  deps: IntakeDeps,
  msg: InboundMessage,
):
  | { type: 'card'; key: string }
  | { type: 'photo'; mediaId: string }
  | { type: 'command'; cmd: StaffCommand }
  | undefined {
  if (msg.channel !== 'wecom') return undefined;
  if (msg.content.type === 'event' && msg.content.event === 'template_card_event')
    return { type: 'card', key: msg.content.key ?? '' };
  if (msg.content.type === 'image' && isStaff(deps.organisation, msg.userId))
    return { type: 'photo', mediaId: msg.content.mediaId };
  if (msg.content.type !== 'text') return undefined;
  const cmd = parseStaffCommand(normalizeText(msg.content.text).display);
  if (!cmd) return undefined;
  const decision = cmd.type === 'approve' || cmd.type === 'reject';
  return decision || isStaff(deps.organisation, msg.userId) ? { type: 'command', cmd } : undefined;
}
