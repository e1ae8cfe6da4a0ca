// Who may do what: every route but /healthz refuses anonymous requests (walked over every
// registered route, so a new one cannot slip through), roles gate routes, tokens are kept only
// as hashes, the dashboard's session cookie has its flags, unsafe requests with the cookie need
// the CSRF token and a same-origin Origin, and failed logins are rate limited.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { API_ROLES, type ApiRole } from '../../../src/server/api-types.js';
import { newToken, roleAtLeast, tokenHash } from '../../../src/server/auth.js';
import { ROUTES } from '../../../src/server/routes.js';
import { concrete, type Harness, harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A body every POST route accepts (extra fields are refused only after authentication). */
const BODIES: Record<string, unknown> = {
  '/api/v1/session/login': { token: 'lbt_not-a-token' },
  '/api/v1/session/logout': {},
  '/api/v1/runs': { runbook: 'failover', target: 'app-db' },
  '/api/v1/runs/:id/approve': { stepId: 'app-db/promote' },
  '/api/v1/runs/:id/abort': { reason: 'testing' },
};

async function login(harness: Harness, role: ApiRole, origin = 'http://localhost:80') {
  const r = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/session/login',
    headers: { origin, host: 'localhost:80' },
    payload: { token: harness.tokens[role] },
  });
  expect(r.statusCode, r.body).toBe(200);
  const setCookie = String(r.headers['set-cookie']);
  const cookie = setCookie.split(';')[0] as string;
  return { cookie, setCookie, csrf: (r.json() as { csrfToken: string }).csrfToken };
}

describe('authentication', () => {
  it('refuses anonymous requests on every registered route but /healthz', async () => {
    h = await harness();
    const routes = h.app.registered;
    expect(routes.length).toBeGreaterThanOrEqual(ROUTES.length);
    const open: string[] = [];
    for (const route of routes) {
      const r = await h.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        ...(route.method === 'POST' ? { payload: BODIES[route.url] ?? {} } : {}),
      });
      if (route.url === '/healthz') {
        expect(r.statusCode).toBe(200);
        continue;
      }
      if (r.statusCode !== 401) open.push(`${route.method} ${route.url}: ${r.statusCode}`);
      else expect(r.json()).toMatchObject({ code: 'LB_E_SERVER_UNAUTHENTICATED' });
    }
    expect(open).toEqual([]);
    // Unknown API paths too: 401 before 404, so that nothing about the API leaks.
    const unknown = await h.app.inject({ url: '/api/v1/nope' });
    expect(unknown.statusCode).toBe(401);
    const unknownAuthed = await h.app.inject({ url: '/api/v1/nope', headers: h.bearer('viewer') });
    expect(unknownAuthed.statusCode).toBe(404);
    expect(unknownAuthed.json()).toMatchObject({ code: 'LB_E_SERVER_NOT_FOUND' });
  });

  it('refuses unknown, malformed and revoked bearer tokens', async () => {
    h = await harness();
    for (const authorization of [
      `Bearer ${newToken()}`,
      'Bearer lbt_short',
      `Basic ${h.tokens.admin}`,
      `Bearer ${h.tokens.admin}x`,
    ]) {
      const r = await h.app.inject({ url: '/api/v1/services', headers: { authorization } });
      expect(r.statusCode, authorization).toBe(401);
    }
    expect(
      (await h.app.inject({ url: '/api/v1/services', headers: h.bearer('admin') })).statusCode,
    ).toBe(200);
    await h.fake.store.tokens.revoke('admin');
    expect(
      (await h.app.inject({ url: '/api/v1/services', headers: h.bearer('admin') })).statusCode,
    ).toBe(401);
  });

  it('gates every route by role: viewer < operator < approver < admin', async () => {
    h = await harness();
    await h.fake.startRun({ runbook: 'failover', target: 'app-db', actor: 'x' });
    for (const route of ROUTES) {
      if (route.access === 'public' || route.access === 'login' || route.url.endsWith('/events'))
        continue;
      for (const role of API_ROLES) {
        const r = await h.app.inject({
          method: route.method,
          url: concrete(route.url),
          headers: h.bearer(role),
          ...(route.method === 'POST' ? { payload: BODIES[route.url] ?? {} } : {}),
        });
        const label = `${role} ${route.method} ${route.url}: ${r.statusCode} ${r.body.slice(0, 200)}`;
        if (roleAtLeast(role, route.access)) expect(r.statusCode, label).not.toBe(403);
        else {
          expect(r.statusCode, label).toBe(403);
          expect(r.json(), label).toMatchObject({ code: 'LB_E_SERVER_FORBIDDEN' });
        }
        // A run started by the operator makes the next start refused as busy: end it.
        if (route.method === 'POST' && route.url === '/api/v1/runs' && r.statusCode === 201) {
          const run = await h.fake.store.runs.get((r.json() as { runId: string }).runId);
          if (run)
            await h.fake.store.runs.update(run.id, {
              expectedRevision: run.revision,
              state: 'succeeded',
            });
        }
      }
    }
    // Approve and abort are approval-grade: an operator may start a run but not approve or abort.
    const approve = ROUTES.find((r) => r.url.endsWith('/approve'));
    const abort = ROUTES.find((r) => r.url.endsWith('/abort'));
    expect([approve?.access, abort?.access]).toEqual(['approver', 'approver']);
  });

  it('keeps tokens only as SHA-256 hashes: the state file never holds a token', async () => {
    h = await harness();
    const records = await h.fake.store.tokens.list();
    expect(records.map((r) => r.hash).sort()).toEqual(
      Object.values(h.tokens).map(tokenHash).sort(),
    );
    await h.app.inject({ url: '/api/v1/services', headers: h.bearer('approver') });
    await h.fake.store.close();
    const dir = h.fake.dir;
    const bytes = ['state.db', 'state.db-wal']
      .map((f) => {
        try {
          return readFileSync(join(dir, f)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    for (const token of Object.values(h.tokens)) {
      expect(bytes.includes(token)).toBe(false);
      expect(bytes.includes(token.slice(4, 24))).toBe(false);
    }
    expect(bytes.includes(tokenHash(h.tokens.approver))).toBe(true);
    // The server closes with the fake's store already closed: reopen nothing, just end.
    await h.app.close();
    h = undefined;
  });

  it('records when a token was last used, never the token', async () => {
    h = await harness();
    await h.app.inject({ url: '/api/v1/plan/status', headers: h.bearer('operator') });
    await new Promise((r) => setTimeout(r, 50));
    const op = (await h.fake.store.tokens.list()).find((t) => t.name === 'operator');
    expect(op?.lastUsedAt).toBeGreaterThan(0);
    const listed = await h.app.inject({ url: '/api/v1/tokens', headers: h.bearer('admin') });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(tokenHash(h.tokens.operator));
    expect(listed.body).not.toContain(h.tokens.operator);
    expect((listed.json() as { name: string }[]).map((t) => t.name).sort()).toEqual(
      [...API_ROLES].sort(),
    );
  });
});

describe('the dashboard session', () => {
  it('logs in with a token: HttpOnly, SameSite=Strict, Path=/ cookie and a CSRF token', async () => {
    h = await harness();
    const { setCookie, cookie, csrf } = await login(h, 'approver');
    expect(setCookie).toMatch(/^lifeboat_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const who = await h.app.inject({ url: '/api/v1/session/whoami', headers: { cookie } });
    expect(who.json()).toEqual({ name: 'approver', role: 'approver', csrfToken: csrf });
    // The login is audited under the token's name, without the token.
    const audit = await h.fake.store.audit.read();
    expect(audit.map((e) => [e.actor, e.action])).toEqual([['approver', 'api.login']]);
    expect(JSON.stringify(audit)).not.toContain(h.tokens.approver);
  });

  it('marks the cookie Secure when the server speaks TLS', async () => {
    h = await harness({ secureCookies: true });
    const { setCookie } = await login(h, 'viewer');
    expect(setCookie).toContain('; Secure');
  });

  it('refuses unsafe requests with the cookie but without the right CSRF token (403)', async () => {
    h = await harness();
    const { cookie, csrf } = await login(h, 'approver');
    await h.fake.startRun({ runbook: 'failover', target: 'app-db', actor: 'x' });
    const post = (headers: Record<string, string>) =>
      h?.app.inject({
        method: 'POST',
        url: '/api/v1/runs/run-1/abort',
        headers: { cookie, host: 'localhost:80', origin: 'http://localhost:80', ...headers },
        payload: { reason: 'drill over' },
      });
    const missing = await post({});
    expect(missing?.statusCode).toBe(403);
    expect(missing?.json()).toMatchObject({ code: 'LB_E_SERVER_CSRF' });
    // One character changed (to one it is not: a fixed 'A' matched 1 token in 64).
    const last = csrf.at(-1) === 'A' ? 'B' : 'A';
    const wrong = await post({ 'x-csrf-token': `${csrf.slice(0, -1)}${last}` });
    expect(wrong?.statusCode).toBe(403);
    expect(wrong?.json()).toMatchObject({ code: 'LB_E_SERVER_CSRF' });
    expect(h.fake.calls.filter((c) => c.op === 'abort')).toEqual([]);
    const ok = await post({ 'x-csrf-token': csrf });
    expect(ok?.statusCode, ok?.body).toBe(200);
    expect(h.fake.calls.filter((c) => c.op === 'abort')).toEqual([
      { op: 'abort', args: ['run-1', 'approver', 'drill over'] },
    ]);
  });

  it('refuses unsafe requests from another origin (403), with the cookie or a bearer token', async () => {
    h = await harness();
    const { cookie, csrf } = await login(h, 'operator');
    const base = { host: 'localhost:80', cookie, 'x-csrf-token': csrf };
    const start = (headers: Record<string, string>) =>
      h?.app.inject({
        method: 'POST',
        url: '/api/v1/runs',
        headers,
        payload: { runbook: 'failover', target: 'app-db' },
      });
    for (const headers of [
      { ...base, origin: 'http://evil.example' },
      { ...base, origin: 'http://localhost:81' },
      { ...base, origin: 'null' },
      { ...base, referer: 'http://evil.example/page' },
      { ...base }, // with the cookie, an unsafe request must say where it comes from
      { host: 'localhost:80', ...h.bearer('operator'), origin: 'http://evil.example' },
    ]) {
      const r = await start(headers);
      expect(r?.statusCode, JSON.stringify(headers)).toBe(403);
      expect(r?.json()).toMatchObject({ code: 'LB_E_SERVER_ORIGIN' });
    }
    // Login from another origin is refused too (no login CSRF).
    const crossLogin = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/login',
      headers: { host: 'localhost:80', origin: 'http://evil.example' },
      payload: { token: h.tokens.viewer },
    });
    expect(crossLogin.statusCode).toBe(403);
    expect(h.fake.calls).toEqual([]);
    // Same origin (by Referer too), and a machine with a bearer token and no Origin: accepted.
    expect((await start({ ...base, referer: 'http://localhost:80/services' }))?.statusCode).toBe(
      201,
    );
    await h.fake.store.runs.update('run-1', { expectedRevision: 1, state: 'succeeded' });
    expect((await start({ host: 'localhost:80', ...h.bearer('operator') }))?.statusCode).toBe(201);
  });

  it('accepts an origin it was told to allow', async () => {
    h = await harness({ allowedOrigins: ['https://ops.example'] });
    const { cookie, csrf } = await login(h, 'viewer', 'https://ops.example');
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/logout',
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://ops.example', host: 'x:1' },
      payload: {},
    });
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await h.app.inject({ url: '/api/v1/session/whoami', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('ends the sessions of a revoked token', async () => {
    h = await harness();
    const { cookie } = await login(h, 'viewer');
    expect((await h.app.inject({ url: '/api/v1/services', headers: { cookie } })).statusCode).toBe(
      200,
    );
    await h.fake.store.tokens.revoke('viewer');
    const r = await h.app.inject({ url: '/api/v1/services', headers: { cookie } });
    expect(r.statusCode).toBe(401);
  });

  it('expires sessions', async () => {
    let t = 1_000_000;
    h = await harness({ now: () => t, sessionTtlMs: 60_000 });
    const { cookie } = await login(h, 'viewer');
    t += 59_000;
    expect((await h.app.inject({ url: '/api/v1/plan', headers: { cookie } })).statusCode).toBe(200);
    t += 2_000;
    expect((await h.app.inject({ url: '/api/v1/plan', headers: { cookie } })).statusCode).toBe(401);
  });

  it('rate-limits failed logins per address: 5 a minute, then 429 with Retry-After', async () => {
    let t = 5_000_000;
    h = await harness({ now: () => t });
    const attempt = (token: string, remoteAddress = '10.0.0.7') =>
      h?.app.inject({
        method: 'POST',
        url: '/api/v1/session/login',
        remoteAddress,
        payload: { token },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(newToken()))?.statusCode).toBe(401);
    const limited = await attempt(h.tokens.viewer);
    expect(limited?.statusCode).toBe(429);
    expect(limited?.json()).toMatchObject({ code: 'LB_E_SERVER_RATE_LIMITED' });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited?.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not affected; after the window, the right token works again.
    expect((await attempt(h.tokens.viewer, '10.0.0.8'))?.statusCode).toBe(200);
    t += 61_000;
    expect((await attempt(h.tokens.viewer))?.statusCode).toBe(200);
  });

  it('never writes a token or a cookie to the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await harness({ logger: { level: 'trace', stream } });
    const { cookie } = await login(h, 'admin');
    await h.app.inject({ url: '/api/v1/services', headers: { cookie } });
    await h.app.inject({ url: '/api/v1/services', headers: h.bearer('viewer') });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/login',
      payload: { token: `${h.tokens.operator}x` },
    });
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(h.tokens), cookie.split('=')[1] as string]) {
      expect(log.includes(secret)).toBe(false);
    }
  });
});

describe('logout', () => {
  it('needs no body', async () => {
    h = await harness();
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/logout',
      headers: h.bearer('viewer'),
    });
    expect(r.statusCode, r.body).toBe(200);
  });
});
