// Console users from the command line — the first admin above all (the console has nobody to create one):
//   npm run user -- add --role admin [--role manager] [--project P1] [--wecom zhangsan] [--department eng] NAME
//   npm run user -- reset NAME      npm run user -- list
// Uses the same configuration as the service (DATABASE_URL / SQLITE_PATH, PII_* keys).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { openDatabase } from '../db/data-source.js';
import { createConsoleStore } from '../db/console-store.js';
import { loadCipher } from '../db/keyring-source.js';
import { createUser, resetPassword, ROLES } from '../console/users.js';
import { systemClock } from '../lib/clock.js';
import type { ConsoleRole } from '../tickets/index.js';

const USAGE = `用法：
  npm run user -- add --role admin 用户名         新建用户并打印一次性密码（--role 可重复：admin manager handler auditor）
      [--project 项目编码 …（默认全部项目）] [--wecom 企业微信账号] [--department 部门] [--name 姓名]
  npm run user -- reset 用户名                    重置密码，打印新的一次性密码
  npm run user -- list                            列出用户`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string', multiple: true },
    project: { type: 'string', multiple: true },
    wecom: { type: 'string' },
    department: { type: 'string' },
    name: { type: 'string' },
  },
});
const [command, username] = positionals;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

if (!command || !['add', 'reset', 'list'].includes(command)) fail('缺少命令');
if (command !== 'list' && !username) fail('缺少用户名');
const roles = (values.role ?? []).flatMap((r) => r.split(','));
const unknown = roles.filter((r) => !(ROLES as string[]).includes(r));
if (unknown.length) fail(`未知角色：${unknown.join('、')}`);

const config = loadConfig({ ...process.env, CLASSIFIER: 'rules' });
const ds = await openDatabase(config.database, loadCipher(config.personalData, config.database));
const store = createConsoleStore(ds);
const now = systemClock.now();
try {
  if (command === 'list') {
    for (const u of await store.listUsers())
      console.log(
        `${u.username}\t${u.displayName}\t${u.roles.join(',')}\t${u.projects.join(',')}${u.disabled ? '\t已停用' : ''}`,
      );
  } else if (command === 'add') {
    const projects = values.project?.length ? values.project.flatMap((p) => p.split(',')) : ['*'];
    const known = new Set(config.organisation.projects.map((p) => p.code));
    const stray = projects.filter((p) => p !== '*' && !known.has(p));
    if (stray.length) fail(`未知项目：${stray.join('、')}（可选：${[...known].join('、')}）`);
    const r = await createUser(
      store,
      {
        username: username!,
        displayName: values.name,
        roles: roles as ConsoleRole[],
        projects,
        department: values.department,
        wecomUserId: values.wecom,
      },
      'cli',
      now,
    );
    if (r.kind === 'invalid') fail(r.problem);
    if (r.kind === 'taken') fail(`用户名 ${username} 已存在（重置密码：npm run user -- reset ${username}）`);
    console.log(`已创建用户 ${r.user.username}（${roles.join(',')}），一次性密码：${r.password}`);
    console.log('首次登录 /console 时须修改密码。此密码只显示这一次。');
  } else {
    const user = await store.userByName(username!);
    if (!user) fail(`没有用户 ${username}`);
    console.log(`用户 ${user.username} 的新一次性密码：${await resetPassword(store, user, 'cli', now)}`);
  }
} finally {
  await ds.destroy();
}
