// Passive replies must leave within the platform's window. A reply that misses it goes out through the outbox.
import { joinTexts, type InboundMessage, type Reply } from '../dialogue/inbound.js';
import { within } from '../lib/deadline.js';
import { notify } from '../tickets/notify.js';
import type { IntakeDeps } from './context.js';
import type { IntakeResult } from './handle-inbound.js';

/** `handle` is the intake itself (the group-commit batcher in production); `canPush`: the channel can send later. */
export async function replyInTime(
  deps: IntakeDeps,
  handle: (msg: InboundMessage) => Promise<IntakeResult>,
  msg: InboundMessage,
  deadlineMs: number,
  canPush: boolean,
): Promise<Reply[]> {
  const timed = await within(deadlineMs, handle(msg));
  if (timed.done) return timed.value.replies;
  deps.logger.warn(
    { channel: msg.channel, dedupeKey: msg.dedupeKey, deadlineMs },
    'reply missed the passive window; sending it later',
  );
  void timed.later
    .then(async ({ replies, duplicate }) => {
      const late = joinTexts(replies);
      if (!late || duplicate) return;
      if (!canPush) {
        deps.logger.error(
          { channel: msg.channel, dedupeKey: msg.dedupeKey },
          'late reply cannot be sent: no outbound API configured',
        );
        return;
      }
      await deps.store.transaction((tx) =>
        notify(
          { deps, tx, now: deps.clock.now() },
          { kind: 'resident', ticket: { channel: msg.channel, userId: msg.userId } },
          { text: late },
          { key: `reply:${msg.channel}:${msg.dedupeKey}` },
        ),
      );
    })
    .catch((err: unknown) => deps.logger.error({ err, dedupeKey: msg.dedupeKey }, 'late reply failed'));
  return [];
}
