// Where platform access tokens are kept so that every instance shares one (a port: the database implements it).
export interface TokenStore {
  get(key: string): Promise<{ token: string; expiresAt: Date } | undefined>;
  put(key: string, token: string, expiresAt: Date): Promise<void>;
  /** Forget this token only: another instance may already have stored a fresh one. */
  drop(key: string, token: string): Promise<void>;
}
