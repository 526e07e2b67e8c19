// `npm run classify` end to end: a real process reading JSON Lines.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(input: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/classify.ts'], { input, encoding: 'utf8' });
  return {
    out: r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    err: r.stderr,
    status: r.status,
  };
}

describe('npm run classify', () => {
  it('when given reports, then it writes codes from domain.md and normalised slots, one line per input line', () => {
    const { out, status } = run(
      [
        { id: 'a', text: '我是3栋2单元502的李娜，电话13812345678，家里水管爆了，到处是水' },
        { id: 'b', text: '12號樓1803，客廳燈不亮了' },
        { id: 'c', text: 'B座1203 物业费乱收费，再不解决我就打12345投诉' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    expect(status).toBe(0);
    expect(out[0]).toEqual({
      id: 'a',
      kind: 'repair',
      category: expect.any(String),
      trade: 'water_electric',
      urgency: 'emergency',
      level: expect.any(String),
      slots: { name: '李娜', room: '3-2-502', phone: '13812345678' },
    });
    expect(out[1]).toMatchObject({
      id: 'b',
      kind: 'repair',
      urgency: 'normal',
      slots: { room: '12-1803', phone: null },
    });
    expect(out[2]).toMatchObject({
      id: 'c',
      kind: 'complaint',
      category: 'property',
      level: 'hot',
      trade: null,
      slots: { room: 'B-1203' },
    });
  });

  it('when a line is not JSON, then that line gets an error and the others still come out', () => {
    const { out, err, status } = run(
      `not json\n${JSON.stringify({ id: 7, text: '门禁坏了' })}\n${JSON.stringify({ id: 8 })}`,
    );
    expect(status).toBe(0);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ id: null, error: expect.any(String) });
    expect(out[1]).toMatchObject({ id: 7, trade: null });
    expect(out[2]).toMatchObject({ id: 8, error: '缺少 text 字段' });
    expect(err).toContain('第 1 行');
  });
});
