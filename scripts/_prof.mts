import { loadConfig } from '../src/lib/config.js';
import { startService } from '../src/service.js';
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CONFIG_DIR: '/work/main/config', DATABASE_URL: 'mysql://root@127.0.0.1:3306/kf_dbg', WECOM_CORP_ID: 'ww0000000000bench', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'x', WECOM_TOKEN: 'benchWecomToken', WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', WECOM_API_BASE: 'http://127.0.0.1:9' });
const svc = await startService(config, { startDispatcher: false, startScheduler: false });
const problems = ['卫生间天花板在滴水', '厨房水龙头坏了，一直滴水', '楼道灯坏了', '电梯坏了', '暖气不热', '门锁坏了打不开'];
let i = 0;
const one = async () => {
  const n = i++;
  const text = `我是${n % 30 + 1}栋${n % 3 + 1}单元${100 + (n % 900)}的李${'娜强伟芳'[n % 4]}，${problems[n % problems.length]}`;
  await fetch(`${svc.url}/webchat/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId: `prof-visitor-${n}`, msgId: `prof-msg-${String(n).padStart(6, '0')}`, text }) });
};
const t0 = Date.now();
const workers = Array.from({ length: 20 }, async () => { while (i < 3000) await one(); });
await Promise.all(workers);
console.log('msgs/s', (3000 / ((Date.now() - t0) / 1000)).toFixed(0));
await svc.close();
