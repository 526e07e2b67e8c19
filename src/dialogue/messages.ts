// Every sentence the bot says to residents, in one place.
import { CATEGORY_LABEL, KIND_LABEL, type Classification } from '../rules/codes.js';
import { maskPhone } from './slots.js';

export const say = {
  welcome: (botName: string) =>
    `您好，这里是${botName}。我可以帮您：\n1. 报事报修（如漏水、停电、门窗损坏）\n2. 投诉与建议\n3. 查询工单进度（回复"我的工单"）\n请直接描述您遇到的问题。`,
  askProblem: (name?: string) => `${name ? `${name}您好，` : ''}请问需要报修或反映什么问题？请简单描述一下。`,
  askName: () => '收到。请问您怎么称呼？',
  askNameAgain: () => '请告诉我您的姓名或称呼，例如：李娜、王先生。',
  askNameAndRoomUrgent: () => '情况紧急，我们马上安排人员。请告诉我您的称呼和房号，例如：李娜，3栋2单元502。',
  askRoom: () => '请问您的房号是？（例如：3栋2单元502）',
  askPlace: (urgent: boolean) =>
    `${urgent ? '情况紧急，我们马上安排人员。' : ''}请问您在商场的什么位置？（例如：B1层扶梯口、3楼301店铺）`,
  askRoomAgain: () => '没能识别房号，请按"楼栋-单元-房号"告诉我，例如：3栋2单元502、12号楼1803、B座1203。',
  noted: () => '好的，已记下。',
  askProject: (names: string[]) =>
    `请问您住在哪个小区？请回复序号：\n${names.map((n, i) => `${i + 1}. ${n}`).join('\n')}`,
  confirmIdentity: (name: string, room: string, phone?: string) =>
    `请问您是 ${room} 的${name}${phone ? `（电话 ${maskPhone(phone)}）` : ''}吗？回复"是"确认；如有变化，请直接告诉我新的姓名、房号或电话。`,
  askPhoneAgain: () => '请回复 11 位手机号码，方便师傅上门前联系您；不方便留号码请回复"跳过"。',
  phoneSkipped: () => '好的，我们会通过本对话与您联系。',
  keepTicket: (no: string) => `好的，工单 ${no} 会继续为您处理。如需撤销，请回复"取消"。`,
  youAreWelcome: () => '不客气，有需要随时给我留言。',
  whatToCorrect: () => '请告诉我需要更正的内容，例如："不对，是3栋2单元503"或"名字改成李明"。',
  askComplaint: () => '请说说您要投诉或建议的事情，我们会认真核实处理。',
  heardVoice: (text: string) => `（语音已转文字：“${text}”，如有听错请直接用文字更正）`,
  voiceUnsupported: () => '这条语音没能转成文字，请用文字描述您的问题。',
  voiceInText: () => '这条语音没能转成文字，请用文字回复。',
  unsupported: () => '暂不支持这类消息，请用文字描述您的问题。',
  onlyEmoji: () => '收到～请用文字简单说一下遇到了什么问题，我们马上为您登记处理。',
  imageReceived: () => '已收到图片。',
  locationReceived: (label?: string) => `已收到位置${label ? `（${label}）` : ''}。`,
  cancelled: () => '好的，本次登记已取消。如有需要，随时给我留言。',
  nothingToCancel: () =>
    '目前没有正在登记的事项。如需撤销已登记的工单，请回复"取消 工单号"；如需报修或投诉，请直接描述问题。',
  expired: (minutes: number) =>
    `由于超过 ${minutes} 分钟未回复，上次未完成的登记已结束。如需继续，请重新描述您的问题。`,
  didNotUnderstand: () => '抱歉，我没有理解。请描述需要报修或投诉的问题，或回复"我的工单"查询进度。',
};

export interface TicketView {
  no: string;
  summary: string;
  status: string;
  createdAt: Date;
  classification: Pick<Classification, 'kind' | 'category' | 'urgency'>;
  responseDueAt: Date;
  phone?: string | null;
}

const STATUS_LABEL: Record<string, string> = {
  open: '已受理',
  assigned: '已派单',
  in_progress: '处理中',
  resolved: '已完成',
  closed: '已关闭',
  cancelled: '已撤销',
};
export const statusLabel = (s: string) => STATUS_LABEL[s] ?? s;

function promise(t: TicketView, now: Date): string {
  const minutes = Math.max(1, Math.round((t.responseDueAt.getTime() - now.getTime()) / 60000));
  const within = minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`;
  return t.classification.urgency === 'emergency'
    ? `这是紧急情况，已通知值班人员立即处理，将在 ${within}内与您联系。如有人身危险请先拨打 119/110。`
    : `我们将在 ${within}内与您联系。`;
}

export const ticketSay = {
  created: (t: TicketView, name: string, room: string, now: Date, askPhone: boolean, note?: string) =>
    [
      `已为您登记工单 ${t.no}。`,
      `${room} ${name}：${t.summary}`,
      `类别：${KIND_LABEL[t.classification.kind]} · ${CATEGORY_LABEL[t.classification.category]}`,
      promise(t, now),
      note ?? '',
      askPhone ? '请留一个联系电话，方便师傅上门前联系您（不方便请回复"跳过"）。' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  sameFault: (residents: number) =>
    `同一问题已有 ${residents} 位业主反映，我们已合并为一个事件集中处理，解决后会逐一通知您。`,
  incidentResolved: (no: string, resolution: string) =>
    `您反映的问题（工单 ${no}）已处理完毕：${resolution}\n如仍有问题，请直接回复告诉我们。`,
  nothingToRate: () => '您目前没有待评价的工单。如需报修或投诉，请直接描述问题。',
  thanksForRating: (no: string) => `感谢您的评价！工单 ${no} 已记录您的反馈。`,
  reopened: (no: string) => `非常抱歉没有让您满意。工单 ${no} 已重新打开并升级为重要事件，原受理人会尽快与您联系。`,
  phoneAttached: (no: string, phone: string) => `已将联系电话 ${maskPhone(phone)} 记录到工单 ${no}。`,
  updated: (no: string, what: string) => `已更正工单 ${no}：${what}。`,
  attached: (no: string, what: string) => `${what}已补充到工单 ${no}。`,
  cancelled: (no: string) => `工单 ${no} 已撤销。如有需要，随时给我留言。`,
  cannotCancel: (no: string, status: string) => `工单 ${no} 当前状态为"${statusLabel(status)}"，无法撤销。`,
  list: (ts: TicketView[]) =>
    ts.length === 0
      ? '您还没有工单记录。如需报修或投诉，请直接描述问题。'
      : `您最近的工单：\n${ts.map((t) => `${t.no}｜${statusLabel(t.status)}｜${t.summary}`).join('\n')}\n回复"查询 工单号"看详情。`,
  detail: (t: TicketView) =>
    `工单 ${t.no}\n状态：${statusLabel(t.status)}\n内容：${t.summary}\n` +
    `类别：${KIND_LABEL[t.classification.kind]} · ${CATEGORY_LABEL[t.classification.category]}\n` +
    `登记时间：${t.createdAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}`,
  notFound: (no: string) => `没有找到您名下的工单 ${no}，请核对工单号。`,
};
