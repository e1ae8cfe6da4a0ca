// Given BIND (TSIG-signed RFC 2136 updates) and PowerDNS (HTTP API with a key) in the witness:
// a signed update is visible at once, an unsigned one is refused; the API needs its key.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESSES, type Lab } from '../../src/lab/index.js';
import { httpRequest } from '../../src/lab/probes.js';
import { freshLab, within } from './helpers.js';

let lab: Lab;
const timings: Record<string, number> = {};

const dig = async (name: string, port = 53) =>
  (
    await lab.exec('wan', [
      'dig',
      '+short',
      '+time=1',
      '+tries=1',
      '-p',
      String(port),
      `@${ADDRESSES.witness}`,
      name,
      'A',
    ])
  ).stdout.trim();

const nsupdate = (script: string, keyFile?: string) =>
  lab.exec('wan', ['nsupdate', ...(keyFile ? ['-k', keyFile] : [])], {
    input: script,
    timeoutMs: 15_000,
  });

beforeAll(async () => {
  lab = await freshLab('tdns');
  timings.up = (await lab.up(['bind', 'powerdns'])).ms;
});

afterAll(async () => {
  const d = await lab.down();
  timings.down = d.ms;
  console.log(
    'dns timings (ms):',
    JSON.stringify(timings),
    'stop:',
    JSON.stringify(d.stopped),
    'down:',
    JSON.stringify(d.phases),
  );
});

describe('BIND', () => {
  it('serves the lab zone from the witness', async () => {
    expect(await dig('db.lab.test')).toBe(ADDRESSES.a);
    expect(lab.endpoints().bind.zone).toBe('lab.test.');
  });

  it('applies a TSIG-signed RFC 2136 update, visible on the server at once', async () => {
    const e = lab.endpoints().bind;
    const script = `server ${e.host} ${e.port}\nzone lab.test\nupdate delete db.lab.test A\nupdate add db.lab.test 5 A ${ADDRESSES.b}\nsend\n`;
    const t0 = performance.now();
    const r = await nsupdate(script, e.tsig.keyFile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    timings.signedUpdateVisible =
      (await within(async () => (await dig('db.lab.test')) === ADDRESSES.b, 5000)) +
      (performance.now() - t0);
  });

  it('refuses an unsigned update', async () => {
    const r = await nsupdate(
      `server ${ADDRESSES.witness}\nzone lab.test\nupdate add evil.lab.test 5 A 10.77.0.9\nsend\n`,
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/REFUSED/);
    expect(await dig('evil.lab.test')).toBe('');
  });

  it('keeps the TSIG secret in a 0600 file, out of lab.json', () => {
    const e = lab.endpoints().bind.tsig;
    expect(readFileSync(e.keyFile, 'utf8')).toContain('hmac-sha256');
    const secret = readFileSync(e.secretFile, 'utf8').trim();
    expect(readFileSync(lab.paths.state, 'utf8')).not.toContain(secret);
  });
});

describe('PowerDNS', () => {
  const api = () => lab.endpoints().powerdns.api;
  const key = () => readFileSync(api().keyFile, 'utf8').trim();

  it('serves the same zone from the sqlite3 backend', async () => {
    expect(await dig('db.lab.test', 5300)).toBe(ADDRESSES.a);
  });

  it('answers 401 without the API key and 200 with it', async () => {
    const url = `${api().url}/servers/localhost/zones/lab.test.`;
    expect((await httpRequest(lab.namespaces.wan, { url })).status).toBe(401);
    const r = await httpRequest(lab.namespaces.wan, { url, headers: { 'X-API-Key': key() } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body ?? '{}').name).toBe('lab.test.');
  });

  it('applies a PATCH of an rrset, visible on the server at once', async () => {
    const body = JSON.stringify({
      rrsets: [
        {
          name: 'db.lab.test.',
          type: 'A',
          ttl: 5,
          changetype: 'REPLACE',
          records: [{ content: ADDRESSES.b, disabled: false }],
        },
      ],
    });
    const t0 = performance.now();
    const r = await httpRequest(lab.namespaces.wan, {
      method: 'PATCH',
      url: `${api().url}/servers/localhost/zones/lab.test.`,
      headers: { 'X-API-Key': key(), 'Content-Type': 'application/json' },
      body,
    });
    expect(r.status).toBe(204);
    timings.apiPatchVisible =
      (await within(async () => (await dig('db.lab.test', 5300)) === ADDRESSES.b, 5000)) +
      (performance.now() - t0);
  });
});
