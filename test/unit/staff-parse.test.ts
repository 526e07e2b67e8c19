// What staff type, read exactly: the verb, the ticket number in any case, and the rest as typed.
import { describe, expect, it } from 'vitest';
import { parseStaffCommand } from '../../src/staff/parse.js';

describe('staff commands', () => {
  it.each([
    ['接单 KF-20261123-0001', { type: 'accept', ticketNo: 'KF-20261123-0001' }],
    ['接单kf-20261123-0001', { type: 'accept', ticketNo: 'KF-20261123-0001' }],
    ['已到场 KF-20261123-0001', { type: 'arrive', ticketNo: 'KF-20261123-0001' }],
    [
      '完成 KF-20261123-0001 更换了阀芯，已试水',
      { type: 'complete', ticketNo: 'KF-20261123-0001', note: '更换了阀芯，已试水' },
    ],
    ['转派 KF-20261123-0001 给 wx02', { type: 'transfer', ticketNo: 'KF-20261123-0001', to: 'wx02' }],
    ['同意 KF-20261123-0001', { type: 'approve', ticketNo: 'KF-20261123-0001', note: '' }],
    ['驳回 KF-20261123-0001：已与住户沟通', { type: 'reject', ticketNo: 'KF-20261123-0001', reason: '已与住户沟通' }],
    ['驳回 KF-20261123-0001', { type: 'usage', verb: '驳回' }],
    ['方案 KF-20261123-0001 更换立管', { type: 'plan', ticketNo: 'KF-20261123-0001', plan: '更换立管' }],
    ['转派 KF-20261123-0001', { type: 'usage', verb: '转派' }],
    ['接单', { type: 'usage', verb: '接单' }],
  ])('%s', (text, expected) => expect(parseStaffCommand(text)).toEqual(expected));

  it('leaves resident sentences alone', () => {
    for (const t of ['我同意你们的处理方案', '完成了吗？', '请问什么时候到场', '卫生间漏水'])
      expect(parseStaffCommand(t)).toBeUndefined();
  });
});
