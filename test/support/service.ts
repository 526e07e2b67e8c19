// Starts the real service on a loopback port against the given database, with the fake platform behind it.
import { loadConfig, type AppConfig } from '../../src/config/load-config.js';
import { startService, type Service, type ServiceOptions } from '../../src/service.js';
import { createLogger } from '../../src/lib/logger.js';
import { MP, WECOM } from './callbacks.js';
import { databaseFor, type DbKind } from './databases.js';
import { testClock } from './clock.js';

/** Fixed keys for the suite (a real keyring, not a switch that turns encryption off). */
export const TEST_KEYS = {
  keys: `t1:${Buffer.alloc(32, 7).toString('base64')}`,
  indexKey: Buffer.alloc(32, 9).toString('base64'),
};

export interface TestServiceOptions extends ServiceOptions {
  env?: Record<string, string>;
  config?: Partial<AppConfig>;
  platformUrl?: string;
  database?: AppConfig['database'];
}

export function testConfig(kind: DbKind, name: string, o: TestServiceOptions = {}): AppConfig {
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: 'test-admin-token',
    PII_KEYS: TEST_KEYS.keys,
    PII_INDEX_KEY: TEST_KEYS.indexKey,
    WECOM_CORP_ID: WECOM.corpId,
    WECOM_TOKEN: WECOM.token,
    WECOM_AES_KEY: WECOM.aesKey,
    WECOM_AGENT_ID: WECOM.agentId,
    WECOM_SECRET: WECOM.secret,
    MP_APP_ID: MP.appId,
    MP_TOKEN: MP.token,
    MP_AES_KEY: MP.aesKey,
    MP_APP_SECRET: MP.secret,
    ...(o.platformUrl ? { WECOM_API_BASE: o.platformUrl, MP_API_BASE: o.platformUrl } : {}),
    ...o.env,
  };
  const loaded = loadConfig(env);
  return {
    ...loaded,
    organisation: receptionOnly(loaded.organisation),
    database: o.database ?? databaseFor(kind, name),
    ...o.config,
  };
}

/**
 * The shipped organisation without its roster and role holders: intake tests then see exactly one staff message per
 * ticket (to the receptionist). Tests of routing and notices pass the full organisation in `config`.
 */
export function receptionOnly(org: AppConfig['organisation']): AppConfig['organisation'] {
  return { ...org, projects: org.projects.map((p) => ({ ...p, people: {}, roster: [] })) };
}

export async function startTestService(kind: DbKind, name: string, o: TestServiceOptions = {}): Promise<Service> {
  return startService(testConfig(kind, name, o), {
    startDispatcher: false,
    startScheduler: false,
    clock: testClock,
    logger: createLogger(process.env.TEST_LOG ?? 'silent'),
    ...o,
  });
}
