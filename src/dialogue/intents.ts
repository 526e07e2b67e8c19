// Short-reply intents, matched on normalizeText().match.
const strip = (t: string) => t.replace(/[\s。.!！~～,，]+/g, '');

export const TICKET_NO = /\b([A-Z]{1,6}-\d{8}-\d{4})\b/;

export const isGreeting = (t: string) => /^(你好|您好|在吗|在不在|有人吗|HELLO|HI|哈喽|嗨|早上好|下午好|晚上好|物业)+[?？]?$/.test(strip(t));
export const isCancel = (t: string) => /^(算了|取消|不用了|不报了|没事了|不需要了|不修了|撤销|撤回)/.test(strip(t));
export const isYes = (t: string) => /^(是|是的|对|对的|没错|确认|正确|嗯|嗯嗯|好|好的|OK|YES|Y|1)$/.test(strip(t));
export const isNo = (t: string) => /^(不是|不对|错了|NO|N|2)$/.test(strip(t));
export const isSkip = (t: string) => /^(跳过|不留|不用|不用了|没有|不方便|就这个号?|用微信联系|算了不留了|不需要)$/.test(strip(t));
export const isMyTickets = (t: string) => /我的(工单|报修|投诉)|查询|查一下|进度|处理到哪|怎么样了/.test(t);

const CORRECTION = /^(不对|不是|错了|说错了|更正|改一下|修改|改成|应该是)[，,:：\s]*(是|为|改成|改为|应该是)?/;
/** "不对，是503" → "503"; undefined when the text is not a correction. */
export function correctionBody(t: string): string | undefined {
  const m = CORRECTION.exec(t.trim());
  if (!m) return undefined;
  return t.trim().slice(m[0].length).trim();
}
