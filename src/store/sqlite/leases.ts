// Leases with fencing tokens in one table: a row per key that is never deleted, so its token
// keeps counting up through releases, expiries and reopenings of the file.
import { LifeboatError } from '../../core/errors/index.js';
import { assertCount, assertName, invalid } from '../json.js';
import type { LeaseStore } from '../store.js';
import type { Lease, LeaseInfo } from '../types.js';
import { inRead, inWrite, type SqliteContext, sql } from './context.js';

interface LeaseRow {
  key: string;
  token: number;
  owner: string | null;
  ttl_ms: number;
  expires_at: number;
}

/** A day: a lease is a liveness promise; anything longer is a mistake in the caller. */
const MAX_TTL_MS = 86_400_000;

export class SqliteLeases implements LeaseStore {
  constructor(private readonly ctx: SqliteContext) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
    assertName(key, 'lease key');
    assertName(owner, 'lease owner');
    checkTtl(ttlMs);
    return inWrite(this.ctx, `acquire lease ${key}`, () => {
      const row = this.row(key);
      const now = this.ctx.now();
      if (row && row.owner !== null && row.owner !== owner && row.expires_at > now) {
        return undefined;
      }
      const token = (row?.token ?? 0) + 1;
      const expiresAt = now + ttlMs;
      sql(
        this.ctx,
        `INSERT INTO leases (key, token, owner, ttl_ms, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET token = excluded.token, owner = excluded.owner,
             ttl_ms = excluded.ttl_ms, expires_at = excluded.expires_at`,
      ).run(key, token, owner, ttlMs, expiresAt);
      return { key, owner, token, ttlMs, expiresAt };
    });
  }

  async renew(lease: Lease): Promise<Lease> {
    assertName(lease.key, 'lease key');
    checkTtl(lease.ttlMs);
    return inWrite(this.ctx, `renew lease ${lease.key}`, () => {
      const row = this.row(lease.key);
      const now = this.ctx.now();
      const lost = lostBecause(row, lease, now);
      if (lost) {
        throw new LifeboatError(
          'LB_E_STORE_LEASE_LOST',
          `lease ${lease.key} (token ${lease.token}, owner ${lease.owner}) cannot be renewed: ${lost}`,
          { details: { key: lease.key, token: lease.token, current: row?.token ?? 0 } },
        );
      }
      const expiresAt = now + lease.ttlMs;
      sql(this.ctx, 'UPDATE leases SET expires_at = ? WHERE key = ?').run(expiresAt, lease.key);
      return { ...lease, expiresAt };
    });
  }

  async release(lease: Lease): Promise<boolean> {
    assertName(lease.key, 'lease key');
    assertCount(lease.token, 'fencing token');
    return inWrite(this.ctx, `release lease ${lease.key}`, () => {
      const r = sql(
        this.ctx,
        `UPDATE leases SET owner = NULL, expires_at = 0
           WHERE key = ? AND token = ? AND owner = ? AND expires_at > ?`,
      ).run(lease.key, lease.token, lease.owner, this.ctx.now());
      return r.changes > 0;
    });
  }

  async get(key: string): Promise<LeaseInfo | undefined> {
    assertName(key, 'lease key');
    return inRead(this.ctx, `read lease ${key}`, () => {
      const row = this.row(key);
      if (!row) return undefined;
      const live = row.owner !== null && row.expires_at > this.ctx.now();
      return {
        key,
        token: row.token,
        holder: live ? { owner: row.owner as string, expiresAt: row.expires_at } : undefined,
      };
    });
  }

  private row(key: string): LeaseRow | undefined {
    return sql(this.ctx, 'SELECT * FROM leases WHERE key = ?').get(key) as LeaseRow | undefined;
  }
}

function lostBecause(row: LeaseRow | undefined, lease: Lease, now: number): string | undefined {
  if (!row || row.token < lease.token) return 'that token was never issued';
  if (row.token > lease.token) {
    return row.owner !== null && row.expires_at > now
      ? `${row.owner} holds it now with token ${row.token}`
      : `it was acquired again since (token ${row.token})`;
  }
  if (row.owner === null) return 'it was released';
  if (row.owner !== lease.owner) return `it is held by ${row.owner}`;
  if (row.expires_at <= now) {
    return `it expired ${now - row.expires_at} ms ago (renew well within the TTL of ${lease.ttlMs} ms)`;
  }
  return undefined;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
    throw invalid(`lease TTL must be an integer from 1 to ${MAX_TTL_MS} ms, not ${ttlMs}`);
  }
}
