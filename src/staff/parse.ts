// What staff type into the WeCom app: 接单 / 到场 / 完成 / 转派 / 同意 / 驳回, each with a ticket number. Pure.
export type StaffCommand =
  | { type: 'accept'; ticketNo: string }
  | { type: 'arrive'; ticketNo: string }
  | { type: 'complete'; ticketNo: string; note: string }
  | { type: 'transfer'; ticketNo: string; to: string }
  | { type: 'approve'; ticketNo: string; note: string }
  | { type: 'reject'; ticketNo: string; reason: string }
  | { type: 'plan'; ticketNo: string; plan: string }
  | { type: 'usage'; verb: string };

const NO = '([A-Za-z]{1,6}-\\d{8}-\\d{4})';
const VERBS: { re: RegExp; make: (no: string, rest: string) => StaffCommand }[] = [
  { re: /^(?:接单|我来处理|接)$/, make: (ticketNo) => ({ type: 'accept', ticketNo }) },
  { re: /^(?:到场|已到场|到了|已到)$/, make: (ticketNo) => ({ type: 'arrive', ticketNo }) },
  {
    re: /^(?:完成|已完成|完工|处理完毕|修好了)$/,
    make: (ticketNo, rest) => ({ type: 'complete', ticketNo, note: rest }),
  },
  {
    re: /^(?:转派|转给|改派)$/,
    make: (ticketNo, rest) => ({ type: 'transfer', ticketNo, to: rest.replace(/^给/, '').trim() }),
  },
  { re: /^(?:同意|批准|通过)$/, make: (ticketNo, rest) => ({ type: 'approve', ticketNo, note: rest }) },
  { re: /^(?:驳回|不同意|拒绝)$/, make: (ticketNo, rest) => ({ type: 'reject', ticketNo, reason: rest }) },
  { re: /^(?:方案|报方案|提交方案)$/, make: (ticketNo, rest) => ({ type: 'plan', ticketNo, plan: rest }) },
];
const COMMAND = new RegExp(
  '^\\s*(接单|我来处理|接|到场|已到场|到了|已到|完成|已完成|完工|处理完毕|修好了|' +
    `转派|转给|改派|同意|批准|通过|驳回|不同意|拒绝|方案|报方案|提交方案)\\s*${NO}?\\s*[,，:：]?\\s*(.*)$`,
  's',
);

/**
 * A staff command, or undefined when the text is not one. Reads the display text (Simplified, punctuation kept) so
 * that reasons and user ids arrive as typed; the ticket number is taken in any case.
 */
export function parseStaffCommand(display: string): StaffCommand | undefined {
  const m = COMMAND.exec(display);
  if (!m) return undefined;
  const [, verb, ticketNo, rest] = m;
  const v = VERBS.find((x) => x.re.test(verb!))!;
  // A bare verb asks for help; a verb in a longer sentence ("完成了吗？") is not a command at all.
  if (!ticketNo) return rest?.trim() ? undefined : { type: 'usage', verb: verb! };
  const cmd = v.make(ticketNo.toUpperCase(), (rest ?? '').trim());
  if (cmd.type === 'transfer' && !cmd.to) return { type: 'usage', verb: verb! };
  if (cmd.type === 'reject' && !cmd.reason) return { type: 'usage', verb: verb! };
  if (cmd.type === 'plan' && !cmd.plan) return { type: 'usage', verb: verb! };
  return cmd;
}

export const STAFF_USAGE = [
  '可用的指令（工单号如 KF-20261123-0001）：',
  '接单 工单号 / 到场 工单号 / 完成 工单号 处理说明',
  '转派 工单号 接收人ID',
  '方案 工单号 处理方案（复杂方案报项目负责人审批，003 §2.3.3）',
  '同意 工单号 / 驳回 工单号 原因',
].join('\n');
