// npm run keys -- new [--id k1]: a fresh keyring for PII_KEYS / PII_INDEX_KEY (MySQL, or any production start).
// npm run keys -- rotate --id k2: one new data key to put in front of PII_KEYS; the re-encrypt job then re-seals.
import { formatKeyring, newKeyring } from '../src/lib/field-cipher.js';

const [command] = process.argv.slice(2);
const idArg = process.argv.indexOf('--id');
const id = idArg > 0 ? process.argv[idArg + 1]! : command === 'rotate' ? 'k2' : 'k1';
const ring = formatKeyring(newKeyring(id));

if (command === 'new') {
  console.log(`PII_KEYS=${ring.keys}\nPII_INDEX_KEY=${ring.indexKey}`);
  console.log('# 请保存在密钥管理处；所有实例使用同一组；丢失即无法解密住户信息。');
} else if (command === 'rotate') {
  console.log(`# 把新密钥放在 PII_KEYS 最前面（旧密钥保留在后面，直到重新加密完成）：\n${ring.keys}`);
  console.log('# PII_INDEX_KEY 不变。重启各实例后，后台任务 reencrypt-personal-data 每两分钟重新加密一批旧数据。');
} else {
  console.error('用法：npm run keys -- new [--id k1] | npm run keys -- rotate --id k2');
  process.exit(2);
}
