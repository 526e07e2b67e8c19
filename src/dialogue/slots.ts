// Free-text slot extraction: rooms, mobile numbers, names. Pure; input is normalizeText().match.
import { asWrittenIn } from '../text/normalize.js';

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

const NOT_OWN_HOME = /(楼上|楼下|隔壁|对门|对面|邻居|电梯|车位号?|车库|商铺|铺位|储藏室)\s*$/;
// A parking space or shop numbered like a flat ("B2-107车位") is not a home.
const NOT_A_HOME_AFTER = /^\s*(?:号?车位|号?铺|商铺|储藏间)/;
const BUILDING = '(?:栋|幢|号楼|座|#|号)';
// "3号1500块", "2号楼300平": an amount, not a flat. "上个月3号…", "星期5号…": a day, not a building.
const NOT_A_ROOM_AFTER = /^\s*(?:块|元|万|千|百|多|余|来|左右|平|米|度|个|次|天|小时|分钟?|点|岁|斤|公斤|%|％)/;
const DATE_BEFORE = /(?:月|月份|初|礼拜|星期|周|今天|昨天|前天)\s*$/;

const ROOM_PATTERNS: { re: RegExp; build: (m: RegExpExecArray) => string }[] = [
  {
    re: new RegExp(`(\\d{1,3}|[A-Z])\\s*${BUILDING}\\s*(\\d{1,2})\\s*(?:单元|门|梯)\\s*(\\d{3,4})`, 'g'),
    build: (m) => `${m[1]}-${m[2]}-${m[3]}`,
  },
  { re: /(?<![\dA-Z-])(\d{1,3}|[A-Z])-(\d{1,2})-(\d{3,4})(?![\d-])/g, build: (m) => `${m[1]}-${m[2]}-${m[3]}` },
  {
    re: new RegExp(`(\\d{1,3}|[A-Z])\\s*${BUILDING}\\s*(?:楼\\s*)?(\\d{3,4})(?!\\d)`, 'g'),
    build: (m) => `${m[1]}-${m[2]}`,
  },
  { re: /(?<![\dA-Z-])(\d{1,3}|[A-Z])-(\d{3,4})(?![\d-])/g, build: (m) => `${m[1]}-${m[2]}` },
  // The flat first, then its building: "我住1402，7栋1单元", "我是1803的，8号楼".
  {
    re: new RegExp(
      `(?:我家|我住|住|我是|我系)\\s*(\\d{3,4})(?:的|室)?[，,\\s]*(\\d{1,3}|[A-Z])\\s*${BUILDING}\\s*(?:(\\d{1,2})\\s*(?:单元|梯))?`,
      'g',
    ),
    build: (m) => (m[3] ? `${m[2]}-${m[3]}-${m[1]}` : `${m[2]}-${m[1]}`),
  },
];

export function findRoom(text: string): Hit | undefined {
  for (const { re, build } of ROOM_PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (NOT_OWN_HOME.test(text.slice(Math.max(0, m.index - 4), m.index))) continue;
      const end = m.index + m[0].length;
      if (
        NOT_A_ROOM_AFTER.test(text.slice(end)) ||
        NOT_A_HOME_AFTER.test(text.slice(end)) ||
        // Area codes start with 0, building numbers never do ("021-6488 1234").
        /^0\d/.test(m[0]) ||
        (/^\d+\s*号(?!楼)/.test(m[0]) && DATE_BEFORE.test(text.slice(0, m.index)))
      )
        continue;
      const suffix = /^(房间|室|房)/.exec(text.slice(end))?.[0] ?? '';
      return { value: build(m), start: m.index, end: end + suffix.length };
    }
  }
  return undefined;
}

// A +86 / 86 country prefix is part of the number, not a digit run before it.
const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
// A number right after a staff word is that person's ("师傅电话…"), unless the resident says it is theirs ("让师傅打我电话…").
const SOMEONE_ELSE =
  /(师傅|师父|维修|保安|物业|客服|管家|电工|水工|律师|销售|顾问|经理|他|她)[^，,。；;我]{0,8}$|(?:他|她)的?(?:电话|手机)/;
// "13800000000，不对，是13826601937": the number after the correction is the one.
const CORRECTED = /(不对|错了|打错|写错|说错|应该是|改成|换成|改为)/;
// Phone numbers read out digit by digit ("一五八零零零一二三四五", "幺八六…") become digits, keeping every position.
const SPOKEN_DIGIT: Record<string, string> = {
  零: '0',
  〇: '0',
  幺: '1',
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};
const SPOKEN_NUMBER = /[零〇幺一二两三四五六七八九](?:\s?[零〇幺一二两三四五六七八九]){10,12}/g;
const withSpokenDigits = (text: string) =>
  text.replace(SPOKEN_NUMBER, (run) => run.replace(/\S/g, (c) => SPOKEN_DIGIT[c] ?? c));

export function findPhone(text: string): Hit | undefined {
  const t = withSpokenDigits(text);
  const hits: Hit[] = [];
  MOBILE.lastIndex = 0;
  for (let m = MOBILE.exec(t); m; m = MOBILE.exec(t)) {
    if (SOMEONE_ELSE.test(t.slice(Math.max(0, m.index - 12), m.index))) continue;
    hits.push({ value: `${m[1]}${m[2]}${m[3]}`, start: m.index, end: m.index + m[0].length });
  }
  const [first, second] = hits;
  if (first && second && CORRECTED.test(t.slice(first.end, second.start))) return second;
  return first;
}

// The most common Chinese surnames (about 95% of people). Used where nothing but the shape says "this is a name":
// a bare clause such as "B座1203，刘洋，空调不制冷", or "我是…" which is as often "我是新来的" as "我是李娜".
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔' +
  '向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚' +
  '岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡鞠惠荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺闻厉伊仝郜阚权帅屠朴盖练廉禹井祖漆巴丰支卿狄计索宣晋扈晁' +
  '芮普阙浦戈伏鹿薄邸雍辜';
const COMPOUND_SURNAMES =
  /^(欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|轩辕|令狐|端木|独孤|南宫|西门|呼延)/;

/** Does this 2–4 character string read as surname + given name, or as 小王 / 老李 / 阿强? */
function startsLikeName(s: string): boolean {
  const compound = COMPOUND_SURNAMES.exec(s)?.[1];
  if (compound) return s.length >= compound.length + 1 && s.length <= compound.length + 2;
  if (/^[小老]/.test(s) && s.length === 2) return SURNAMES.includes(s[1]!);
  if (/^阿/.test(s)) return s.length >= 2 && s.length <= 4;
  return s.length >= 2 && s.length <= 3 && SURNAMES.includes(s[0]!);
}

// Introductions: after the strong ones the next words are the name whatever they look like ("我叫古丽");
// after "我是" they are a name only when they start like one ("我是新来的" is not).
const NAME_INTRO = new RegExp(
  [
    '((?:我|俺|偶)叫|名字(?:是|叫)|姓名[:：]?|联系人[:：]?|称呼我?|叫我(?![去来做到])|(?:我|俺)(?:是|系)|本人是?|(?:^|[,，\\s])业主)',
    '\\s*(?:业主|住户|租户|的|,|，|\\s|<R>|\\d{3,4}(?:室|号)?的)*',
    '([\\u4e00-\\u9fa5·]{2,6})',
  ].join(''),
);
const STRONG_INTRO = /^((?:我|俺|偶)叫|名字|姓名|联系人|称呼|叫我)/;
// 陳生 / 何太 / 李姐: how Cantonese speakers name themselves. Not after a staff word: "保洁员王阿姨" is not the sender.
const TITLE = new RegExp(
  '(?<!(?:保洁|保安|师傅|客服|管家|经理|销售|顾问|前台|员|工)[^，,。]{0,2})([\\u4e00-\\u9fa5])' +
    '(先生|女士|小姐|阿姨|大爷|大妈|老师|(?:生|太)(?=$|[\\s,，。.!！?？:：;；<\\d、]|嘅|的|住|电话|手机))',
);
const SURNAME_ONLY = /(?:我|俺|免贵)姓([\u4e00-\u9fa5])(?![\u4e00-\u9fa5]*叫)/;
// "俺姓吴 叫吴秀英", "我姓李，叫李娜", "俺姓赵 赵玉兰": the full name after the surname.
const SURNAME_THEN_NAME =
  /(?:我|俺|免贵)姓([\u4e00-\u9fa5])[,，\s]*(?:(?:叫|名叫)([\u4e00-\u9fa5]{1,3})|(\1[\u4e00-\u9fa5]{1,2}))/;
// Words that follow a name in a sentence: the name ends before them.
const AFTER_NAME = /(我|家|的|电话|手机|住|在|要|想|报|房|楼|这|那|啊|呀|吧|了|就|可以|即可|，|。)/;
// Characters and words no name contains; kept to what residents write instead of a name ("好的", "楼上漏水", "谢谢").
const NOT_A_NAME_CHAR = /[漏坏修水电灯门窗墙栋室号楼报吗呢啊哦嗯吧了的我你您他她这那是不对好请问桶梯锁堵住户]/;
const NOT_A_NAME_WORD =
  /单元|号楼|全名|名字|快点|谢谢|天花板|卫生|厨房|业主|物业|投诉|师傅|楼道|房子|马桶|没有|知道|等等|稍等|马上|周末|周[一二三四五六日天]|星期|白天|方便|全部|全家|安全|车位|车库|于是|还有|以上|万一/;

function isPlausibleName(s: string): boolean {
  return s.length >= 2 && s.length <= 5 && !NOT_A_NAME_CHAR.test(s) && !NOT_A_NAME_WORD.test(s);
}

const isSurname = (c: string) => SURNAMES.includes(c);

/** Where the name is in a text whose room and phone are masked, and the span to cut out with its introduction. */
function nameHit(masked: string): Hit | undefined {
  const intro = NAME_INTRO.exec(masked);
  if (intro?.[2]) {
    const words = intro[2];
    // A name is at least two characters, so an after-name word at position 0 or 1 is part of the name ("王家明").
    const cut = words.slice(2).search(AFTER_NAME);
    const name = cut === -1 ? words.slice(0, 4) : words.slice(0, cut + 2);
    const strong = STRONG_INTRO.test(intro[1]!);
    if (isPlausibleName(name) && (strong || startsLikeName(name))) {
      const start = intro.index;
      const end = intro.index + intro[0].length - words.length + name.length;
      return { value: name, start, end };
    }
  }
  const full = SURNAME_THEN_NAME.exec(masked);
  if (full && isSurname(full[1]!)) {
    const given = full[2] ?? full[3]!;
    const value = given.startsWith(full[1]!) ? given : `${full[1]}${given}`;
    return { value, start: full.index, end: full.index + full[0].length };
  }
  const title = TITLE.exec(masked);
  if (title && isSurname(title[1]!)) return { value: title[0], start: title.index, end: title.index + title[0].length };
  const surname = SURNAME_ONLY.exec(masked);
  if (surname && isSurname(surname[1]!))
    return { value: `${surname[1]}先生/女士`, start: surname.index, end: surname.index + surname[0].length };
  return bareName(masked);
}

/**
 * A clause that is nothing but a name, maybe right after the room: "B座1203，刘洋，空调不制冷", "锦华苑12号楼1803的王强".
 * Only in a message that also gives a room or phone: that is when people introduce themselves, and it keeps
 * "周末，楼上很吵" from naming anyone.
 */
function bareName(masked: string): Hit | undefined {
  if (!/<R>|<P>/.test(masked)) return undefined;
  const clause = /[^,，。.;；!！?？\s]+/g;
  for (let m = clause.exec(masked); m; m = clause.exec(masked)) {
    const c = /^(?:[^<]*(?:<R>|<P>))?的?([\u4e00-\u9fa5·]{2,4})(?:<R>|<P>)?$/.exec(m[0]);
    const name = c?.[1];
    if (name && startsLikeName(name) && isPlausibleName(name))
      return { value: name, start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}

export function findName(text: string): string | undefined {
  return nameHit(maskRoomAndPhone(text))?.value;
}

/** A bare answer to "怎么称呼": the bot asked, so a plain name is enough ("李娜", "王先生", "小王", "姓李"). */
export function asBareName(text: string): string | undefined {
  const t = text.replace(/[。.!！,，\s]+$/g, '').trim();
  const surnameOnly = /^(?:我|免贵)?姓([\u4e00-\u9fa5])$/.exec(t)?.[1];
  if (surnameOnly && isSurname(surnameOnly)) return `${surnameOnly}先生/女士`;
  const explicit = /^(我叫|叫我)/.test(t);
  const bare = t.replace(/^(我是|我叫|叫我)/, '');
  if (/^[\u4e00-\u9fa5·]{2,4}$/.test(bare) && isPlausibleName(bare) && (explicit || startsLikeName(bare))) return bare;
  const title = TITLE.exec(bare);
  if (title && title[0] === bare && isSurname(title[1]!)) return bare;
  return undefined;
}

// Words around a name given in answer to "怎么称呼": assent, hurry, who the speaker is to the household.
const ANSWER_FILLER =
  /^(?:好吧|好的|好|那行|行吧|行|哦|噢|嗯|那|就|俺|偶|业主|他老婆|我老婆|我老公|他老公|我爱人|家属)*(?:叫|是|姓名是?|名字是?)?/;

/**
 * The name in an answer to "怎么称呼" that says more than the name ("好吧，陈丽", "那行 俺叫钱淑英", "张丽，张丽，快点啊",
 * "我是他老婆，叫何小梅"): the whole answer if it is a bare name, else the first of its phrases that is one, a phrase
 * introduced by 叫 / 是 first.
 */
export function nameInAnswer(text: string): string | undefined {
  const whole = asBareName(text);
  if (whole) return whole;
  const phrases = text.split(/[，,。.!！?？~～、；;\s]+/).filter(Boolean);
  const introduced = phrases.filter(
    (p) => /(?:叫|是)$/.test(ANSWER_FILLER.exec(p)![0]) || /^(?:我|俺)(?:叫|是)/.test(p),
  );
  const names = [...introduced, ...phrases]
    .map((p) => asBareName(p) ?? asBareName(p.replace(ANSWER_FILLER, '')))
    .filter((n): n is string => n !== undefined);
  // "俺姓赵 赵玉兰": the full name over the surname alone.
  return names.find((n) => !n.endsWith('先生/女士')) ?? names[0];
}

/** A corrected name comes with how to write it ("黄方，方向的方", "张秀岚 山风那个岚"): the name is the first phrase. */
export const correctedName = (body: string) => asBareName(body) ?? asBareName(body.split(/[，,。\s]+/)[0] ?? '');

function maskRoomAndPhone(text: string): string {
  let t = text;
  const room = findRoom(t);
  if (room) t = `${t.slice(0, room.start)}<R>${t.slice(room.end)}`;
  const phone = findPhone(t);
  if (phone) t = `${t.slice(0, phone.start)}<P>${t.slice(phone.end)}`;
  return t;
}

/** A name read in the normalised text, given back in the characters the resident wrote it in. */
export function nameAsWritten(written: string, name: string): string {
  if (name.endsWith('先生/女士')) return `${asWrittenIn(written, name[0]!)}先生/女士`;
  return asWrittenIn(written, name);
}

/** `written`, where given, is the message as typed: the name comes back in its characters. */
export function extractSlots(text: string, written?: string): Slots {
  const slots: Slots = {};
  const room = findRoom(text);
  if (room) slots.room = room.value;
  const phone = findPhone(text);
  if (phone) slots.phone = phone.value;
  const name = findName(text);
  if (name) slots.name = written === undefined ? name : nameAsWritten(written, name);
  return slots;
}

/**
 * Text with the slot phrases taken out, so what is left can be judged and summarised as the problem:
 * "我家热水器坏了，周杰，5栋1单元201，我的电话13812345678" → "我家热水器坏了".
 * Only labels next to a slot go ("电话13812345678"), so "手机信号差" keeps its words.
 */
export function withoutSlots(text: string): string {
  let t = maskRoomAndPhone(text);
  const name = nameHit(t);
  if (name) t = `${t.slice(0, name.start)}<N>${t.slice(name.end)}`;
  return t
    .replace(/(?:我的|本人)?(?:联系)?(?:电话|手机|联系方式)(?:号码|号)?\s*(?:是|为|:|：)?\s*<P>/g, '')
    .replace(/(?:我家|我|家)?(?:住在|住|在|是)?\s*<R>\s*(?:的)?/g, '')
    .replace(/<N>|<P>|<R>/g, '')
    .replace(/\s*[,，;；]+[\s,，;；。.]*/g, '，')
    .replace(/^[\s,，。.!！;；:：]+|[\s,，。.!！;；:：]+$/g, '')
    .trim();
}

export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
