// Text normalisation: what residents type → what people read back (display) and what the rules match (match).
import { describe, expect, it } from 'vitest';
import { cnNumber, normalizeText } from '../../src/text/normalize.js';

describe('cnNumber', () => {
  it.each([
    ['三', 3],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['二十三', 23],
    ['两', 2],
    ['一百', 100],
    ['一百零二', 102],
    ['两百', 200],
    ['五零二', 502],
    ['一八零三', 1803],
    ['〇三', 3],
  ])('%s → %i', (cn, n) => {
    expect(cnNumber(cn)).toBe(n);
  });

  it.each([['三栋'], ['3'], [''], ['一千'], ['abc'], ['第三']])('%s → undefined', (cn) => {
    expect(cnNumber(cn)).toBeUndefined();
  });
});

describe('normalizeText', () => {
  it.each([
    ['我家衛生間天花板在滴水', '我家卫生间天花板在滴水'],
    ['電梯壞了', '电梯坏了'],
    ['我叫張偉', '我叫张伟'],
    ['  你好   在吗 ', '你好 在吗'],
    ['３栋２单元５０２，谢谢！', '３栋２单元５０２，谢谢！'],
  ])('display: %s → %s (Simplified, Chinese punctuation kept)', (raw, display) => {
    expect(normalizeText(raw).display).toBe(display);
  });

  it.each([
    ['３栋２单元５０２', '3栋2单元502'],
    ['１３８１２３４５６７８', '13812345678'],
    ['b座1203', 'B座1203'],
    ['三栋二单元五零二', '3栋2单元502'],
    ['三号楼二单元五零二室', '3号楼2单元502室'],
    ['十二号楼一八零三', '12号楼1803'],
    ['B座一二零三', 'B座1203'],
    ['二十三栋一单元一百零二室', '23栋1单元102室'],
    ['3—2—502', '3-2-502'],
    ['3 – 2 – 502', '3-2-502'],
    ['3－2－502', '3-2-502'],
    ['電梯壞了，困在裡面', '电梯坏了,困在里面'],
  ])('match: %s → %s', (raw, match) => {
    expect(normalizeText(raw).match).toBe(match);
  });

  it.each([
    ['一直漏水', '一直漏水'],
    ['我想问一下', '我想问一下'],
    ['第一次报修', '第一次报修'],
    ['五六天了', '五六天了'],
    ['3栋——漏水', '3栋——漏水'],
    ['好——的', '好——的'],
  ])('match leaves numerals and dashes that are not part of a room: %s', (raw, match) => {
    expect(normalizeText(raw).match).toBe(match);
  });
});
