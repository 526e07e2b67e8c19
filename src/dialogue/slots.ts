// Free-text slot extraction: rooms, mobile numbers, names. Pure; input is normalizeText().match.

export interface Slots {
  name?: string;
  room?: string;
  phone?: string;
}

interface Hit {
  value: string;
  start: number;
  end: number;
}

const NOT_OWN_HOME = /(楼上|楼下|隔壁|对门|对面|邻居|电梯)\s*$/;
const BUILDING = '(?:栋|幢|号楼|座|#|号)';

const ROOM_PATTERNS: { re: RegExp; build: (m: RegExpExecArray) => string }[] = [
  { re: new RegExp(`(\\d{1,3}|[A-Z])\\s*${BUILDING}\\s*(\\d{1,2})\\s*(?:单元|门)\\s*(\\d{3,4})`, 'g'), build: (m) => `${m[1]}-${m[2]}-${m[3]}` },
  { re: /(?<![\d-])(\d{1,3}|[A-Z])-(\d{1,2})-(\d{3,4})(?![\d-])/g, build: (m) => `${m[1]}-${m[2]}-${m[3]}` },
  { re: new RegExp(`(\\d{1,3}|[A-Z])\\s*${BUILDING}\\s*(?:楼\\s*)?(\\d{3,4})(?!\\d)`, 'g'), build: (m) => `${m[1]}-${m[2]}` },
  { re: /(?<![\d-])(\d{1,3}|[A-Z])-(\d{3,4})(?![\d-])/g, build: (m) => `${m[1]}-${m[2]}` },
];

export function findRoom(text: string): Hit | undefined {
  for (const { re, build } of ROOM_PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (NOT_OWN_HOME.test(text.slice(Math.max(0, m.index - 4), m.index))) continue;
      let end = m.index + m[0].length;
      if (text[end] === '室' || text[end] === '房') end++;
      return { value: build(m), start: m.index, end };
    }
  }
  return undefined;
}

const MOBILE = /(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
const SOMEONE_ELSE = /(师傅|维修|保安|物业|客服|管家|电工|水工)[^，,。；;]{0,6}$/;

export function findPhone(text: string): Hit | undefined {
  MOBILE.lastIndex = 0;
  for (let m = MOBILE.exec(text); m; m = MOBILE.exec(text)) {
    if (SOMEONE_ELSE.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
    return { value: `${m[1]}${m[2]}${m[3]}`, start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}

const NAME_INTRO = /(?:我是|我叫|本人是?|名字(?:是|叫)|姓名[:：]?|联系人[:：]?|称呼我?)\s*(?:业主|住户|的|,|，|\s|<R>)*([\u4e00-\u9fa5·]{2,6})/;
const TITLE = /([\u4e00-\u9fa5])(先生|女士|小姐|阿姨|大爷|大妈|老师)/;
const SURNAME_ONLY = /我姓([\u4e00-\u9fa5])/;
// Words that follow a name in a sentence: the name ends before them.
const AFTER_NAME = /(我|家|的|电话|手机|住|在|要|想|报|房|楼|这|那|啊|呀|吧|了|，|。)/;
const NOT_A_NAME = /[漏坏修水电灯门窗墙栋单元室号业主住户物业谢你您好请问投诉报师傅楼道房子天花板卫生间厨房不对是吗呢啊哦嗯]/;

export function findName(text: string): string | undefined {
  const masked = maskRoomAndPhone(text);
  const intro = NAME_INTRO.exec(masked);
  if (intro?.[1]) {
    const cut = intro[1].search(AFTER_NAME);
    const name = cut >= 2 ? intro[1].slice(0, cut) : cut === -1 ? intro[1].slice(0, 4) : undefined;
    if (name && isPlausibleName(name)) return name;
  }
  const title = TITLE.exec(masked);
  if (title && !/[师工]/.test(title[1] ?? '') && isPlausibleSurname(title[1]!)) return title[0];
  const surname = SURNAME_ONLY.exec(masked);
  if (surname && isPlausibleSurname(surname[1]!)) return `${surname[1]}先生/女士`;
  return undefined;
}

/** A bare answer to "怎么称呼": 2–4 Chinese characters that read like a name. */
export function asBareName(text: string): string | undefined {
  const t = text.replace(/[。.!！,，\s]+$/g, '').replace(/^(我是|我叫|叫我)/, '');
  if (/^[\u4e00-\u9fa5·]{2,4}$/.test(t) && isPlausibleName(t)) return t;
  const title = TITLE.exec(t);
  if (title && title[0] === t && isPlausibleSurname(title[1]!)) return t;
  return undefined;
}

function isPlausibleName(s: string): boolean {
  return s.length >= 2 && s.length <= 5 && !NOT_A_NAME.test(s);
}

function isPlausibleSurname(c: string): boolean {
  return !NOT_A_NAME.test(c) && !/[这那我你他她有没]/.test(c);
}

function maskRoomAndPhone(text: string): string {
  let t = text;
  const room = findRoom(t);
  if (room) t = `${t.slice(0, room.start)}<R>${t.slice(room.end)}`;
  const phone = findPhone(t);
  if (phone) t = `${t.slice(0, phone.start)}<P>${t.slice(phone.end)}`;
  return t;
}

export function extractSlots(text: string): Slots {
  const slots: Slots = {};
  const room = findRoom(text);
  if (room) slots.room = room.value;
  const phone = findPhone(text);
  if (phone) slots.phone = phone.value;
  const name = findName(text);
  if (name) slots.name = name;
  return slots;
}

/** Text with the slot phrases taken out, so what is left can be judged as a problem description. */
export function withoutSlots(text: string): string {
  return maskRoomAndPhone(text)
    .replace(/<R>|<P>/g, '')
    .replace(NAME_INTRO, '')
    .replace(/(电话|手机|联系方式)(号码)?[是为:：]?/g, '')
    .replace(/^[\s,，。.!！]+|[\s,，。.!！]+$/g, '')
    .trim();
}

export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
