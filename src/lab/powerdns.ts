// PowerDNS authoritative with the sqlite3 backend and its HTTP API: the lab's second DNS
// provider, serving the same zone as BIND.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOA, ZONE, ZONE_RECORDS, ZONE_TTL } from './bind.js';
import type { LabComponent } from './context.js';
import { asUser, runOk } from './exec.js';
import type { LabPaths } from './paths.js';
import { httpRequest } from './probes.js';
import { ensureSecret, generatePassword, writePrivate } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, SUBNET, serversOf } from './topology.js';
import { waitFor } from './wait.js';

const SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

export function powerdnsPaths(paths: LabPaths) {
  const dir = paths.component('powerdns');
  return {
    dir,
    conf: join(dir, 'pdns.conf'),
    db: join(dir, 'pdns.sqlite3'),
    apiKey: paths.secret('powerdns-api.key'),
  };
}

export function powerdnsApiUrl(): string {
  return `http://${ADDRESSES.witness}:${PORTS.powerdnsApi}/api/v1`;
}

/** pdns.conf holds the API key, so it is itself written mode 0600 for `pdns`. */
export function renderPdnsConf(paths: LabPaths, apiKey: string): string {
  const p = powerdnsPaths(paths);
  return [
    'launch=gsqlite3',
    `gsqlite3-database=${p.db}`,
    `local-address=${ADDRESSES.witness}`,
    `local-port=${PORTS.powerdnsDns}`,
    `socket-dir=${p.dir}`,
    'guardian=no',
    'daemon=no',
    'disable-syslog=yes',
    'loglevel=4',
    'api=yes',
    `api-key=${apiKey}`,
    'webserver=yes',
    `webserver-address=${ADDRESSES.witness}`,
    `webserver-port=${PORTS.powerdnsApi}`,
    `webserver-allow-from=${SUBNET}`,
    '',
  ].join('\n');
}

function q(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The zone as rows of the sqlite3 backend. Pure. */
export function renderPdnsZoneSql(): string {
  const fqdn = (n: string) => (n === '@' ? ZONE : `${n}.${ZONE}`);
  const rows = [
    [ZONE, 'SOA', SOA.replace(/\.(\s)/g, '$1').replace(/\.$/, '')],
    ...ZONE_RECORDS.map(([n, t, c]) => [fqdn(n), t, c.replace(/\.$/, '')]),
  ];
  return [
    'BEGIN;',
    `INSERT INTO domains (name, type) VALUES (${q(ZONE)}, 'NATIVE');`,
    ...rows.map(
      ([name, type, content]) =>
        `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) SELECT id, ${q(name as string)}, ${q(type as string)}, ${q(content as string)}, ${ZONE_TTL}, 0, 0, 1 FROM domains WHERE name = ${q(ZONE)};`,
    ),
    'COMMIT;',
    '',
  ].join('\n');
}

export const powerdns: LabComponent = {
  name: 'powerdns',
  async up(ctx) {
    const [s] = serversOf('powerdns') as [ServerSpec];
    if (ctx.isRunning(s)) return;
    const p = powerdnsPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'pdns', 0o755);
    const apiKey = await ensureSecret(p.apiKey, () => generatePassword(32));
    await writePrivate(p.conf, renderPdnsConf(ctx.paths, apiKey), 'pdns');
    if (!existsSync(p.db)) {
      const sql = `${readFileSync(SCHEMA, 'utf8')}\n${renderPdnsZoneSql()}`;
      await runOk('sqlite3 schema for powerdns', asUser('pdns', 'pdns', ['sqlite3', p.db]), {
        input: sql,
        timeoutMs: 30_000,
      });
    }
    const d = ctx.launch(s, ['/usr/sbin/pdns_server', `--config-dir=${p.dir}`]);
    // Unauthenticated, the API answers 401: enough to know it is up, and no key on the wire.
    await waitFor(
      async () =>
        (await httpRequest(ctx.ns.wan, { url: `${powerdnsApiUrl()}/servers/localhost` })).status ===
        401,
      {
        what: 'powerdns API to answer',
        log: ctx.paths.log(s.name),
        timeoutMs: 30_000,
        exited: d.exited,
      },
    );
  },
};
