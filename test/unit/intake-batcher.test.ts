// The group-commit batcher's rules, watched through a stand-in for the use case: what runs together, what waits.
import { describe, expect, it } from 'vitest';
import { joinTexts, text, type InboundMessage } from '../../src/dialogue/inbound.js';
import type { IntakeDeps } from '../../src/intake/handle-inbound.js';
import { createIntakeBatcher, type RunBatch } from '../../src/intake/intake-batcher.js';

const msg = (userId: string, dedupeKey: string): InboundMessage => ({
  channel: 'mp',
  userId,
  dedupeKey,
  content: { type: 'text', text: 'x' },
});
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * Runs each batch after a short pause, remembering which batches overlapped; `conflictWhenOverlapping` plays a
 * deadlock.
 */
function standIn(opts: { conflictWhenOverlapping?: boolean } = {}) {
  const log: { ids: string[]; isolated: boolean; overlapped: boolean }[] = [];
  let running = 0;
  const run: RunBatch = async (_deps, msgs, options) => {
    running++;
    const entry = { ids: msgs.map((m) => m.dedupeKey), isolated: !options?.yieldOnConflict, overlapped: running > 1 };
    log.push(entry);
    await tick();
    entry.overlapped ||= running > 1;
    running--;
    if (opts.conflictWhenOverlapping && entry.overlapped && options?.yieldOnConflict)
      return { outcome: 'conflict', results: [] };
    return {
      outcome: 'committed',
      results: msgs.map((m) => ({
        status: 'fulfilled',
        value: { replies: [text(`reply ${m.dedupeKey}`)], duplicate: false },
      })),
    };
  };
  return { run, log };
}

const deps = {} as IntakeDeps;

describe('intake batcher', () => {
  const arrivalsDuringABatch =
    'when messages arrive while a batch is written, then they go together in the next one, up to the limit';
  it(arrivalsDuringABatch, async () => {
    const s = standIn();
    const b = createIntakeBatcher(deps, { maxBatch: 3, maxInFlight: 1 }, s.run);
    const replies = await Promise.all(Array.from({ length: 7 }, (_, i) => b.submit(msg(`u${i}`, `m${i}`))));
    expect(replies.map((r) => joinTexts(r.replies))).toEqual(Array.from({ length: 7 }, (_, i) => `reply m${i}`));
    expect(s.log.map((l) => l.ids)).toEqual([['m0'], ['m1', 'm2', 'm3'], ['m4', 'm5', 'm6']]);
    expect(b.stats()).toMatchObject({ batches: 3, messages: 7, largestBatch: 3 });
  });

  it('when one resident sends two messages at once, then the second waits for the first batch', async () => {
    const s = standIn();
    const b = createIntakeBatcher(deps, { maxBatch: 10, maxInFlight: 3 }, s.run);
    await Promise.all([
      b.submit(msg('a', 'm1')),
      b.submit(msg('b', 'm2')),
      b.submit(msg('a', 'm3')),
      b.submit(msg('c', 'm4')),
    ]);
    const batchOf = (id: string) => s.log.findIndex((l) => l.ids.includes(id));
    expect(batchOf('m3')).toBeGreaterThan(batchOf('m1'));
    for (const l of s.log)
      expect(new Set(l.ids.map((id) => ({ m1: 'a', m2: 'b', m3: 'a', m4: 'c' })[id])).size).toBe(l.ids.length);
  });

  const retryWhileBeingWritten =
    'when the platform retries a message still being written, then the retry gets its reply and runs nothing';
  it(retryWhileBeingWritten, async () => {
    const s = standIn();
    const b = createIntakeBatcher(deps, { maxBatch: 10, maxInFlight: 1 }, s.run);
    const [first, retry] = await Promise.all([b.submit(msg('a', 'm1')), b.submit(msg('a', 'm1'))]);
    expect(first).toEqual({ replies: [text('reply m1')], duplicate: false });
    expect(retry).toEqual({ replies: [text('reply m1')], duplicate: true });
    expect(s.log.flatMap((l) => l.ids)).toEqual(['m1']);
  });

  it('when two batches deadlock, then the loser runs again alone, with no other batch under way', async () => {
    const s = standIn({ conflictWhenOverlapping: true });
    const b = createIntakeBatcher(deps, { maxBatch: 2, maxInFlight: 2 }, s.run);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => b.submit(msg(`u${i}`, `m${i}`))));
    expect(replies.map((r) => joinTexts(r.replies))).toEqual(Array.from({ length: 6 }, (_, i) => `reply m${i}`));
    const isolated = s.log.filter((l) => l.isolated);
    expect(isolated.length).toBeGreaterThan(0);
    for (const l of isolated) expect(l.overlapped).toBe(false);
    expect(b.stats().conflicts).toBe(isolated.length);
    expect(b.stats().messages).toBe(6);
  });
});
