// DNS switch: the driver (RFC 2136 + TSIG signed in-process; PowerDNS API) against the tools an
// operator would use: `nsupdate -y` and `curl -X PATCH`, each followed by `dig @server` until
// the authoritative server answers the new value. Both run from `wan`; the driver runs in a
// long-lived child there (test/lab/drivers/support/netns-driver.ts), so its time includes one
// pipe round trip, and the CLI's includes process start-up, which is what an operator pays.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret } from '../../src/drivers/secrets.js';
import type { Lab } from '../../src/lab/index.js';
import { netnsDriver, type RemoteDriver } from '../../test/lab/drivers/support/netns-driver.js';
import type { BenchCase, BenchSuite } from './types.js';

const VALUES = { a: '10.77.0.1', b: '10.77.0.2' } as const;
const ctx = () => ({ signal: AbortSignal.timeout(20_000) });
const drivers: RemoteDriver[] = [];

async function digUntil(lab: Lab, host: string, port: number, want: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await lab.exec('wan', [
      'dig',
      '+short',
      '+norecurse',
      '+time=1',
      '+tries=1',
      '-p',
      String(port),
      `@${host}`,
      'app.lab.test',
      'A',
    ]);
    if (r.stdout.trim() === want) return;
  }
  throw new Error(`app.lab.test never read ${want}`);
}

export const suite: BenchSuite = {
  components: ['bind', 'powerdns'],
  async cases(lab) {
    const e = lab.endpoints();
    const base = { record: 'app.lab.test', type: 'A', ttl: 5, values: VALUES };
    const tsigSecret = resolveSecret(`file:${e.bind.tsig.secretFile}`);
    const apiKey = resolveSecret(`file:${e.powerdns.api.keyFile}`);
    const bind = await netnsDriver(
      lab.namespaces.wan,
      'src/drivers/dns/index.ts',
      'Rfc2136Driver',
      {
        ...base,
        zone: e.bind.zone,
        server: { host: e.bind.host, port: e.bind.port },
        tsig: { name: e.bind.tsig.name, algorithm: 'hmac-sha256', secret: tsigSecret },
      },
    );
    const pdns = await netnsDriver(
      lab.namespaces.wan,
      'src/drivers/dns/index.ts',
      'PowerDnsDriver',
      {
        ...base,
        zone: e.powerdns.zone,
        server: { host: e.powerdns.host, port: e.powerdns.port },
        api: { url: e.powerdns.api.url, key: apiKey },
      },
    );
    drivers.push(bind, pdns);
    // curl reads the key header from a file: not in argv, where `ps` would show it.
    const header = join(lab.dir, 'secrets', 'bench-pdns-header');
    writeFileSync(header, `X-API-Key: ${readFileSync(e.powerdns.api.keyFile, 'utf8').trim()}\n`, {
      mode: 0o600,
    });

    const bindCase: BenchCase = {
      operation:
        'DNS A record a → b, RFC 2136 + TSIG (BIND), until the authoritative server answers it',
      baseline: 'nsupdate -y hmac-sha256:… + dig @server polling',
      prepare: async () => {
        await bind.switchTo!(ctx(), 'a');
      },
      viaDriver: async () => {
        await bind.switchTo!(ctx(), 'b');
      },
      viaCli: async () => {
        const r = await lab.exec(
          'wan',
          ['nsupdate', '-y', `hmac-sha256:${e.bind.tsig.name}:${tsigSecret.reveal()}`],
          {
            input: `server ${e.bind.host} ${e.bind.port}\nzone lab.test.\nupdate delete app.lab.test. A\nupdate add app.lab.test. 5 A ${VALUES.b}\nsend\n`,
          },
        );
        if (r.code !== 0) throw new Error(`nsupdate failed: ${r.stderr}`);
        await digUntil(lab, e.bind.host, e.bind.port, VALUES.b);
      },
    };
    const pdnsCase: BenchCase = {
      operation: 'DNS A record a → b, PowerDNS HTTP API, until its DNS port answers it',
      baseline: 'curl -X PATCH …/zones/lab.test. + dig @server polling',
      prepare: async () => {
        await pdns.switchTo!(ctx(), 'a');
      },
      viaDriver: async () => {
        await pdns.switchTo!(ctx(), 'b');
      },
      viaCli: async () => {
        const body = JSON.stringify({
          rrsets: [
            {
              name: 'app.lab.test.',
              type: 'A',
              ttl: 5,
              changetype: 'REPLACE',
              records: [{ content: VALUES.b, disabled: false }],
            },
          ],
        });
        const r = await lab.exec(
          'wan',
          [
            'curl',
            '-sf',
            '-X',
            'PATCH',
            '-H',
            `@${header}`,
            '-H',
            'content-type: application/json',
            '--data-binary',
            '@-',
            `${e.powerdns.api.url}/servers/localhost/zones/lab.test.`,
          ],
          { input: body },
        );
        if (r.code !== 0) throw new Error(`curl failed: exit ${r.code}`);
        await digUntil(lab, e.powerdns.host, e.powerdns.port, VALUES.b);
      },
    };
    return [bindCase, pdnsCase];
  },
  async teardown() {
    for (const d of drivers.splice(0)) await d.close?.();
  },
};
