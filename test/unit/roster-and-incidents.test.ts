// Who is on shift (Asia/Shanghai, overnight shifts) and when two reports are the same fault.
import { describe, expect, it } from 'vitest';
import { inShift, onShift, type RosterEntry } from '../../src/organisation/index.js';
import { bigramSimilarity, buildingOf, collectiveLevel, sameFault, type FaultReport } from '../../src/tickets/index.js';

const at = (iso: string) => new Date(`${iso}+08:00`);

describe('shifts', () => {
  it.each([
    ['1-5 08:30-17:30', '2026-11-23T08:30', true], // Monday, first minute
    ['1-5 08:30-17:30', '2026-11-23T17:30', false], // the end is exclusive
    ['1-5 08:30-17:30', '2026-11-28T10:00', false], // Saturday
    ['1-7 17:30-08:30', '2026-11-23T02:00', true], // overnight from Sunday into Monday
    ['1-5 20:00-08:00', '2026-11-23T02:00', false], // Sunday night is not a weekday-night shift
    ['1-5 20:00-08:00', '2026-11-28T02:00', true], // Friday night into Saturday
    ['6 09:00-17:00', '2026-11-28T09:00', true],
  ])('%s at %s → %s', (shift, time, expected) => expect(inShift(shift, at(time))).toBe(expected));

  it('picks the department members on shift, in roster order, whatever the server time zone', () => {
    const roster: RosterEntry[] = [
      { user: 'day', department: 'maintenance', shifts: ['1-7 08:30-17:30'] },
      { user: 'night', department: 'maintenance', shifts: ['1-7 17:30-08:30'] },
      { user: 'guard', department: 'security', shifts: ['1-7 00:00-23:59'] },
    ];
    // 02:00 in Shanghai
    expect(onShift(roster, 'maintenance', new Date('2026-11-22T18:00:00Z')).map((r) => r.user)).toEqual(['night']);
    // 10:00
    expect(onShift(roster, 'maintenance', new Date('2026-11-23T02:00:00Z')).map((r) => r.user)).toEqual(['day']);
  });
});

describe('the same fault', () => {
  const base: FaultReport = {
    channel: 'mp',
    userId: 'a',
    projectCode: 'XFL',
    room: '3-1-101',
    content: '3栋的电梯坏了',
    category: 'property',
    trade: null,
    faultTerms: ['电梯'],
    createdAt: at('2026-11-01T10:00'),
    commonArea: true,
  };
  const policy = { windowDays: 30, similarity: 0.25 };

  it('links reports that share a fault word', () => {
    expect(
      sameFault(base, { ...base, userId: 'b', room: '3-2-808', content: '我们楼电梯有异响，不走了' }, policy),
    ).toBe(true);
  });
  it('links reports worded alike even without a fault word', () => {
    expect(
      sameFault(
        { ...base, faultTerms: [], content: '楼下大堂的玻璃门一直在响' },
        { ...base, faultTerms: [], content: '大堂玻璃门一直在响很吵' },
        policy,
      ),
    ).toBe(true);
  });
  it('does not link across projects, categories, trades or outside the window', () => {
    expect(sameFault(base, { ...base, projectCode: 'OTHER' }, policy)).toBe(false);
    expect(sameFault(base, { ...base, category: 'engineering' }, policy)).toBe(false);
    expect(sameFault({ ...base, trade: 'doors_windows' }, { ...base, trade: 'water_electric' }, policy)).toBe(false);
    expect(sameFault(base, { ...base, createdAt: at('2026-12-02T10:00') }, policy)).toBe(false);
  });
  it('links different buildings only when both reports are about a shared facility', () => {
    const home = { ...base, commonArea: false, room: '5-1-101' };
    expect(sameFault(base, home, policy)).toBe(false);
    expect(sameFault(base, { ...base, room: '5-1-101' }, policy)).toBe(true);
  });
  it('measures wording by Chinese character pairs', () => {
    expect(bigramSimilarity('电梯坏了', '电梯坏了')).toBe(1);
    expect(bigramSimilarity('电梯坏了', '路灯不亮')).toBe(0);
    expect(buildingOf('B-1203')).toBe('B');
  });
  it('grades the incident by head count', () => {
    const p = {
      windowDays: 30,
      similarity: 0.25,
      hotResidents: 3,
      majorResidents: 10,
      hotLevel: 'hot',
      majorLevel: 'major',
    };
    expect([2, 3, 9, 10].map((n) => collectiveLevel(n, p))).toEqual([undefined, 'hot', 'hot', 'major']);
  });
});
