// The one clock of the test suite: a fixed moment, never the wall clock, so the suite behaves the same at any hour
// and on any weekday. A Wednesday morning in working hours, with every deadline a ticket can get inside 2026.
import { ManualClock } from '../../src/lib/clock.js';

export const TEST_NOW = new Date('2026-11-18T10:00:00+08:00');

/** Shared by the services the tests start and the callbacks they sign; a test may move it. */
export const testClock = new ManualClock(TEST_NOW);

/** Unix seconds of the test clock: callback timestamps and CreateTime. */
export const nowTs = () => String(Math.floor(testClock.now().getTime() / 1000));
