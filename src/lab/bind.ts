// BIND 9 authoritative for the lab zone, in the witness (reachable from both sites and wan),
// accepting RFC 2136 updates signed with a generated TSIG key (hmac-sha256).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent } from './context.js';
import type { LabPaths } from './paths.js';
import { chownTo, ensureSecret, renderTsigKey, tsigSecret, writePrivate } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, serversOf, VIP } from './topology.js';
import { waitFor } from './wait.js';

export const ZONE = 'lab.test';
export const TSIG_KEY_NAME = 'lifeboat-lab';
/** Short TTLs: a record change is visible through caches within seconds. */
export const ZONE_TTL = 5;

export function bindPaths(paths: LabPaths) {
  const dir = paths.component('bind');
  return {
    dir,
    conf: join(dir, 'named.conf'),
    zoneFile: join(dir, `${ZONE}.zone`),
    tsigKey: paths.secret('bind-tsig.key'),
    tsigSecret: paths.secret('bind-tsig.secret'),
  };
}

/** Records of the lab zone, shared by BIND and PowerDNS: name (relative), type, content. */
export const ZONE_RECORDS: readonly (readonly [string, 'A' | 'NS', string])[] = [
  ['@', 'NS', `ns1.${ZONE}.`],
  ['ns1', 'A', ADDRESSES.witness],
  ['a', 'A', ADDRESSES.a],
  ['b', 'A', ADDRESSES.b],
  ['witness', 'A', ADDRESSES.witness],
  ['vip', 'A', VIP],
  ['db', 'A', ADDRESSES.a],
  ['app', 'A', ADDRESSES.a],
];

export const SOA = `ns1.${ZONE}. hostmaster.${ZONE}. 1 60 10 3600 ${ZONE_TTL}`;

export function renderZone(): string {
  return [
    `$TTL ${ZONE_TTL}`,
    `@ IN SOA ${SOA}`,
    ...ZONE_RECORDS.map(([n, t, c]) => `${n} IN ${t} ${c}`),
    '',
  ].join('\n');
}

export function renderNamedConf(paths: LabPaths): string {
  const p = bindPaths(paths);
  return `options {
  directory "${p.dir}";
  pid-file "${p.dir}/named.pid";
  session-keyfile "${p.dir}/session.key";
  managed-keys-directory "${p.dir}";
  listen-on port ${PORTS.dns} { ${ADDRESSES.witness}; 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-transfer { none; };
  notify no;
};
// No rndc: the lab stops named by signal.
controls { };
include "${p.tsigKey}";
zone "${ZONE}" {
  type primary;
  file "${p.zoneFile}";
  allow-update { key "${TSIG_KEY_NAME}"; };
};
`;
}

export const bind: LabComponent = {
  name: 'bind',
  async up(ctx) {
    const [s] = serversOf('bind') as [ServerSpec];
    if (ctx.isRunning(s)) return;
    const p = bindPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'bind', 0o755);
    // The bare secret for libraries that sign updates themselves; the key clause for nsupdate.
    const secret = await ensureSecret(p.tsigSecret, tsigSecret);
    await writePrivate(p.tsigKey, renderTsigKey(TSIG_KEY_NAME, secret), 'bind');
    writeFileSync(p.conf, renderNamedConf(ctx.paths));
    writeFileSync(p.zoneFile, renderZone());
    await chownTo(p.zoneFile, 'bind'); // named writes its journal and the zone itself
    // named starts as root to bind port 53, then drops to `bind` (-u).
    const d = ctx.launch(s, ['/usr/sbin/named', '-g', '-u', 'bind', '-c', p.conf], {
      user: 'root',
    });
    await waitFor(
      async () => {
        const r = await ctx.exec('wan', [
          'dig',
          ...['+short', '+time=1', '+tries=1', `@${ADDRESSES.witness}`, ZONE, 'SOA'],
        ]);
        return r.code === 0 && r.stdout.includes(`ns1.${ZONE}.`);
      },
      {
        what: 'bind to answer for the lab zone',
        log: ctx.paths.log(s.name),
        timeoutMs: 30_000,
        exited: d.exited,
      },
    );
  },
};
