// The escalation step, the robot's one-minute window and digest folding.
import { describe, expect, it } from 'vitest';
import { digestChunks } from '../../src/channels/platform-api/senders.js';
import { RateWindow } from '../../src/notifications/rate-window.js';
import { nextAction, type Deadline } from '../../src/tickets/index.js';

const chain = [
  { role: 'handler', afterMinutes: 0 },
  { role: 'supervisor', afterMinutes: 60 },
  { role: 'lead', afterMinutes: 240 },
];
const due = new Date('2026-11-23T10:00:00+08:00');
const base: Deadline = {
  id: 1,
  ticketId: 1,
  kind: 'response',
  label: '响应',
  dueAt: due,
  warnAt: null,
  nextCheckAt: due,
  stage: 'pending',
  escalationStep: 0,
  urgent: true,
  notify: ['handler'],
  upgradeTo: null,
  metAt: null,
  createdAt: due,
};
const later = (min: number) => new Date(due.getTime() + min * 60_000);

describe('escalation', () => {
  it('warns before the deadline and checks again at it', () => {
    expect(nextAction(base, later(-10), undefined, chain)).toEqual({ type: 'warn', next: due });
  });
  it('climbs handler → supervisor → lead and stops at the end of the chain', () => {
    expect(nextAction(base, later(1), undefined, chain)).toEqual({
      type: 'miss',
      step: 0,
      role: 'handler',
      next: later(60),
    });
    expect(nextAction({ ...base, stage: 'missed', escalationStep: 0 }, later(61), undefined, chain)).toEqual({
      type: 'miss',
      step: 1,
      role: 'supervisor',
      next: later(240),
    });
    expect(nextAction({ ...base, stage: 'missed', escalationStep: 1 }, later(241), undefined, chain)).toEqual({
      type: 'miss',
      step: 2,
      role: 'lead',
      next: null,
    });
  });
  it('settles as soon as someone acts', () => {
    expect(nextAction({ ...base, stage: 'missed' }, later(61), 'met', chain)).toEqual({
      type: 'settle',
      reason: 'met',
    });
    expect(nextAction(base, later(61), 'cancelled', chain)).toEqual({ type: 'settle', reason: 'cancelled' });
  });
});

describe('the robot window', () => {
  it('allows 20 sends in any minute and says when the next is free', async () => {
    const w = new RateWindow(20, 60_000);
    const t0 = new Date('2026-11-23T10:00:00Z');
    await w.record('k', t0, 19);
    expect(await w.available('k', t0)).toBe(1);
    await w.record('k', new Date(t0.getTime() + 30_000));
    expect(await w.available('k', new Date(t0.getTime() + 30_000))).toBe(0);
    expect((await w.nextFree('k', new Date(t0.getTime() + 30_000))).getTime()).toBe(t0.getTime() + 60_001);
    expect(await w.available('k', new Date(t0.getTime() + 60_001))).toBe(19); // the 19 sent at t0 have left the window
    expect(await w.available('other', t0)).toBe(20);
  });
  it('folds alerts into as few messages as the size limit allows', () => {
    const alerts = Array.from(
      { length: 30 },
      (_, i) => `**已超时** KF-20261123-${String(i).padStart(4, '0')} · 响应\n> 幸福里花园 3-2-502 卫生间漏水`,
    );
    const chunks = digestChunks(alerts, 4096);
    expect(chunks.length).toBeLessThan(4);
    expect(chunks.every((c) => Buffer.byteLength(c) <= 4096)).toBe(true);
    expect(chunks.join('\n')).toContain('KF-20261123-0029');
    expect(chunks[0]).toMatch(/^\*\*\d+ 条时限提醒\*\*/);
  });
});
