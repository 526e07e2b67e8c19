// The web console in a real headless Chromium against the real service (SQLite, real crypto on the chat that filed
// the tickets): sign in, queues, filters, search by a phone's last four digits, a ticket's page, reassigning,
// approving, revealing a phone with a reason (and the auditor reading that), project scope enforced by URL, CSRF and
// Origin checks, lockout. Each step leaves a screenshot in test-results/screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadOrganisation } from '../../src/config/load-config.js';
import type { Service } from '../../src/service.js';
import { mpSay } from '../support/callbacks.js';
import { addConsoleUser, launchChromium, PASSWORD, shot, signIn } from '../support/console.js';
import { FakePlatform } from '../support/fake-platform.js';
import { startTestService } from '../support/service.js';

const org = loadOrganisation('config/organisation.json');
const xfl = org.projects[0]!;
const other = { ...xfl, code: 'YHY', name: '怡和苑', aliases: ['怡和苑'], ticketPrefix: 'YH' };

describe('web console in Chromium', () => {
  let svc: Service;
  let platform: FakePlatform;
  let browser: Browser;
  const tickets: Record<string, string> = {};
  const contexts: BrowserContext[] = [];

  async function pageFor(username?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    if (username) await signIn(page, svc.url, username);
    return page;
  }

  beforeAll(async () => {
    platform = await new FakePlatform().start();
    svc = await startTestService('sqlite', 'console', {
      platformUrl: platform.url,
      config: { organisation: { ...org, projects: [xfl, other] } },
    });
    browser = await launchChromium();
    const file = async (from: string, text: string) =>
      /工单 ([A-Z]+-\d{8}-\d{4})/.exec(await mpSay(svc.url, from, text))![1]!;
    tickets.light = await file('o-light', '我是赵敏，电话13812345678，幸福里2栋1单元202，楼道的灯坏了好几天了');
    tickets.leak = await file('o-leak', '我是钱多，电话13900001111，幸福里3栋502，卫生间天花板漏水，很急');
    tickets.other = await file('o-other', '我是孙丽，电话13700002222，怡和苑5栋101，门口垃圾没人清');
    await svc.tickets.proposePlan({ type: 'staff', userId: 'wx01' }, tickets.light!, '更换整条楼道的照明线路');
    await addConsoleUser(svc, 'li', ['manager'], { projects: ['XFL', 'YHY'], wecomUserId: 'xm01' });
    await addConsoleUser(svc, 'wang', ['handler'], { projects: ['XFL'], wecomUserId: 'wx01' });
    await addConsoleUser(svc, 'audit', ['auditor']);
    await addConsoleUser(svc, 'zhou', ['manager'], { projects: ['XFL'] });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await svc?.close();
    await platform?.stop();
  });

  it('when a manager signs in, then the first page counts the queues and lists what awaits approval', async () => {
    const page = await pageFor('li');
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.textContent('[data-queue=approvals] strong')).toBe('1');
    expect(await page.textContent('#approvals')).toContain(tickets.light);
    await shot(page, '01-home');
  });

  it('when a manager filters and searches by the last four digits of a phone, then that one shows', async () => {
    const page = await pageFor('li');
    await page.goto(`${svc.url}/console/tickets`);
    expect(await page.locator('tr[data-no]').count()).toBe(3);
    await page.fill('#q', '1111');
    await page.press('#q', 'Enter');
    await expect.poll(() => page.locator('tr[data-no]').count()).toBe(1);
    expect(await page.getAttribute('tr[data-no]', 'data-no')).toBe(tickets.leak);
    expect(await page.textContent('tr[data-no]')).toContain('钱*');
    expect(await page.textContent('#results')).not.toContain('13900001111');
    await shot(page, '02-search-phone-tail');

    await page.goto(`${svc.url}/console/tickets?project=YHY`);
    expect(await page.locator('tr[data-no]').allTextContents()).toEqual([expect.stringContaining(tickets.other!)]);
    await page.goto(`${svc.url}/console/tickets?category=engineering`);
    const works = await page.locator('tr[data-no]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-no')));
    expect(works).toEqual([tickets.leak]);
    await shot(page, '03-list');
  });

  it('when a manager opens a ticket and reassigns it, then the timeline and the new handler show it', async () => {
    const page = await pageFor('li');
    await page.goto(`${svc.url}/console/tickets/${tickets.leak}`);
    expect(await page.textContent('#resident-name')).toBe('钱*');
    expect(await page.textContent('#phone')).toContain('139****1111');
    await page.fill('#transfer input[name=to]', 'wx02');
    await Promise.all([page.waitForURL(/done=transferred/), page.click('#transfer button')]);
    expect(await page.textContent('[role=status]')).toContain('已转派');
    expect(await page.textContent('#handler')).toBe('wx02');
    expect(await page.textContent('.timeline')).toContain('console:li');
    await shot(page, '04-ticket');
    // The new handler hears of it the same way as when staff transfer in chat.
    await svc.dispatcher.tick();
    expect(platform.callsTo('/cgi-bin/message/send').some((c) => c.body.touser === 'wx02')).toBe(true);
  });

  it('when a manager approves a plan, then it is decided once and shows who decided', async () => {
    const page = await pageFor('li');
    await page.goto(`${svc.url}/console/tickets/${tickets.light}`);
    await page.fill('#approvals input[name=reason]', '同意，尽快施工');
    await Promise.all([page.waitForURL(/done=approved/), page.click('#approvals button[value=approve]')]);
    expect(await page.textContent('#approvals')).toContain('已批准');
    expect(await page.textContent('#approvals')).toContain('console:li');
    expect(await page.locator('#approvals form').count()).toBe(0);
    await shot(page, '05-approved');
  });

  it('when a manager reveals a phone with a reason, then it shows; the auditor reads who and why', async () => {
    const page = await pageFor('li');
    await page.goto(`${svc.url}/console/tickets/${tickets.light}`);
    await page.click('#reveal button');
    // The reason is required: the browser refuses an empty one before anything is sent.
    expect(await page.textContent('#phone')).not.toContain('13812345678');
    await page.fill('#reveal input[name=reason]', '电话回访住户');
    await Promise.all([page.waitForLoadState('load'), page.click('#reveal button')]);
    expect(await page.textContent('#phone [data-revealed]')).toBe('13812345678');

    const auditor = await pageFor('audit');
    await auditor.goto(`${svc.url}/console/audit?action=reveal_phone`);
    const rowText = await auditor.textContent('#audit tbody tr');
    expect(rowText).toContain('li');
    expect(rowText).toContain(tickets.light);
    expect(rowText).toContain('电话回访住户');
    expect(rowText).toContain('127.0.0.1');
    await shot(auditor, '06-audit');
    // The auditor reads and does not act.
    await auditor.goto(`${svc.url}/console/tickets/${tickets.light}`);
    expect(await auditor.locator('#actions, #reveal').count()).toBe(0);
  });

  it("when a handler types another project's ticket URL, then 404; their list holds only their projects", async () => {
    const page = await pageFor('wang');
    const res = await page.goto(`${svc.url}/console/tickets/${tickets.other}`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('找不到');
    await shot(page, '07-other-project-404');
    await page.goto(`${svc.url}/console/tickets`);
    const listed = await page.locator('tr[data-no]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-no')));
    expect(listed).not.toContain(tickets.other);
  });

  it('when a POST comes without the CSRF token or from another origin, then it is refused', async () => {
    const page = await pageFor('zhou');
    await page.goto(`${svc.url}/console/tickets/${tickets.light}`);
    const csrf = await page.getAttribute('#transfer input[name=_csrf]', 'value');
    const post = (form: Record<string, string>, origin = svc.url) =>
      page.request.post(`${svc.url}/console/tickets/${tickets.light}/transfer`, {
        form,
        headers: { origin },
        maxRedirects: 0,
      });
    const noToken = await post({ to: 'gc01' });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain('CSRF');
    const crossSite = await post({ to: 'gc01', _csrf: csrf! }, 'https://evil.example');
    expect(crossSite.status()).toBe(403);
    await page.reload();
    expect(await page.textContent('#handler')).not.toBe('gc01');
    const ok = await post({ to: 'gc01', _csrf: csrf! });
    expect(ok.status()).toBe(302);
  });

  it('when a wrong password is typed five times, then the account locks, even for the right password', async () => {
    await addConsoleUser(svc, 'guess', ['handler'], { projects: ['XFL'] });
    const page = await pageFor();
    for (let i = 0; i < 4; i++) {
      await signIn(page, svc.url, 'guess', 'wrong-password');
      expect(await page.textContent('[role=alert]')).toContain('用户名或密码错误');
    }
    await signIn(page, svc.url, 'guess', 'wrong-password');
    expect(await page.textContent('[role=alert]')).toContain('已锁定');
    await signIn(page, svc.url, 'guess', PASSWORD);
    expect(await page.textContent('[role=alert]')).toContain('已锁定');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot(page, '08-locked');
  });

  it('when a new user signs in with the one-time password, then they must set their own first', async () => {
    await addConsoleUser(svc, 'newbie', ['handler'], { projects: ['XFL'], mustChangePassword: true });
    const page = await pageFor('newbie');
    expect(new URL(page.url()).pathname).toBe('/console/password');
    await page.goto(`${svc.url}/console/tickets`);
    expect(new URL(page.url()).pathname).toBe('/console/password');
    await page.fill('input[name=current]', PASSWORD);
    await page.fill('input[name=password]', 'a-new-secret-77');
    await page.fill('input[name=confirm]', 'a-new-secret-77');
    await Promise.all([page.waitForURL(/\/console$/), page.click('main button[type=submit]')]);
    await page.goto(`${svc.url}/console/tickets`);
    expect(new URL(page.url()).pathname).toBe('/console/tickets');
  });

  it('when opened on a phone inside WeCom, then the list and a ticket fit the screen', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) wxwork/4.1.30 MicroMessenger/7.0.1',
      locale: 'zh-CN',
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${svc.url}/console/login?password=1`);
    await page.fill('input[name=username]', 'li');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.goto(`${svc.url}/console/tickets`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '09-phone-list');
    await page.goto(`${svc.url}/console/tickets/${tickets.leak}`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '10-phone-ticket');
  });
});
