// The production start path (compiled dist/main.js, as `npm start` runs it) on the embedded SQLite default.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json } from '../support/http.js';
import { describe, expect, it } from 'vitest';

describe('npm start path', () => {
  const startedWithoutConfiguration =
    'when started with no configuration, then it prints the web-chat URL, serves it and stops on SIGTERM';
  it(startedWithoutConfiguration, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kf-start-'));
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        SQLITE_PATH: join(dir, 'kf.sqlite'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 20_000);
      // The JSON log and the console banner are separate streams: wait for both, in whatever order they arrive.
      const check = () => {
        const m = /网页客服：(http:\/\/\S+?)\/\s/.exec(out);
        if (m && out.includes('渠道未启用')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    expect(out).toContain('渠道未启用');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const res = await fetch(`${url}/webchat/messages`, {
      method: 'POST',
      body: JSON.stringify({
        visitorId: 'start_path_1',
        msgId: 'start_msg_1',
        text: '我是1栋1单元101的王伟，门锁坏了',
      }),
    });
    expect((await json(res)).replies[0]).toContain('已为您登记工单');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
