// Given HAProxy in wan in front of the HTTP service of both sites: reads and writes go to
// site a; a runtime `set map` makes the service read-only without a reload; the runtime API
// answers on its Unix socket and its TCP port; a switch to b is a runtime command too.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyCommand, type Lab } from '../../src/lab/index.js';
import { httpRequest } from '../../src/lab/probes.js';
import { freshLab, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};
const e = () => lab.endpoints().haproxy;
const http = (method: string, path: string, body?: string) =>
  httpRequest(lab.namespaces.wan, { method, url: `${e().http.url}${path}`, body, timeoutMs: 2000 });
const admin = (cmd: string) => haproxyCommand(e().runtime.socket, cmd);

beforeAll(async () => {
  lab = await freshLab('thap');
  timings.up = (await lab.up(['haproxy'])).ms; // brings the HTTP service along
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'haproxy timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('HAProxy', () => {
  it('fronts the service of site a: GET answers, PUT stores', async () => {
    await within(async () => (await http('GET', '/')).status === 200, 5000);
    expect(JSON.parse((await http('GET', '/')).body ?? '{}').site).toBe('a');
    expect((await http('PUT', '/k', 'v1')).status).toBe(200);
    expect(JSON.parse((await http('GET', '/k')).body ?? '{}').value).toBe('v1');
  });

  it('turns read-only at runtime through ro.map: writes get 503 saying why, reads still answer', async () => {
    const t0 = performance.now();
    expect((await admin(`set map ${e().readOnlyMap} mode ro`)).trim()).toBe('');
    timings.setMapRo = performance.now() - t0;
    const put = await http('PUT', '/k', 'v2');
    expect(put.status).toBe(503);
    expect(put.body).toContain('read-only maintenance');
    expect((await http('POST', '/k', 'v2')).status).toBe(503);
    expect((await http('GET', '/k')).status).toBe(200);
    await admin(`set map ${e().readOnlyMap} mode rw`);
    expect((await http('PUT', '/k', 'v3')).status).toBe(200);
  });

  it('answers the runtime API at admin level on its TCP port too', async () => {
    const r = await lab.exec(
      'wan',
      ['socat', '-t', '2', '-', `TCP:${e().runtime.host}:${e().runtime.port}`],
      {
        input: 'show servers state http\n',
        timeoutMs: 10_000,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1\n# be_id be_name srv_id srv_name/);
    expect(r.stdout).toMatch(/ http \d+ b /);
  });

  it('switches the backend to site b at runtime, and keeps states across a reload via the state file', async () => {
    await admin('set server http/b state ready');
    await admin('set server http/a state maint');
    await within(async () => JSON.parse((await http('GET', '/')).body ?? '{}').site === 'b', 5000);
    // Dump the runtime states, reload through the master socket, states survive.
    const states = await admin('show servers state');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(e().stateFile, states);
    const t0 = performance.now();
    await haproxyCommand(e().masterSocket, 'reload');
    await within(
      async () => (await admin('show info').catch(() => '')).includes('Name: HAProxy'),
      10_000,
    );
    timings.reload = performance.now() - t0;
    expect(readFileSync(e().stateFile, 'utf8')).toContain('http');
    expect(JSON.parse((await http('GET', '/')).body ?? '{}').site).toBe('b');
  });

  it('fronts PostgreSQL in TCP mode (no server behind it here: the connection is closed)', async () => {
    const r = await lab.exec(
      'wan',
      ['socat', '-t', '1', '-', `TCP:${e().postgres.host}:${e().postgres.port}`],
      {
        input: 'x',
        timeoutMs: 10_000,
      },
    );
    expect(r.stderr).not.toMatch(/Connection refused/); // HAProxy accepted it
  });
});
