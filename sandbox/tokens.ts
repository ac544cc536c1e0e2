// Tokens a simulator issues (OAuth2 access tokens, Kazoo auth tokens): opaque random strings with an
// expiry read from Date.now(), so a test can let them run out with a short lifetime, with
// vi.setSystemTime, or at once with expireAll().
import { randomBytes } from 'node:crypto';

export type TokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

export class TokenStore {
  private readonly live = new Map<string, number>();
  /** Tokens that expired or were revoked stay known, so an open simulator still refuses them. */
  private readonly dead = new Map<string, 'expired' | 'revoked'>();

  constructor(private readonly prefix: string) {}

  issue(lifetimeSeconds: number): string {
    const token = `${this.prefix}${randomBytes(18).toString('base64url')}`;
    this.live.set(token, Date.now() + lifetimeSeconds * 1000);
    return token;
  }

  state(token: string): TokenState {
    const expiresAt = this.live.get(token);
    if (expiresAt === undefined) return this.dead.get(token) ?? 'unknown';
    if (Date.now() < expiresAt) return 'valid';
    this.live.delete(token);
    this.dead.set(token, 'expired');
    return 'expired';
  }

  /** Every token issued so far is expired from now on. */
  expireAll(): void {
    for (const token of this.live.keys()) this.dead.set(token, 'expired');
    this.live.clear();
  }

  /** Every token issued so far is revoked from now on. */
  revokeAll(): void {
    for (const token of this.live.keys()) this.dead.set(token, 'revoked');
    this.live.clear();
  }

  get issuedCount(): number {
    return this.live.size + this.dead.size;
  }
}
