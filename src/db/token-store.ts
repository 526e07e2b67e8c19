import type { DataSource } from 'typeorm';
import type { TokenStore } from '../lib/token-store.js';
import { AccessTokenEntity } from './schema.js';
import { serialized } from './sqlite-lock.js';

export function createTokenStore(ds: DataSource): TokenStore {
  const repo = ds.getRepository(AccessTokenEntity);
  return {
    async get(key) {
      return (await repo.findOneBy({ key })) ?? undefined;
    },
    async put(key, token, expiresAt) {
      await serialized(ds, () => repo.upsert({ key, token, expiresAt }, ['key']));
    },
    async drop(key, token) {
      // Only the token that failed: another instance may already have stored a fresh one.
      await serialized(ds, () => repo.delete({ key, token }));
    },
  };
}
