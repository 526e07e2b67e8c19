// RETENTION_DAYS: how long finished tickets keep the resident's details before the retention job anonymises them.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const env = (extra: Record<string, string> = {}) => ({ CONFIG_DIR: 'config', CLASSIFIER: 'rules', ...extra });

describe('retention config', () => {
  it('when RETENTION_DAYS is not set, then tickets are kept two years', () => {
    expect(loadConfig(env()).retentionDays).toBe(730);
  });

  it('when RETENTION_DAYS is two years or more, then it is used as given', () => {
    expect(loadConfig(env({ RETENTION_DAYS: '730' })).retentionDays).toBe(730);
    expect(loadConfig(env({ RETENTION_DAYS: '1095' })).retentionDays).toBe(1095);
  });

  it('when RETENTION_DAYS is shorter than the two years policy 004 asks, then start-up is refused, in Chinese', () => {
    const load = () => loadConfig(env({ RETENTION_DAYS: '365' }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('RETENTION_DAYS 不能少于 730 天（收到 365）');
  });

  it('when RETENTION_DAYS is not a whole number, then start-up is refused', () => {
    expect(() => loadConfig(env({ RETENTION_DAYS: 'two years' }))).toThrow(/RETENTION_DAYS/);
    expect(() => loadConfig(env({ RETENTION_DAYS: '400.5' }))).toThrow(/RETENTION_DAYS/);
  });
});
