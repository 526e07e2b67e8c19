// Short-reply intents, matched on normalizeText().match.
const strip = (t: string) => t.replace(/[\s。.!！~～,，]+/g, '');

export const TICKET_NO = /\b([A-Z]{1,6}-\d{8}-\d{4})\b/;

export const isGreeting = (t: string) =>
  /^(你好|您好|在吗|在不在|有人吗|HELLO|HI|哈喽|嗨|早上好|下午好|晚上好|物业)+[?？]?$/.test(strip(t));
export const isThanks = (t: string) =>
  /^(好的?|(谢谢|多谢|感谢|非常感谢|太感谢了)(你们?|您)?|谢了|谢谢啦|辛苦了|辛苦你们?了|麻烦了|收到|知道了|明白了|OK|嗯+|行)+[了啦呀啊]?$/.test(
    strip(t),
  );
// Words that clearly call the report off; "没事了 / 不用了" also mean "that's all", so they only drop an unfinished draft.
const CANCEL_TICKET = /^(算了|取消|不报了|不修了|不用修了|不用来了|撤销|撤回)/;
const CANCEL_DRAFT = /^(不用了|没事了|不需要了)/;
export const isCancel = (t: string) => CANCEL_TICKET.test(strip(t)) || CANCEL_DRAFT.test(strip(t));
export const isCancelTicket = (t: string) => CANCEL_TICKET.test(strip(t));
export const isYes = (t: string) => /^(是|是的|对|对的|没错|确认|正确|嗯|嗯嗯|好|好的|OK|YES|Y|1)$/.test(strip(t));
export const isNo = (t: string) => /^(不是|不对|错了|NO|N|2)$/.test(strip(t));
export const isSkip = (t: string) =>
  /^(跳过|不留|不用|不用了|没有|不方便|就这个号?|用微信联系|算了不留了|不需要|不需要了|不想留)$/.test(strip(t));
export const isMyTickets = (t: string) => /我的(工单|报修|投诉)|查询|查一下|进度|处理到哪|怎么样了|有结果了?吗/.test(t);
/** "我报的漏水怎么样了" asks about an earlier report even though it names a problem. */
export const refersToEarlierReport = (t: string) =>
  /(我|上次|之前|刚才|昨天|前天|前几天|早上)(报|投诉|反映)(的|过)|(报修|投诉)的|工单/.test(t);
/** A bare answer to the satisfaction question (003 §2.5.1); a longer sentence is a new report, not a rating. */
export function ratingOf(t: string): 'satisfied' | 'neutral' | 'unsatisfied' | undefined {
  const s = strip(t);
  if (/^(不满意|很不满意|非常不满意|不太满意|差评|太差了?|很差|不好)$/.test(s)) return 'unsatisfied';
  if (/^(满意|很满意|非常满意|挺满意|好评|五星好评|非常好|很好)$/.test(s)) return 'satisfied';
  if (/^(一般|还行|还可以|凑合|马马虎虎|基本满意)$/.test(s)) return 'neutral';
  return undefined;
}

/** A menu choice or a bare "我要报修": what the resident wants to do, not yet what is wrong. */
export const menuChoice = (t: string): 'report' | 'tickets' | undefined => {
  const s = strip(t);
  if (/^(3|查询工单进度|查询工单|查工单)$/.test(s)) return 'tickets';
  if (
    /^(1|2)$/.test(s) ||
    /^我?(要|想|需要)?(报事报修|报修|报事|维修|投诉与建议|投诉建议|投诉|提建议|建议|反映(个|一下)?(问题|情况))(一下)?$/.test(
      s,
    )
  )
    return 'report';
  return undefined;
};

const CORRECTION = new RegExp(
  [
    // "不好意思，写错了，是…" / "哎呀 打错字了 是…": an apology first is still a correction.
    '^(?:(?:不好意思|抱歉|对不起|哎呀|哎|啊|哦|噢)[，,\\s]*)?(?:刚才)?',
    '(?:我)?(?:(?:房号|房间号|门牌号?|名字|姓名|电话|手机号?|号码)(?:写|登记|记|打)?)?',
    '(不对(?!劲)|不是(?!很|太|特别|非常|那么|十分|说)|错了|说错了|写错了|打错了|打错字了|输错了|写错字了|搞错了|弄错了|' +
      '更正|改一下|修改|改成|改为|应该是)',
    '[，,:：\\s]*(是|为|改成|改为|应该是)?',
  ].join(''),
);
/** "不对，是503" → "503"; undefined when the text is not a correction. */
export function correctionBody(t: string): string | undefined {
  const m = CORRECTION.exec(t.trim());
  if (!m) return undefined;
  return t.trim().slice(m[0].length).trim();
}
