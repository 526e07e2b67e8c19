// Where the keyring comes from. From the environment (PII_KEYS, PII_INDEX_KEY) when set; on the embedded default
// without them, a key file generated in the data folder on first start (so the two-command start needs no setup),
// with a warning; MySQL without keys refuses to start — a shared database must not depend on a file on one machine.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseConfig, PersonalDataConfig } from '../config/load-config.js';
import { ConfigError } from '../lib/errors.js';
import { FieldCipher, formatKeyring, KeyringError, newKeyring, parseKeyring } from '../lib/field-cipher.js';
import type { Logger } from '../lib/logger.js';

export function loadCipher(pd: PersonalDataConfig, db: DatabaseConfig, logger?: Logger): FieldCipher {
  if (pd.keys || pd.indexKey) {
    if (!pd.keys || !pd.indexKey)
      throw new ConfigError('PII_KEYS 与 PII_INDEX_KEY 须同时配置（npm run keys -- new 生成）');
    return parsed(pd.keys, pd.indexKey, '环境变量 PII_KEYS / PII_INDEX_KEY');
  }
  if (db.type !== 'sqlite')
    throw new ConfigError(
      '使用 MySQL 时必须配置住户个人信息的加密密钥 PII_KEYS 和 PII_INDEX_KEY，拒绝启动。' +
        '生成：npm run keys -- new；多个实例须使用同一组密钥。',
    );
  if (existsSync(pd.keyFile)) {
    const file = JSON.parse(readFileSync(pd.keyFile, 'utf8')) as { keys: string; indexKey: string };
    return parsed(file.keys, file.indexKey, pd.keyFile);
  }
  const ring = newKeyring();
  mkdirSync(dirname(pd.keyFile), { recursive: true });
  writeFileSync(pd.keyFile, `${JSON.stringify(formatKeyring(ring), null, 2)}\n`, { mode: 0o600 });
  chmodSync(pd.keyFile, 0o600);
  logger?.warn(
    { keyFile: pd.keyFile },
    '已在数据目录生成住户个人信息加密密钥文件；请备份它（丢失则无法解密），正式部署请改用 PII_KEYS / PII_INDEX_KEY',
  );
  return new FieldCipher(ring);
}

function parsed(keys: string, indexKey: string, where: string): FieldCipher {
  try {
    return new FieldCipher(parseKeyring(keys, indexKey));
  } catch (err) {
    if (err instanceof KeyringError) throw new ConfigError(`${where}：${err.message}`);
    throw err;
  }
}
