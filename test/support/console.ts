// Console fixtures: users with a known password (signed in by the browser tests), a headless Chromium, and the
// screenshots folder the run writes to.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createConsoleStore } from '../../src/db/console-store.js';
import { hashPassword } from '../../src/console/passwords.js';
import type { Service } from '../../src/service.js';
import type { ConsoleRole } from '../../src/tickets/index.js';
import { testClock } from './clock.js';

export const PASSWORD = 'correct-horse-42';
export const SCREENSHOTS = join('test-results', 'screenshots');

export async function addConsoleUser(
  svc: Service,
  username: string,
  roles: ConsoleRole[],
  o: { projects?: string[]; wecomUserId?: string; department?: string; mustChangePassword?: boolean } = {},
) {
  const store = createConsoleStore(svc.ds);
  const user = await store.addUser(
    {
      username,
      displayName: username,
      passwordHash: await hashPassword(PASSWORD),
      roles,
      projects: o.projects ?? ['*'],
      wecomUserId: o.wecomUserId ?? null,
      department: o.department ?? null,
      mustChangePassword: o.mustChangePassword ?? false,
    },
    testClock.now(),
  );
  if (!user) throw new Error(`user ${username} exists`);
  return user;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function signIn(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The console over plain HTTP with a cookie jar: what a browser sends, for the tests that need no page script. */
export class ConsoleClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (value) this.cookies.set(name!, value);
      else this.cookies.delete(name!);
    }
  }
  private get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string): Promise<{ status: number; text: string; location: string | null }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookieHeader }, redirect: 'manual' });
    this.remember(res);
    const text = await res.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? this.csrf;
    return { status: res.status, text, location: res.headers.get('location') };
  }

  async post(path: string, form: Record<string, string>, o: { csrf?: boolean; origin?: string } = {}) {
    const body = new URLSearchParams(o.csrf === false ? form : { _csrf: this.csrf, ...form });
    const res = await fetch(this.base + path, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader,
        origin: o.origin ?? this.base,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    this.remember(res);
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  }

  async signIn(username: string, password = PASSWORD) {
    await this.get('/console/login');
    const r = await this.post('/console/login', { username, password, next: '/console' });
    if (r.status !== 302) throw new Error(`sign-in of ${username} failed: ${r.status}`);
    await this.get('/console');
    return this;
  }

  sessionCookie = () => this.cookies.get('kf_console');
}
