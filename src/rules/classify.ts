// First keyword classifier (the rules-engine issue replaces it with rule packs as data). Pure.
import type { Category, Classification, Kind, Level, Trade } from './codes.js';

const NEGATED = /(已经|现在)?(不|没)(再)?(漏|滴|渗|冒烟|停)了|已(经)?(修好|恢复|处理好)|恢复正常/;

// The whole home (or building) without power or water is an emergency; one socket or the toilet cistern is not
// ("插座没电", "马桶没水"): no appliance word may stand between the place and the outage.
const NOT_AN_APPLIANCE = '(?:(?!插座|开关|灯|冰箱|空调|电视|热水器|洗衣机|马桶|水箱|水龙头|花洒).)';
const WHOLE_HOME_OUT = (outage: string) => new RegExp(`(家|屋|房间|房子|全|整)${NOT_AN_APPLIANCE}{0,4}(${outage})|^${NOT_AN_APPLIANCE}{0,6}(${outage})`);

const EMERGENCY = [
  /爆(管|了|裂)|水管.{0,4}(爆|裂|喷)|喷水|跑水|水漫|淹了|漫水|发大水|积水.{0,4}(很深|进屋)/,
  WHOLE_HOME_OUT('停电|没电|断电|没有电'),
  /全屋.{0,3}(没电|跳闸)/,
  WHOLE_HOME_OUT('停水|没水|断水|没有水'),
  /(燃气|煤气|天然气).{0,4}(味|泄漏|漏气|漏了)|闻到.{0,4}(燃气|煤气)/,
  /着火|起火|火灾|冒烟|烟雾|失火|烧起来/,
  /(困|关|卡)在电梯|电梯.{0,6}(困人|被困|关人|有人出不来)|被困/,
  /(污水|粪水|下水道).{0,6}(倒灌|反|冒|涌)|返水|反水|倒灌/,
];
const INQUIRY_ONLY = /(什么时候|何时|几点|是否|会不会|请问|怎么办理|咨询|多少钱|能不能告诉).*(停水|停电|恢复|来水|来电|交|办)|通知.{0,4}(停水|停电)/;
// "明天停水吗" asks about a planned outage: an inquiry, not a home without water.
const OUTAGE_QUESTION = /(明天|后天|今晚|明早|下周|周[一二三四五六日末]|几号|哪天).{0,8}(停水|停电|停气|断水|断电)|(停水|停电|停气|断水|断电).{0,6}(吗|么)$/;

const COMPLAINT = /投诉|态度|不满|太差|差劲|不作为|没人管|没人理|乱收费|欺骗|虚假宣传|扰民|噪音|吵得|推诿|敷衍|拖了|一直不修|还没修|还没人来|怎么回事|太过分/;
const SUGGESTION = /建议|希望(能|可以)?(增加|安装|改善|加装)|能不能(增加|加装|安装)|提个意见/;
const PRAISE = /表扬|感谢|谢谢.{0,6}(师傅|管家|保安)|点赞|辛苦了|服务(很|真|非常)好|锦旗/;
const INQUIRY = /请问|咨询|怎么办理|怎么(交|缴|办|申请)|如何(交|缴|办|申请)|什么时候|多少钱|能否告知|在哪里?(交|缴|办)|是否|吗[?？]?$/;
const REPAIR = /坏|漏|渗|滴水|堵|不亮|不通|不出水|没电|没水|跳闸|裂|脱落|空鼓|起拱|松动|掉了|打不开|关不上|锁不上|不制冷|不热|不工作|报修|维修|修一下|来修|故障|异响|停电|停水|爆|困|冒烟|着火|返水|发霉|返潮/;

const CATEGORY_RULES: { category: Category; re: RegExp }[] = [
  { category: 'service', re: /(态度|服务差|不耐烦|骂人|不理人|爱答不理|推诿|敷衍|不专业|甩脸)|(客服|管家|前台|工作人员|维修工|师傅|保安).{0,6}(态度|不理|骂|凶|推诿|敷衍|太差)/ },
  { category: 'sales', re: /合同|交房|交付|延期|房产证|不动产证|办证|产权证|虚假宣传|售楼|销售|置业顾问|定金|首付|按揭|贷款|网签|认购|开发商承诺|宣传的/ },
  { category: 'planning', re: /规划|设计不合理|采光|日照|户型|容积率|绿化率|楼间距|配套|幼儿园|会所没|车位配比/ },
  { category: 'other', re: /自来水公司|供电局|供电公司|燃气公司|电信|移动|联通|宽带|网络信号|手机信号|施工队?|工地|市政|修路|地铁施工|外面在施工/ },
  // Pipes inside the home are part of its construction (domain.md); a burst pipe in the stairwell stays property.
  { category: 'engineering', re: /(家|屋|室内|卫生间|厨房|阳台).{0,6}水管.{0,4}(爆|裂|漏)|水管.{0,4}(爆|裂|漏).{0,6}(家|屋里)|(墙|天花板|屋顶|顶棚|窗|阳台|外墙|地下室|卫生间|厨房|楼板).{0,8}(漏|渗|滴水|裂|霉|返潮|水印)|漏水|渗水|滴水|裂缝|开裂|空鼓|墙皮|脱落|起拱|防水|返潮|发霉|水印/ },
  { category: 'property', re: /保洁|卫生|垃圾|保安|门禁|电梯|停车|车位|物业费|收费|绿化|噪音|装修|宠物|狗|路灯|楼道灯|快递|消防通道|道闸|监控|公共区域|大堂|单元门/ },
];

const TRADE_RULES: { trade: Trade; re: RegExp }[] = [
  { trade: 'hvac', re: /暖气|地暖|供暖|空调|新风|采暖|散热器|壁挂炉/ },
  { trade: 'doors_windows', re: /门(锁|把手|框|关不上|打不开|变形)|入户门|防盗门|窗(户|框|扇)?|玻璃|纱窗|推拉门|锁坏/ },
  { trade: 'fitout', re: /瓷砖|地板|橱柜|吊顶|涂料|墙纸|壁纸|踢脚线|乳胶漆|台面|柜门/ },
  // 电 alone, but not 电话/电梯/电信/电视/电脑: "电话13812345678，墙面裂缝" is a civil defect.
  { trade: 'water_electric', re: /水管|下水|马桶|水龙头|地漏|堵|漏水|滴水|没水|停水|电(?!话|梯|信|视|脑)|插座|开关|灯|跳闸|热水器|水压|返水|管道|燃气|煤气/ },
  { trade: 'civil', re: /墙|裂缝|开裂|空鼓|地面|屋顶|天花板|防水|渗水|楼板|阳台|外墙/ },
];
const NO_TRADE = /电梯|道闸|门禁|监控|停车|车位|路灯|小区大门|单元门/;

const MAJOR = /(已经|已)(起诉|立案|上诉|告到法院)|法院(已)?(受理|立案)|(上了|登上)(新闻|电视|报纸|热搜)|(媒体|记者|电视台)(已经)?(报道|曝光)了|已经曝光/;
const HOT = /起诉|告你们|打官司|律师|法院|媒体|记者|电视台|曝光|(发|挂)(到)?(网上|抖音|微博|朋友圈|小红书)|(?<!\d)12345(?!\d)|市长热线|住建|房管局|消协|信访|上访/;
const IMPORTANT = /又(坏|漏|堵|出现|来了)|再次|第二次|第三次|还是(没|不)|反复|上次修/;

export function classify(matchText: string): Classification {
  const text = matchText;
  const negated = NEGATED.test(text);
  const outageQuestion = OUTAGE_QUESTION.test(text);
  const inquiryOnly = INQUIRY_ONLY.test(text) || outageQuestion;
  const emergency = !negated && !inquiryOnly && EMERGENCY.some((re) => re.test(text));
  const kind = emergency ? 'repair' : outageQuestion ? 'inquiry' : kindOf(text);
  const category = CATEGORY_RULES.find((r) => r.re.test(text))?.category ?? 'property';
  const trade = tradeOf(text, kind, category);
  const level = levelOf(text, kind, category);
  const hits = [emergency, COMPLAINT.test(text) || REPAIR.test(text), CATEGORY_RULES.some((r) => r.re.test(text))].filter(Boolean).length;
  return { kind, category, trade, urgency: emergency ? 'emergency' : 'normal', level, confidence: Math.min(1, 0.4 + 0.2 * hits) };
}

function kindOf(text: string): Kind {
  if (PRAISE.test(text) && !/(真|太)?(是)?(好|棒).{0,4}(啊|呢)?.{0,6}(一直|又|都).{0,4}(坏|漏|不)/.test(text)) return 'praise';
  if (COMPLAINT.test(text)) return 'complaint';
  if (REPAIR.test(text)) return 'repair';
  if (SUGGESTION.test(text)) return 'suggestion';
  if (INQUIRY.test(text)) return 'inquiry';
  return 'complaint';
}

function tradeOf(text: string, kind: Kind, category: Category): Trade | null {
  if (kind !== 'repair' && category !== 'engineering') return null;
  if (category === 'service' || category === 'sales' || category === 'planning') return null;
  const trade = TRADE_RULES.find((r) => r.re.test(text))?.trade ?? null;
  if (NO_TRADE.test(text) && trade === null) return null;
  if (NO_TRADE.test(text) && !/(家|屋|户内|室内)/.test(text)) return null;
  return trade;
}

function levelOf(text: string, kind: Kind, category: Category): Level {
  if (MAJOR.test(text)) return 'major';
  if (HOT.test(text)) return 'hot';
  const actionable = kind === 'repair' || kind === 'complaint';
  if (actionable && (IMPORTANT.test(text) || category === 'other')) return 'important';
  return 'general';
}

/** Does this text describe something to handle (as opposed to a greeting or a bare slot answer)? */
export function looksLikeProblem(matchText: string): boolean {
  return (
    REPAIR.test(matchText) ||
    COMPLAINT.test(matchText) ||
    SUGGESTION.test(matchText) ||
    PRAISE.test(matchText) ||
    INQUIRY.test(matchText) ||
    EMERGENCY.some((re) => re.test(matchText)) ||
    CATEGORY_RULES.some((r) => r.re.test(matchText))
  );
}
