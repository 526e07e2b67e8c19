// Tells a resident about their ticket on the channel they used; the web chat cannot push, so it is noted instead.
import type { Ticket } from '../tickets/index.js';
import type { CommandCtx } from './commands.js';

export async function tellResident(
  c: Pick<CommandCtx, 'tx' | 'now'>,
  t: Ticket,
  text: string,
  what: string,
  notBefore?: Date,
): Promise<boolean> {
  const channel = t.channel === 'mp' ? 'mp' : t.channel === 'wecom' ? 'wecom_app' : undefined;
  if (!channel) {
    await c.tx.addEvent({
      ticketId: t.id,
      at: c.now,
      type: 'notified',
      actor: 'system',
      data: { resident: 'not_pushable', what, reason: '网页客服无法主动推送，住户查询工单时可见' },
    });
    return false;
  }
  await c.tx.enqueue(
    { dedupeKey: `ticket:${t.no}:resident:${what}`, channel, recipient: t.userId, payload: { text } },
    c.now,
    notBefore,
  );
  return true;
}
