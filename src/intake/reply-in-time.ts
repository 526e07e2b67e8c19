// Passive replies must leave within the platform's window. A reply that misses it goes out through the outbox.
import type { InboundMessage } from '../dialogue/inbound.js';
import { within } from '../lib/deadline.js';
import type { IntakeDeps, IntakeResult } from './handle-inbound.js';

export type DeferredChannel = 'wecom_app' | 'mp';

/** `handle` is the intake itself (the group-commit batcher in production). */
export async function replyInTime(
  deps: IntakeDeps,
  handle: (msg: InboundMessage) => Promise<IntakeResult>,
  msg: InboundMessage,
  deadlineMs: number,
  deferTo: DeferredChannel | undefined,
): Promise<string> {
  const timed = await within(deadlineMs, handle(msg));
  if (timed.done) return timed.value.reply;
  deps.logger.warn(
    { channel: msg.channel, dedupeKey: msg.dedupeKey, deadlineMs },
    'reply missed the passive window; sending it later',
  );
  void timed.later
    .then(async ({ reply, duplicate }) => {
      if (!reply || duplicate) return;
      if (!deferTo) {
        deps.logger.error(
          { channel: msg.channel, dedupeKey: msg.dedupeKey },
          'late reply cannot be sent: no outbound API configured',
        );
        return;
      }
      await deps.store.transaction((tx) =>
        tx.enqueue(
          {
            dedupeKey: `reply:${msg.channel}:${msg.dedupeKey}`,
            channel: deferTo,
            recipient: msg.userId,
            payload: { text: reply },
          },
          deps.clock.now(),
        ),
      );
    })
    .catch((err: unknown) => deps.logger.error({ err, dedupeKey: msg.dedupeKey }, 'late reply failed'));
  return '';
}
