// `npm run user -- add --role admin NAME` on the embedded default: the first admin gets a one-time password that signs
// in (and must be replaced), the same keys and file the service uses; bad arguments get the usage in Chinese.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { ConsoleClient } from '../support/console.js';
import { startTestService } from '../support/service.js';

const dir = mkdtempSync(join(tmpdir(), 'kf-user-'));
const env = { ...process.env, SQLITE_PATH: join(dir, 'kf.sqlite'), LOG_LEVEL: 'silent', DATABASE_URL: '' };
const user = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/user.ts', ...args], { env, encoding: 'utf8' });

describe('the user command', () => {
  let svc: Service | undefined;
  afterAll(async () => svc?.close());

  it('when the first admin is added, then the printed one-time password signs in and must be changed', async () => {
    const added = user('add', '--role', 'admin', '--name', '王经理', 'wangjl');
    expect(added.status, added.stderr).toBe(0);
    const password = /一次性密码：(\S+)/.exec(added.stdout)![1]!;
    expect(password).toHaveLength(14);
    expect(user('add', '--role', 'admin', 'wangjl').stderr).toContain('已存在');
    expect(user('add', '--role', 'boss', 'x1').stderr).toContain('未知角色：boss');
    expect(user('list').stdout).toContain('wangjl\t王经理\tadmin\t*');
    svc = await startTestService('sqlite', 'user-cmd', {
      database: { type: 'sqlite', path: env.SQLITE_PATH },
      env: { PII_KEYS: '', PII_INDEX_KEY: '', PII_KEY_FILE: '' },
    });
    const c = new ConsoleClient(svc.url);
    await c.get('/console/login');
    const signedIn = await c.post('/console/login', { username: 'wangjl', password, next: '/console' });
    expect(signedIn.location).toBe('/console/password');
  });
});
