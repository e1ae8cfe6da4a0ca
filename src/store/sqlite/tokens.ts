// API tokens: one row per token, holding its SHA-256 and never the token. The hash column is
// UNIQUE, so the lookup on each request is one index probe.
import { LifeboatError } from '../../core/errors/index.js';
import { assertCount, assertName } from '../json.js';
import type { TokenStore } from '../store.js';
import type { ApiTokenRecord, NewApiToken } from '../types.js';
import { inRead, inWrite, type SqliteContext, sql, stamp } from './context.js';

interface TokenRow {
  name: string;
  role: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
}

const HASH_RE = /^[0-9a-f]{64}$/;

function toToken(row: TokenRow): ApiTokenRecord {
  return {
    name: row.name,
    role: row.role,
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at ?? undefined,
  };
}

function checkHash(hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || !HASH_RE.test(hash)) {
    throw new LifeboatError(
      'LB_E_STORE_INVALID',
      'a token hash must be a SHA-256 in 64 lowercase hex digits',
    );
  }
}

export class SqliteTokens implements TokenStore {
  constructor(private readonly ctx: SqliteContext) {}

  async create(input: NewApiToken): Promise<ApiTokenRecord> {
    assertName(input.name, 'token name', 64);
    assertName(input.role, 'token role', 64);
    checkHash(input.hash);
    return inWrite(this.ctx, `create token ${input.name}`, () => {
      if (this.byName(input.name)) {
        throw new LifeboatError('LB_E_SERVER_TOKEN_NAME', `a token named ${input.name} exists`, {
          hint: 'Pick another name, or revoke that token first (`lifeboat token revoke NAME`).',
        });
      }
      const clash = sql(this.ctx, 'SELECT 1 FROM api_tokens WHERE hash = ?').get(input.hash);
      if (clash) {
        throw new LifeboatError('LB_E_STORE_CONFLICT', 'a token with this hash exists already');
      }
      sql(
        this.ctx,
        'INSERT INTO api_tokens (name, role, hash, created_at, last_used_at) VALUES (?, ?, ?, ?, NULL)',
      ).run(input.name, input.role, input.hash, stamp(this.ctx, input.at));
      return this.byName(input.name) as ApiTokenRecord;
    });
  }

  async findByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    checkHash(hash);
    return inRead(this.ctx, 'look up a token', () => {
      const row = sql(this.ctx, 'SELECT * FROM api_tokens WHERE hash = ?').get(hash) as
        | TokenRow
        | undefined;
      return row && toToken(row);
    });
  }

  async list(): Promise<ApiTokenRecord[]> {
    return inRead(this.ctx, 'list tokens', () =>
      (sql(this.ctx, 'SELECT * FROM api_tokens ORDER BY name').all() as TokenRow[]).map(toToken),
    );
  }

  async revoke(name: string): Promise<boolean> {
    assertName(name, 'token name', 64);
    return inWrite(
      this.ctx,
      `revoke token ${name}`,
      () => sql(this.ctx, 'DELETE FROM api_tokens WHERE name = ?').run(name).changes > 0,
    );
  }

  async touch(name: string, at: number): Promise<void> {
    assertName(name, 'token name', 64);
    assertCount(at, 'time (at)');
    inWrite(this.ctx, `record the use of token ${name}`, () => {
      sql(
        this.ctx,
        'UPDATE api_tokens SET last_used_at = ? WHERE name = ? AND (last_used_at IS NULL OR last_used_at < ?)',
      ).run(at, name, at);
    });
  }

  private byName(name: string): ApiTokenRecord | undefined {
    const row = sql(this.ctx, 'SELECT * FROM api_tokens WHERE name = ?').get(name) as
      | TokenRow
      | undefined;
    return row && toToken(row);
  }
}
