// Transcript tables for the intake dialogue: each conversation is [resident says, what must come back] per turn.
// The harness plays the use case's part (ticket numbers, session.last), so the replies read as the resident sees them.
import { describe, expect, it } from 'vitest';
import { play, TWO_PROJECTS, type Conversation } from './harness.js';

const ASK_NAME = '怎么称呼';
const ASK_ROOM = '请问您的房号';
const ASK_PROBLEM = '什么问题';
const ASK_PHONE = '请留一个联系电话';
const ASK_PROJECT = /哪个小区[\s\S]*1\. 幸福里花园[\s\S]*2\. 锦华苑/;
const CONFIRM = /请问您是 3-2-502 的李娜（电话 138\*\*\*\*5678）吗/;
const KF1 = 'KF-20261122-0001';
const KF2 = 'KF-20261122-0002';
const CREATED = `已为您登记工单 ${KF1}`;
const WELCOME = /您好，这里是幸福里物业客服。我可以帮您：[\s\S]*报事报修[\s\S]*我的工单/;
const NOT_UNDERSTOOD = '没有理解';

const profile = { name: '李娜', room: '3-2-502', phone: '13812345678', projectCode: 'XFL' };

const happyPath: Conversation[] = [
  {
    name: 'one question at a time: problem, name, room, then the phone the ticket reply asks for',
    turns: [
      ['你好，我家卫生间天花板在滴水', { says: ASK_NAME, never: ASK_ROOM, noCommand: true, state: 'collecting' }],
      ['李娜', { says: ASK_ROOM, never: ASK_NAME, noCommand: true }],
      [
        '3栋2单元502',
        {
          creates: {
            projectCode: 'XFL',
            name: '李娜',
            room: '3-2-502',
            phone: undefined,
            summary: '我家卫生间天花板在滴水',
            classification: { kind: 'repair', category: 'engineering', urgency: 'normal' },
            askPhone: true,
          },
          says: [CREATED, '3-2-502 李娜：我家卫生间天花板在滴水', '报修 · 工程质量类', '2 小时内', ASK_PHONE],
          state: 'awaiting_phone',
        },
      ],
      ['13812345678', { updates: { phone: '13812345678' }, state: 'idle' }],
    ],
  },
  {
    name: 'everything in one message: the ticket is created at once and no phone is asked for',
    turns: [
      [
        '我是3栋2单元502的李娜，电话13812345678，厨房水龙头坏了',
        {
          creates: { name: '李娜', room: '3-2-502', phone: '13812345678', summary: '厨房水龙头坏了', askPhone: false },
          says: [CREATED, '3-2-502 李娜：厨房水龙头坏了'],
          never: [ASK_PHONE, '13812345678'],
          state: 'idle',
        },
      ],
    ],
  },
  {
    name: '"不是很急" is how urgent it is, not a correction of the name',
    turns: [
      [
        '我是3栋2单元502的李娜，电话13812345678，厨房水龙头有点滴水',
        { creates: { name: '李娜', room: '3-2-502' }, says: CREATED },
      ],
      ['不是很急', { noCommand: true, never: ['更正', '很急'] }],
    ],
  },
  {
    name: 'name, room and phone first, the problem after: greeted by name, then the ticket',
    turns: [
      ['我是3栋2单元502的李娜，电话13812345678', { says: ['李娜您好', ASK_PROBLEM], never: ASK_NAME, noCommand: true }],
      [
        '卫生间墙面渗水',
        {
          creates: {
            name: '李娜',
            room: '3-2-502',
            phone: '13812345678',
            summary: '卫生间墙面渗水',
            classification: { trade: 'civil' },
          },
          never: ASK_PHONE,
        },
      ],
    ],
  },
  {
    name: 'name and room answered together when the name is asked',
    turns: [
      ['空调不制冷', { says: ASK_NAME }],
      ['李娜，3栋2单元502', { creates: { name: '李娜', room: '3-2-502', classification: { trade: 'hvac' } } }],
    ],
  },
  {
    name: 'a bare "我要报修" is an intent, not the problem: the bot asks what is wrong',
    turns: [
      ['我要报修', { says: ASK_PROBLEM, never: ASK_NAME, noCommand: true }],
      ['入户门锁坏了，打不开', { says: ASK_NAME }],
      ['王强', { says: ASK_ROOM }],
      [
        '12号楼1803',
        {
          creates: {
            name: '王强',
            room: '12-1803',
            problem: '入户门锁坏了，打不开',
            classification: { trade: 'doors_windows' },
          },
        },
      ],
    ],
  },
  {
    name: 'an inquiry is recorded too, and its summary keeps "物业费" while dropping the greeting',
    turns: [
      ['您好，物业，请问物业费怎么交？', { says: ASK_NAME }],
      ['王芳', { says: ASK_ROOM }],
      [
        '5-1-101',
        {
          creates: { summary: '请问物业费怎么交？', classification: { kind: 'inquiry', category: 'property' } },
          says: '类别：咨询',
        },
      ],
    ],
  },
  {
    name: 'the welcome menu answered with its number',
    turns: [
      [{ type: 'event', event: 'subscribe' }, { says: WELCOME }],
      ['1', { says: ASK_PROBLEM, never: NOT_UNDERSTOOD, noCommand: true }],
      ['楼道灯不亮了', { says: ASK_NAME }],
      ['3', { says: '请告诉我您的姓名或称呼', noCommand: true }],
    ],
  },
];

const oneMessageRooms: Conversation[] = [
  ['3栋2单元502的李娜，阳台漏水', '3-2-502', '李娜'],
  ['3-2-502 李娜，阳台漏水', '3-2-502', '李娜'],
  ['12号楼1803的王强，门锁坏了', '12-1803', '王强'],
  ['B座1203，刘洋，空调不制冷', 'B-1203', '刘洋'],
  ['三栋二单元五零二的陈静，厨房下水道堵了', '3-2-502', '陈静'],
  ['３栋２单元５０２，张伟，电话１３８１２３４５６７８，马桶堵了', '3-2-502', '张伟'],
].map(
  ([text, room, name]): Conversation => ({
    name: `room format: "${text}" → ${room}`,
    turns: [[text!, { creates: { room, name }, says: `${room} ${name}：`, never: [ASK_NAME, ASK_ROOM] }]],
  }),
);

const corrections: Conversation[] = [
  {
    name: 'correcting the room before the ticket exists ("不对，是503" keeps building and unit)',
    turns: [
      ['我是3栋2单元502的李娜', { says: ASK_PROBLEM }],
      ['不对，是503', { says: ASK_PROBLEM, noCommand: true }],
      ['阳台漏水', { creates: { name: '李娜', room: '3-2-503' } }],
    ],
  },
  {
    name: 'correcting the name before the ticket exists',
    turns: [
      ['我叫李娜，3栋2单元502', { says: ['李娜您好', ASK_PROBLEM] }],
      ['改成李明', { says: ['李明您好', ASK_PROBLEM] }],
      ['窗户关不上', { creates: { name: '李明', room: '3-2-502' } }],
    ],
  },
  {
    name: 'corrections after the ticket exists update it, while the phone question stays open',
    turns: [
      ['阳台漏水', { says: ASK_NAME }],
      ['李娜', { says: ASK_ROOM }],
      ['3栋2单元502', { creates: { room: '3-2-502' }, says: CREATED }],
      ['不对，是503', { updates: { room: '3-2-503' }, state: 'awaiting_phone' }],
      ['改成李明', { updates: { name: '李明' }, state: 'awaiting_phone' }],
      ['13812345678', { updates: { phone: '13812345678' }, state: 'idle' }],
      ['不对，是4栋1单元301', { updates: { room: '4-1-301' } }],
      ['名字写错了，应该是李铭', { updates: { name: '李铭' } }],
      ['不是301，是302', { updates: { room: '4-1-302' } }],
    ],
  },
  {
    name: 'a correction with nothing in it asks what to correct and changes nothing',
    turns: [
      ['我是3栋2单元502的李娜，电话13812345678，卫生间漏水', { creates: { room: '3-2-502' } }],
      ['不对', { says: '请告诉我需要更正的内容', noCommand: true }],
      ['电话错了，是13900002222', { updates: { phone: '13900002222' } }],
    ],
  },
];

const namesInAnswers: Conversation[] = [
  {
    name: 'a name given with words around it is the name alone',
    turns: [
      ['房产证到底什么时候能办下来', { says: ASK_NAME }],
      ['好吧，陈丽', { says: ASK_ROOM }],
      ['9-1-602', { creates: { name: '陈丽', room: '9-1-602' } }],
    ],
  },
  {
    name: 'a name introduced after who the speaker is, in a hurry',
    turns: [
      ['电梯困人了！我老公在7号楼的电梯里出不来', { says: '情况紧急' }],
      ['我是他老婆，叫何小梅', { says: ASK_ROOM }],
      ['3栋1单元903', { creates: { name: '何小梅', room: '3-1-903' } }],
    ],
  },
  {
    name: 'the surname and then the full name: the full name',
    turns: [
      ['楼上漏水 天棚往下洇', { says: ASK_NAME }],
      ['我姓冯 冯玉林', { says: ASK_ROOM }],
      ['9-1-302', { creates: { name: '冯玉林' } }],
    ],
  },
  {
    name: 'a typo in the name corrected before the ticket exists, with how to write it',
    turns: [
      ['样板间和交付的不一样', { says: ASK_NAME }],
      ['黄芳', { says: ASK_ROOM }],
      ['不好意思，写错了，是黄方，方向的方', { says: ASK_ROOM }],
      ['11-2-2003', { creates: { name: '黄方', room: '11-2-2003' } }],
    ],
  },
  {
    name: 'a typo corrected with 打错字了 and an explanation after a space',
    turns: [
      ['阳台顶上渗水 墙皮都鼓了', { says: ASK_NAME }],
      ['俺叫张秀兰', { says: ASK_ROOM }],
      ['哎呀 打错字了 是张秀岚 山风那个岚', { says: ASK_ROOM }],
      ['18号楼1单元1701', { creates: { name: '张秀岚', room: '18-1-1701' } }],
    ],
  },
];

const cancelling: Conversation[] = [
  {
    name: '"算了" before the ticket exists drops the draft; the next message starts afresh',
    turns: [
      ['阳台漏水', { says: ASK_NAME }],
      ['李娜', { says: ASK_ROOM }],
      ['算了', { says: '本次登记已取消', noCommand: true, state: 'idle' }],
      ['3栋2单元502', { says: ASK_PROBLEM, never: ['已为您登记', 'undefined'], noCommand: true }],
    ],
  },
  {
    name: '"取消" at the first question',
    turns: [
      ['墙皮脱落了', { says: ASK_NAME }],
      ['取消', { says: '本次登记已取消', noCommand: true, state: 'idle' }],
      ['你好', { says: WELCOME }],
    ],
  },
  {
    name: '"取消" right after the ticket is created cancels that ticket; a second "取消" has nothing left',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' }, state: 'awaiting_phone' }],
      ['取消', { commands: [{ type: 'cancel_ticket', ticketNo: KF1 }], says: `工单 ${KF1} 已撤销`, state: 'idle' }],
      ['取消', { says: '目前没有正在登记的事项', noCommand: true }],
    ],
  },
  {
    name: '"算了" after the phone was skipped still cancels the ticket just made',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' } }],
      ['跳过', { says: '我们会通过本对话与您联系', noCommand: true, state: 'idle' }],
      ['算了，不修了', { commands: [{ type: 'cancel_ticket', ticketNo: KF1 }] }],
    ],
  },
  {
    name: '"没事了" after the ticket means "that\'s all": the ticket stays, and the bot says how to cancel',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' } }],
      ['没事了', { says: [`工单 ${KF1} 会继续为您处理`, '回复"取消"'], noCommand: true, state: 'idle' }],
      ['谢谢', { says: '不客气', never: NOT_UNDERSTOOD, noCommand: true }],
      ['取消', { commands: [{ type: 'cancel_ticket', ticketNo: KF1 }] }],
    ],
  },
  {
    name: 'cancelling a ticket by number',
    turns: [['取消 KF-20261121-0003', { commands: [{ type: 'cancel_ticket', ticketNo: 'KF-20261121-0003' }] }]],
  },
];

const timing: Conversation[] = [
  {
    name: 'over 30 minutes idle: a polite note, the draft is gone, and the stale answer is not blamed',
    turns: [
      ['阳台漏水', { says: ASK_NAME }],
      [
        '李娜',
        {
          after: 31,
          says: ['超过 30 分钟未回复', '请重新描述您的问题'],
          never: [NOT_UNDERSTOOD, ASK_ROOM],
          noCommand: true,
          state: 'idle',
        },
      ],
      ['阳台漏水', { says: ASK_NAME, never: '超过' }],
    ],
  },
  {
    name: 'a 29-minute pause is not a timeout',
    turns: [
      ['阳台漏水', { says: ASK_NAME }],
      ['李娜', { after: 29, says: ASK_ROOM, never: '超过' }],
      ['3栋2单元502', { after: 29, creates: { name: '李娜', room: '3-2-502' } }],
    ],
  },
  {
    name: 'a timeout after the ticket exists needs no note: nothing unfinished was lost',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' } }],
      ['你好', { after: 45, says: WELCOME, never: '超过' }],
    ],
  },
  {
    name: 'the phone asked for with the ticket, sent hours later, still goes to that ticket',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' }, state: 'awaiting_phone' }],
      ['13812345678', { after: 180, updates: { phone: '13812345678' }, never: '超过' }],
    ],
  },
  {
    name: 'hours later only a bare phone number goes to the old ticket: a correction or a photo is a new conversation',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' } }],
      ['跳过', { state: 'idle' }],
      ['不对，是503', { after: 120, noCommand: true }],
    ],
  },
  {
    name: 'a phone number a day and more later is not taken for the old ticket',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { name: '李娜' } }],
      ['13812345678', { after: 25 * 60, noCommand: true }],
    ],
  },
];

const traditionalAndWidth: Conversation[] = [
  {
    name: 'Traditional Chinese is read in Simplified; the name is kept as written',
    turns: [
      ['我家衛生間天花板在滴水', { says: ASK_NAME }],
      ['我叫張偉', { says: ASK_ROOM }],
      [
        '３栋２单元５０２',
        {
          creates: {
            name: '張偉',
            room: '3-2-502',
            problem: '我家卫生间天花板在滴水',
            classification: { category: 'engineering' },
          },
        },
      ],
    ],
  },
  {
    name: 'Traditional lift fault: a property matter with no trade',
    turns: [
      ['電梯壞了', { says: ASK_NAME }],
      ['黃小明', { says: ASK_ROOM }],
      [
        '5棟2單元1001',
        {
          creates: {
            name: '黃小明',
            room: '5-2-1001',
            summary: '电梯坏了',
            classification: { kind: 'repair', category: 'property', trade: null },
          },
        },
      ],
      ['１３８－１２３４－５６７８', { updates: { phone: '13812345678' } }],
    ],
  },
];

const phones: Conversation[] = [
  {
    name: 'phone skipped, then given later in the same session: it goes to the ticket',
    turns: [
      ['卫生间地漏堵了', { says: ASK_NAME }],
      ['李娜', { says: ASK_ROOM }],
      ['3-2-502', { creates: { room: '3-2-502', phone: undefined }, says: ASK_PHONE }],
      ['跳过', { says: '我们会通过本对话与您联系', noCommand: true, state: 'idle' }],
      ['我的电话是13812345678', { updates: { phone: '13812345678' }, never: ASK_PROBLEM }],
    ],
  },
  {
    name: 'not a mobile number: asked again, then a dashed number is accepted',
    turns: [
      ['我是3栋2单元502的李娜，楼道灯不亮', { creates: { phone: undefined } }],
      ['12345', { says: '请回复 11 位手机号码', noCommand: true, state: 'awaiting_phone' }],
      ['好的', { says: '请回复 11 位手机号码', noCommand: true }],
      ['138-1234-5678', { updates: { phone: '13812345678' } }],
    ],
  },
  {
    name: "a repairman's number is not the resident's phone",
    turns: [
      [
        '我家热水器坏了，维修师傅电话13900001111，我是周杰，5栋1单元201',
        { creates: { name: '周杰', room: '5-1-201', phone: undefined, askPhone: true }, says: ASK_PHONE },
      ],
    ],
  },
  {
    name:
      "the resident's own number is taken even when the repairman's follows it, " +
      'and the summary keeps only the problem',
    turns: [
      [
        '我家热水器坏了，周杰，5栋1单元201，我的电话13812345678，师傅电话13900001111',
        {
          creates: {
            name: '周杰',
            room: '5-1-201',
            phone: '13812345678',
            summary: '我家热水器坏了，师傅电话13900001111',
          },
        },
      ],
    ],
  },
  {
    name: 'a phone number in the report does not make a wall crack an electrical job',
    turns: [
      [
        '我是3栋2单元502的李娜，电话13812345678，客厅墙面裂缝',
        { creates: { phone: '13812345678', classification: { category: 'engineering', trade: 'civil' } } },
      ],
    ],
  },
];

const notTheirRoom: Conversation[] = [
  {
    name: '"楼上502漏水" names the flat upstairs, not the resident\'s room',
    turns: [
      ['楼上502漏水', { says: ASK_NAME, noCommand: true }],
      ['孙丽', { says: ASK_ROOM, noCommand: true }],
      ['502', { says: '没能识别房号', noCommand: true }],
      ['3栋2单元402', { creates: { name: '孙丽', room: '3-2-402', summary: '楼上502漏水' } }],
    ],
  },
  {
    name: 'the upstairs flat and the own room in one message',
    turns: [['楼上3栋2单元502漏水，我是3栋2单元402的孙丽', { creates: { name: '孙丽', room: '3-2-402' } }]],
  },
];

const nonText: Conversation[] = [
  {
    name: 'a voice message asks for text; mid-dialogue it repeats the pending question',
    turns: [
      [
        { type: 'voice', mediaId: 'V1' },
        { says: '没能转成文字，请用文字描述', noCommand: true, state: 'idle' },
      ],
      ['厨房水管漏水', { says: ASK_NAME }],
      ['李娜', { says: ASK_ROOM }],
      [{ type: 'voice' }, { says: ['请用文字回复', ASK_ROOM], noCommand: true, state: 'collecting' }],
      ['3栋2单元502', { creates: { name: '李娜', room: '3-2-502' } }],
    ],
  },
  {
    name: 'an image before the description is kept on the ticket; one after creation is added to it',
    turns: [
      [
        { type: 'image', mediaId: 'M1' },
        { says: ['已收到图片', ASK_PROBLEM], noCommand: true },
      ],
      ['卫生间墙面渗水', { says: ASK_NAME }],
      ['我是李娜', { says: ASK_ROOM }],
      ['3栋2单元502', { creates: { images: ['M1'], summary: '卫生间墙面渗水' } }],
      [{ type: 'image', mediaId: 'M2' }, { updates: { image: 'M2' } }],
      ['跳过', { says: '我们会通过本对话与您联系' }],
      [
        { type: 'image', mediaId: 'M3' },
        { updates: { image: 'M3' }, never: ASK_PROBLEM },
      ],
    ],
  },
  {
    name: "a voice message with the platform's recognition text is read as typed, and the text said back",
    turns: [
      [
        { type: 'voice', mediaId: 'V1', recognition: '我家厨房水管漏水了。' },
        { says: ['语音已转文字：“我家厨房水管漏水了。”', ASK_NAME], noCommand: true, state: 'collecting' },
      ],
      [{ type: 'voice', mediaId: 'V2', recognition: '我叫张桂兰。' }, { says: ASK_ROOM }],
      [
        { type: 'voice', mediaId: 'V3', recognition: '三栋二单元五零二。' },
        { creates: { name: '张桂兰', room: '3-2-502', problem: '我家厨房水管漏水了。' } },
      ],
    ],
  },
  {
    name: 'menu buttons: report and complain start a report, my tickets lists them, a fixed text is answered',
    menu: {
      REPAIR: 'report',
      COMPLAINT: 'complain',
      MY_TICKETS: 'tickets',
      FEES: { reply: '物业费可在公众号“生活缴费”中缴纳，或到服务中心办理。' },
    },
    turns: [
      [
        { type: 'event', event: 'CLICK', key: 'REPAIR' },
        { says: ASK_PROBLEM, noCommand: true, state: 'collecting' },
      ],
      ['卫生间灯不亮了', { says: ASK_NAME }],
      [
        { type: 'event', event: 'CLICK', key: 'COMPLAINT' },
        { says: ASK_NAME, never: '投诉或建议的事情' },
      ],
      ['李娜', { says: ASK_ROOM }],
      ['3栋2单元502', { creates: { problem: '卫生间灯不亮了' } }],
      ['跳过', { says: '我们会通过本对话与您联系' }],
      [
        { type: 'event', event: 'CLICK', key: 'COMPLAINT' },
        { says: '投诉或建议的事情', state: 'collecting' },
      ],
      ['取消', { says: '已取消' }],
      [{ type: 'event', event: 'click', key: 'MY_TICKETS' }, { commands: [{ type: 'list_tickets' }] }],
      [
        { type: 'event', event: 'CLICK', key: 'FEES' },
        { says: '生活缴费', noCommand: true },
      ],
      [
        { type: 'event', event: 'CLICK', key: 'NO_SUCH_KEY' },
        { says: WELCOME, noCommand: true },
      ],
      [
        { type: 'event', event: 'VIEW', key: 'https://example.com/' },
        { silent: true, noCommand: true },
      ],
    ],
  },
  {
    name: "a project's own menu key wins over the company's for a resident known to live there",
    profile: { name: '李娜', room: '1-1-101', projectCode: 'JHY' },
    projects: [
      { code: 'XFL', name: '幸福里花园', aliases: [] },
      { code: 'JHY', name: '锦华苑', aliases: [], menu: { HELP: { reply: '锦华苑服务中心电话 0571-88880000' } } },
    ],
    turns: [
      [
        { type: 'event', event: 'CLICK', key: 'HELP' },
        { says: '锦华苑服务中心电话', never: WELCOME },
      ],
    ],
  },
  {
    name: 'subscribe and enter_agent events get the welcome; other events are answered by silence',
    turns: [
      [
        { type: 'event', event: 'subscribe' },
        { says: WELCOME, noCommand: true },
      ],
      [
        { type: 'event', event: 'enter_agent' },
        { says: WELCOME, noCommand: true },
      ],
      [
        { type: 'event', event: 'unsubscribe' },
        { silent: true, noCommand: true },
      ],
    ],
  },
  {
    name: 'a greeting alone gets the welcome, and mid-dialogue the pending question again',
    turns: [
      ['你好', { says: WELCOME, noCommand: true, state: 'idle' }],
      ['在吗？', { says: WELCOME }],
      ['门禁卡刷不开', { says: ASK_NAME }],
      ['您好', { says: '请告诉我您的姓名或称呼', never: WELCOME }],
    ],
  },
];

const lookUps: Conversation[] = [
  {
    name: '"我的工单", "查询 <no>" and "我报的…怎么样了" look tickets up instead of starting a report',
    turns: [
      ['我的工单', { commands: [{ type: 'list_tickets' }] }],
      ['查询 KF-20261122-0001', { commands: [{ type: 'show_ticket', ticketNo: KF1 }] }],
      ['查询kf-20261122-0001', { commands: [{ type: 'show_ticket', ticketNo: KF1 }] }],
      ['我上次报的漏水怎么样了', { commands: [{ type: 'list_tickets' }], never: ASK_NAME }],
    ],
  },
];

const returning: Conversation[] = [
  {
    name: 'a returning resident confirms with "是"',
    profile,
    turns: [
      ['阳台漏水', { says: CONFIRM, noCommand: true, state: 'confirming_identity' }],
      ['是', { creates: { name: '李娜', room: '3-2-502', phone: '13812345678', askPhone: false }, never: ASK_PHONE }],
    ],
  },
  {
    name: 'a returning resident answers the confirmation with a new room',
    profile,
    turns: [
      ['阳台漏水', { says: CONFIRM }],
      ['5栋1单元101', { creates: { name: '李娜', room: '5-1-101', phone: '13812345678' } }],
    ],
  },
  {
    name: 'a returning resident corrects the room with "不对，是…"',
    profile,
    turns: [
      ['阳台漏水', { says: CONFIRM }],
      ['不对，是3栋2单元503', { creates: { name: '李娜', room: '3-2-503' } }],
    ],
  },
  {
    name: 'someone else on the same account says "不是": the old name, room and phone are not offered again',
    profile,
    turns: [
      ['阳台漏水', { says: CONFIRM }],
      ['不是', { says: ASK_NAME }],
      ['李明', { says: ASK_ROOM, never: '请问您是' }],
      ['5栋1单元101', { creates: { name: '李明', room: '5-1-101', phone: undefined, askPhone: true } }],
    ],
  },
];

const emergencies: Conversation[] = [
  {
    name: 'a burst pipe is an emergency: name and room asked in one question, the reply says it is urgent',
    turns: [
      ['水管爆了，家里全淹了', { says: ['情况紧急', '称呼和房号'], noCommand: true }],
      [
        '李娜，3栋2单元502',
        {
          creates: {
            name: '李娜',
            room: '3-2-502',
            classification: { kind: 'repair', urgency: 'emergency', category: 'engineering' },
          },
          says: ['紧急情况', '30 分钟内'],
        },
      ],
    ],
  },
  {
    name: 'a question about a planned outage is an inquiry, not an emergency',
    turns: [
      ['明天停水吗', { says: ASK_NAME, never: '情况紧急' }],
      ['我是3栋2单元502的李娜', { creates: { classification: { kind: 'inquiry', urgency: 'normal' } }, never: '紧急' }],
    ],
  },
  {
    name: 'one socket without power is not an emergency',
    turns: [
      ['我家插座没电了', { says: ASK_NAME, never: '情况紧急' }],
      ['李娜', {}],
      ['3栋2单元502', { creates: { classification: { urgency: 'normal', trade: 'water_electric' } } }],
    ],
  },
];

const projects: Conversation[] = [
  {
    name: 'two projects: the bot asks which 小区, keeps the name and room given meanwhile, and uses the number chosen',
    projects: TWO_PROJECTS,
    turns: [
      ['阳台漏水', { says: ASK_PROJECT, noCommand: true, state: 'choosing_project' }],
      ['李娜', { says: ['已记下', ASK_PROJECT] }],
      ['3栋2单元502', { says: ASK_PROJECT }],
      ['4', { says: ASK_PROJECT, never: '已记下' }],
      ['2', { creates: { projectCode: 'JHY', name: '李娜', room: '3-2-502' } }],
    ],
  },
  {
    name: 'two projects: the 小区 named in the report is not asked for',
    projects: TWO_PROJECTS,
    turns: [
      [
        '锦华苑3栋2单元502的李娜，阳台漏水',
        { creates: { projectCode: 'JHY', name: '李娜', room: '3-2-502', summary: '阳台漏水' } },
      ],
    ],
  },
  {
    name: 'two projects: answered by name',
    projects: TWO_PROJECTS,
    turns: [
      ['楼下装修太吵了', { says: ASK_PROJECT }],
      ['幸福里', { says: ASK_NAME }],
      ['王先生', { says: ASK_ROOM }],
      [
        'B座1203',
        { creates: { projectCode: 'XFL', name: '王先生', room: 'B-1203', classification: { kind: 'complaint' } } },
      ],
    ],
  },
  {
    name: 'two projects and a returning resident: the remembered 小区 is used',
    projects: TWO_PROJECTS,
    profile: { ...profile, projectCode: 'JHY' },
    turns: [
      ['阳台漏水', { says: CONFIRM, never: '哪个小区' }],
      ['是', { creates: { projectCode: 'JHY' } }],
    ],
  },
];

const sameSession: Conversation[] = [
  {
    name: 'a second problem after the first ticket: the details just saved are only confirmed, not asked again',
    turns: [
      ['我是3栋2单元502的李娜，阳台漏水', { creates: { name: '李娜' } }],
      ['13812345678', { updates: { phone: '13812345678' } }],
      ['厨房灯也坏了', { says: CONFIRM, never: ASK_NAME, noCommand: true }],
      [
        '是',
        {
          creates: { name: '李娜', room: '3-2-502', phone: '13812345678', summary: '厨房灯也坏了' },
          says: `已为您登记工单 ${KF2}`,
        },
      ],
    ],
  },
  {
    name: 'a new problem while the phone is asked starts a second report instead of being taken as a phone answer',
    turns: [
      ['我是3栋2单元502的李娜，阳台漏水', { creates: { name: '李娜' } }],
      ['还有卫生间的马桶也堵了', { says: '请问您是 3-2-502 的李娜吗', never: '请回复 11 位手机号码', noCommand: true }],
      ['是', { creates: { room: '3-2-502', summary: '还有卫生间的马桶也堵了' }, says: KF2 }],
    ],
  },
  {
    name: 'nothing to cancel at the start',
    turns: [['取消', { says: '目前没有正在登记的事项', noCommand: true }]],
  },
];

// A shopping-mall project (rule pack "mall"): shoppers have no 楼栋-单元-房号; the bot asks where in the mall they are.
const MALL = [{ code: 'WXH', name: '万象汇购物中心', aliases: ['万象汇'], rulePack: 'mall' }];
const ASK_PLACE = '请问您在商场的什么位置';
const mall: Conversation[] = [
  {
    name: 'a shopper reports a broken escalator: problem, name, then the place in words',
    projects: MALL,
    turns: [
      ['你好，扶梯停了，上不去', { says: ASK_NAME, noCommand: true }],
      ['张先生', { says: ASK_PLACE, never: [ASK_ROOM, '没能识别房号'], noCommand: true }],
      [
        '在B1层扶梯口',
        {
          creates: { projectCode: 'WXH', name: '张先生', room: 'B1层扶梯口', askPhone: true },
          says: [CREATED, 'B1层扶梯口 张先生', ASK_PHONE],
        },
      ],
      ['13912345678', { updates: { phone: '13912345678' } }],
      ['不对，是B2层扶梯口', { updates: { room: 'B2层扶梯口' } }],
      ['不对，是张女士', { updates: { name: '张女士' } }],
    ],
  },
  {
    name: 'a shop number is a place too, and a returning shopper is not asked for the name again',
    projects: MALL,
    profile: { name: '王女士', room: '3楼301店铺', phone: '13700001111', projectCode: 'WXH' },
    turns: [
      ['买的衣服要退货，店员不给退', { says: ASK_PLACE, never: [ASK_NAME, '请问您是'], noCommand: true }],
      [
        '3楼301店铺',
        {
          creates: { name: '王女士', room: '3楼301店铺', phone: '13700001111', askPhone: false },
          says: [CREATED, '3楼301店铺 王女士'],
        },
      ],
    ],
  },
  {
    name: 'an emergency in the mall asks for the place at once after the name',
    projects: MALL,
    turns: [
      ['有人被困在电梯里了', { says: ASK_NAME, noCommand: true }],
      ['李强', { says: ['情况紧急', ASK_PLACE], noCommand: true }],
      ['2号电梯，靠近北门', { creates: { name: '李强', room: '2号电梯，靠近北门' } }],
    ],
  },
  {
    name: 'a long description of the place keeps its first 32 characters (what the record holds)',
    projects: MALL,
    turns: [
      ['商场里的灯坏了一排', { says: ASK_NAME }],
      ['赵女士', { says: ASK_PLACE }],
      [
        '就在四楼美食广场最里面靠近洗手间的那条走廊上，旁边是一家奶茶店和一家卖烤肉的店',
        { creates: { room: '就在四楼美食广场最里面靠近洗手间的那条走廊上，旁边是一家奶茶店…' } },
      ],
    ],
  },
];

const tables: [string, Conversation[]][] = [
  ['happy path', happyPath],
  ['room formats in one message', oneMessageRooms],
  ['corrections', corrections],
  ['cancelling', cancelling],
  ['timeouts', timing],
  ['Traditional Chinese and full-width input', traditionalAndWidth],
  ['phone numbers', phones],
  ["rooms that are not the resident's", notTheirRoom],
  ['non-text messages and greetings', nonText],
  ['names in longer answers', namesInAnswers],
  ['looking tickets up', lookUps],
  ['returning residents', returning],
  ['emergencies', emergencies],
  ['several projects', projects],
  ['after a ticket, in the same session', sameSession],
  ['a shopping mall', mall],
];

describe('intake dialogue transcripts', () => {
  for (const [title, conversations] of tables) {
    describe(title, () => {
      for (const c of conversations) it(c.name, () => void play(c));
    });
  }

  it('has at least 35 conversations', () => {
    expect(tables.reduce((n, [, cs]) => n + cs.length, 0)).toBeGreaterThanOrEqual(35);
  });
});
