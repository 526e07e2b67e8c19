// Lines stay within 120 columns (the formatter keeps code there; long strings and comments are ours to wrap).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const LIMIT = 120;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'test', 'scripts'])
  .toString()
  .split('\n')
  .filter((f) => f.endsWith('.ts'));
const long = files.flatMap((f) => {
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    return []; // deleted in the work tree
  }
  return text
    .split('\n')
    .flatMap((line, i) => ([...line].length > LIMIT ? [`${f}:${i + 1} (${[...line].length})`] : []));
});
if (long.length) {
  console.error(`${long.length} 行超过 ${LIMIT} 列：\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} 个文件，没有超过 ${LIMIT} 列的行`);
