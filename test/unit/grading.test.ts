// Every grading rule of the three packs (000 §5.3.1, 004), with the facts the code reads off the text.
import { describe, expect, it } from 'vitest';
import { loadRuleEngine } from '../../src/config/rule-packs.js';
import { judgedLevel, type TicketFacts } from '../../src/rules/index.js';
import { headcountOf, reportedDaysOf } from '../../src/rules/facts.js';
import { normalizeText } from '../../src/text/normalize.js';

const engine = loadRuleEngine('config', undefined, { withModel: false });

/** The judged level (including one awaiting approval) and every rule that fired. */
async function grade(text: string, pack?: string, facts: TicketFacts = {}) {
  const c = engine.classify(normalizeText(text).match, pack);
  const g = await engine.grade(c, facts);
  const proposed = (g.proposal?.rules ?? []).map((rule) => ({
    rule,
    level: g.proposal!.level,
    reason: '',
    score: undefined as number | undefined,
  }));
  return { c, level: judgedLevel(g), reasons: [...g.reasons, ...proposed], effective: g.level, proposal: g.proposal };
}

describe('residential grading (000 §5.3.1)', () => {
  it.each([
    ['我已经向法院起诉你们了，法院已经立案', 'major', '已起诉'],
    ['这事已经上了电视新闻，记者都来采访过了', 'major', '已被媒体曝光'],
    ['我们楼12户业主联名投诉楼下饭店油烟', 'major', '十人以上集体投诉'],
    ['漏水报了一个多月了还没人来修', 'major', '报修一个月未解决'],
    ['再不处理我就去法院起诉你们', 'hot', '扬言起诉或曝光'],
    ['不解决我就发到抖音上曝光', 'hot', '扬言起诉或曝光'],
    ['我要打12345投诉你们', 'hot', '扬言起诉或曝光'],
    ['再拖下去我去住建局反映', 'hot', '扬言起诉或曝光'],
    ['我们单元有5户都被楼上装修吵得睡不着', 'hot', '三人以上集体投诉'],
    ['门禁坏了，报修一个多星期了都没人管', 'hot', '报修一周未解决'],
    ['上次修好的水管又漏了', 'important', '问题再次发生'],
    ['小区外面工地晚上施工太吵了', 'important', '需外部单位协助'],
  ])('%s → %s (%s)', async (text, level, rule) => {
    const g = await grade(text);
    expect(g.level).toBe(level);
    expect(g.reasons.map((r) => r.rule)).toContain(rule);
  });

  it('holds a threat-based upgrade for the project lead to approve, and applies head counts at once', async () => {
    const threat = await grade('再不修我就去法院起诉你们');
    expect(threat.effective).toBe('general');
    expect(threat.proposal).toMatchObject({ level: 'hot', approver: 'lead' });
    const crowd = await grade('我们单元有5户都被楼上装修吵得睡不着');
    expect(crowd.effective).toBe('hot');
    expect(crowd.proposal).toBeUndefined();
  });

  it('keeps an ordinary repair general', async () => {
    expect((await grade('厨房水龙头坏了，麻烦来修一下')).level).toBe('general');
  });

  it('counts a duration only once the problem was reported: an old fault is not a week unanswered', async () => {
    expect((await grade('卫生间墙面渗水有一个月了')).level).toBe('general');
    expect((await grade('卫生间墙面渗水，报修一个月了')).level).toBe('major');
  });

  it('keeps an inquiry general unless it carries a threat or a head count', async () => {
    expect((await grade('请问物业费怎么交')).level).toBe('general');
    expect((await grade('请问这个月停车费为什么涨了，不说清楚我就打12345')).level).toBe('hot');
  });

  it('makes the same resident back on the same problem after closure important, with the 000 §6.5 score', async () => {
    const g = await grade('厨房水龙头又坏了', undefined, { repeatAfterClose: true });
    expect(g.level).toBe('important');
    expect(g.reasons.find((r) => r.rule === '同一业主同一问题再次投诉')?.score).toBe(-4);
  });

  it('raises a ticket with the incident head count: 3 residents hot, 10 major', async () => {
    expect((await grade('电梯坏了', undefined, { incidentResidents: 2 })).level).toBe('general');
    // Runs are remembered by their facts: the same text with another fact must not get the remembered answer.
    expect((await grade('电梯坏了', undefined, { incidentResidents: 3 })).level).toBe('hot');
    expect((await grade('电梯坏了', undefined, { incidentResidents: 3 })).level).toBe('hot');
    expect((await grade('电梯坏了', undefined, { incidentResidents: 10 })).level).toBe('major');
  });

  it('takes the highest level that applies and keeps every reason', async () => {
    const g = await grade('报修两周了没人管，我们8户业主准备起诉');
    expect(g.level).toBe('hot');
    expect(g.reasons.map((r) => r.rule).sort()).toEqual(
      ['三人以上集体投诉', '报修一周未解决', '扬言起诉或曝光'].sort(),
    );
  });
});

describe('mall grading (004 初级/一级/二级)', () => {
  it.each([
    ['买的鞋子开胶了，想换一双', 'primary'],
    ['在扶梯上摔倒了，要求赔偿医药费', 'first'],
    ['服务台处理不了，叫你们经理来', 'first'],
    ['活动规则不合理，最终解释权就是霸王条款', 'second'],
    ['你们不给退我就去12315和消协投诉', 'second'],
  ])('%s → %s', async (text, level) => {
    expect((await grade(text, 'mall')).level).toBe(level);
  });

  it('asks finance to approve compensation and routes by level', async () => {
    const g = await grade('在扶梯上摔倒了，要求赔偿医药费', 'mall');
    const r = await engine.route({ ...g.c, level: g.level });
    expect(r.department).toBe('store');
    expect(r.notices.find((n) => n.approval === 'finance')?.within).toContain('一天内');
  });
});

describe('sales-office grading (004 篇3)', () => {
  it.each([
    ['合同约定的车位到现在都没兑现，我已经提了好几次了', 'major', 'vice_gm'],
    ['在售楼处摔倒受伤住院了', 'major', 'vice_gm'],
    ['置业顾问报错价，多收了我两万', 'important', 'sales_admin'],
    ['售楼处空调太冷了', 'minor', 'sales_supervisor'],
    ['我作为售楼员，投诉售楼主管分工不合理', 'internal', 'sales_admin'],
    ['项目经理态度很差', 'important', 'vice_gm'],
  ])('%s → %s, handled by %s', async (text, level, department) => {
    const g = await grade(text, 'sales_office');
    expect(g.level).toBe(level);
    expect((await engine.route({ ...g.c, level: g.level })).department).toBe(department);
  });
});

describe('facts read off the text', () => {
  it.each([
    ['我们12户业主联名投诉', 12],
    ['十几户业主都停水了', 11],
    ['二三十户都受影响', 20],
    ['好几户都漏水', 3],
    ['有5位业主一起来反映', 5],
    ['家里3个人都睡不着', null],
    ['3栋2单元502', null],
  ])('head count of %s is %s', (text, n) => expect(headcountOf(normalizeText(text).match)).toBe(n));

  it.each([
    ['报了一个多月了还没修', 31],
    ['催了两周', 14],
    ['门禁坏了一周都没人修', 7],
    ['反映了半个月', 15],
    ['等了十多天', 11],
    ['漏了一个月了', null],
  ])('days reported of %s is %s', (text, n) => expect(reportedDaysOf(normalizeText(text).match)).toBe(n));
});

describe('routing and notices (000 §5.3.2)', () => {
  const route = async (text: string) => {
    const g = await grade(text);
    return engine.route({ ...g.c, level: g.level });
  };

  it('sends an emergency to the on-duty handler and the project lead at once', async () => {
    const r = await route('家里水管爆了，水漫到客厅了');
    expect(r.department).toBe('maintenance');
    expect(r.notices[0]).toMatchObject({ notify: ['on_duty', 'lead'], within: '立即' });
  });

  const hotAndMajorNotices =
    'tells the quality department about a hot event within 3 working days, head office about a major one at once';
  it(hotAndMajorNotices, async () => {
    expect((await route('不修好我就找媒体曝光')).notices.map((n) => n.notify)).toContainEqual(['quality']);
    expect((await route('我已经起诉你们了')).notices.map((n) => n.notify)).toContainEqual([
      'head_office',
      'quality',
      'lead',
    ]);
  });

  it('routes by category: engineering defects, sales and planning to their departments', async () => {
    expect((await route('卧室墙面裂缝越来越大')).department).toBe('engineering');
    expect((await route('交房时间一拖再拖')).department).toBe('marketing');
    expect((await route('小区车位配比太低，规划不合理')).department).toBe('design');
    expect((await route('保安态度太差了，还骂人')).department).toBe('customer_service');
  });
});

describe('the remaining mall and sales-office rules', () => {
  it.each([
    ['mall', '商场和商户互相推，谁都不管我的退货', 'second', '须其他单位协助'],
    ['mall', '你们商场的停车场收费系统又坏了，第二次了', 'first', '再次客诉'],
    ['sales_office', '交房问题投诉了一个多月了还没给答复', 'major', '一个月未解决'],
    ['sales_office', '样板间的事已经上了新闻了', 'major', '已起诉或曝光'],
    ['sales_office', '售楼处停车太难了，再这样我就发到网上', 'important', '扬言起诉曝光或多人投诉'],
  ])('%s: %s → %s (%s)', async (pack, text, level, rule) => {
    const g = await grade(text, pack);
    expect(g.level).toBe(level);
    expect(g.reasons.map((r) => r.rule)).toContain(rule);
  });

  it('makes a collective mall complaint second-level once three customers report it', async () => {
    const g = await grade('扶梯坏了', 'mall', { incidentResidents: 3 });
    expect(g.level).toBe('second');
    expect(g.reasons.map((r) => r.rule)).toContain('集体客诉');
  });
});

describe('remembered rule runs', () => {
  const gradedAndRoutedAgain =
    'when the same ticket facts are graded and routed again, then the answers are equal and are fresh objects';
  it(gradedAndRoutedAgain, async () => {
    const c = engine.classify(normalizeText('漏水报了一个多月了还没人来修').match);
    const first = await engine.grade(c, { project: 'XFL' });
    first.reasons.length = 0;
    const second = await engine.grade(c, { project: 'XFL' });
    expect(second.reasons.length).toBeGreaterThan(0);
    const r1 = await engine.route({ ...c, level: 'hot' }, { project: 'XFL' });
    r1.notices.length = 0;
    expect((await engine.route({ ...c, level: 'hot' }, { project: 'XFL' })).notices.length).toBeGreaterThan(0);
    expect((await engine.route({ ...c, level: 'general' }, { project: 'XFL' })).notices).not.toEqual(
      (await engine.route({ ...c, level: 'hot' }, { project: 'XFL' })).notices,
    );
  });
});
