// `lifeboat token`: create prints the token once (stdout, alone) and keeps only its hash; the
// printed token authenticates against the API; list never shows a token; revoke ends it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { runCli } from '../../../src/cli/program.js';
import { createServer, tokenHash } from '../../../src/server/index.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { FakeController } from '../../support/fake-controller.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-token-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(COMMANDS, ['token', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('lifeboat token', () => {
  it('creates a token, prints it once, keeps only its hash; it works for the API', async () => {
    const state = join(dir, `state-${++n}.db`);
    const created = await cli('create', '--role', 'approver', '--name', 'alice', '--state', state);
    expect(created.code, created.err).toBe(0);
    const token = created.out.trim();
    expect(created.out).toMatch(/^lbt_[A-Za-z0-9_-]{43}\n$/);
    expect(created.err).toContain('only time it is shown');
    expect(created.err).not.toContain(token);

    const listed = await cli('list', '--state', state);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/alice\s+approver/);
    expect(listed.out).not.toContain(token);
    const json = await cli('list', '--state', state, '--json');
    expect(JSON.parse(json.out)).toEqual([
      { name: 'alice', role: 'approver', createdAt: expect.any(Number), lastUsedAt: null },
    ]);
    expect(json.out).not.toContain(tokenHash(token));

    // The state file holds the hash, never the token.
    const bytes = ['', '-wal']
      .map((s) => {
        try {
          return readFileSync(`${state}${s}`).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(bytes).not.toContain(token);

    // The token authenticates as alice, approver, against a server on that state file.
    const fake = new FakeController();
    const store = openSqliteStore(state);
    const app = await createServer({ controller: fake, tokens: store.tokens });
    try {
      const who = await app.inject({
        url: '/api/v1/session/whoami',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(who.json()).toEqual({ name: 'alice', role: 'approver' });
      const audit = await store.audit.read();
      expect(audit.map((e) => [e.action, e.subject])).toEqual([['token.create', 'alice']]);
      expect(JSON.stringify(audit)).not.toContain(token);

      const revoked = await cli('revoke', 'alice', '--state', state);
      expect(revoked.code).toBe(0);
      const after = await app.inject({
        url: '/api/v1/session/whoami',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(after.statusCode).toBe(401);
    } finally {
      await app.close();
      await store.close();
      await fake.close();
    }
  });

  it('refuses a bad name, a bad role, a name in use and revoking an unknown name', async () => {
    const state = join(dir, `state-${++n}.db`);
    const bad = await cli('create', '--role', 'viewer', '--name', 'bad name', '--state', state);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('LB_E_SERVER_TOKEN_NAME');
    const role = await cli('create', '--role', 'root', '--name', 'bob', '--state', state);
    expect(role.code).toBe(2);
    expect(role.err).toContain('LB_E_CLI_USAGE');
    expect((await cli('create', '--role', 'viewer', '--name', 'bob', '--state', state)).code).toBe(
      0,
    );
    const again = await cli('create', '--role', 'admin', '--name', 'bob', '--state', state);
    expect(again.code).toBe(2);
    expect(again.err).toContain('LB_E_SERVER_TOKEN_NAME');
    expect(again.out).toBe('');
    const unknown = await cli('revoke', 'carol', '--state', state);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('LB_E_SERVER_TOKEN_NAME');
  });
});
