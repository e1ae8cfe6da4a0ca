// Patroni 3.0.2 (Debian's package) managing its own PostgreSQL 15 pair at sites a and b, on the
// lab's 3-member etcd, with HAProxy routing port 5433 to whichever member answers 200 on
// Patroni's `/primary`. Built for one thing: measuring Patroni side by side with Lifeboat's
// controller on the same lab and the same client (bench/controller/failover.ts). Its PostgreSQL
// listens on 5433, so it can run next to the lab's own pair (5432) but never replaces it.
//
// Traps (../shared/LAB-NOTES.md): Patroni started while an etcd member is unreachable can fall
// back to the v3alpha API and wait forever, so it requires etcd healthy first; a killed postmaster
// is restarted in place unless primary_start_timeout is 0; `/replica?lag=0` can answer 200 for a
// replica that is not streaming, so readiness is read on the leader's pg_stat_replication.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent, LabContext } from './context.js';
import type { LabPaths } from './paths.js';
import { PG_BIN, pgPasswordFile, psqlAsPostgres } from './postgres.js';
import { httpRequest } from './probes.js';
import { chownTo, ensureSecret, scramSha256Verifier } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, SUBNET, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export type PatroniSite = 'a' | 'b';
export const PATRONI_SITES: readonly PatroniSite[] = ['a', 'b'];
export const PATRONI_SCOPE = 'lab';

/** Patroni's timing settings (its DCS `bootstrap.dcs` section), in seconds. */
export interface PatroniSettings {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  primaryStartTimeout: number;
}

/** Patroni 3.0.2's defaults. */
export const PATRONI_DEFAULTS: PatroniSettings = {
  ttl: 30,
  loopWait: 10,
  retryTimeout: 10,
  primaryStartTimeout: 300,
};

/** The lowest settings Patroni accepts (loop_wait + 2 × retry_timeout ≤ ttl; ttl ≥ 5). */
export const PATRONI_LOWEST: PatroniSettings = {
  ttl: 5,
  loopWait: 1,
  retryTimeout: 2,
  primaryStartTimeout: 0,
};

export function patroniPaths(paths: LabPaths, site: PatroniSite) {
  const dir = paths.component('patroni', site);
  return {
    dir,
    config: join(dir, 'patroni.yml'),
    data: join(dir, 'data'),
    socketDir: join(dir, 'sock'),
    pgpass: join(dir, 'pgpass'),
  };
}

export function patroniRestUrl(site: PatroniSite): string {
  return `http://${ADDRESSES[site]}:${PORTS.patroniRest}`;
}

/** The superuser's password file (Patroni's own connections, pg_rewind). */
export function patroniSuperuserPasswordFile(paths: LabPaths): string {
  return paths.secret('patroni-postgres.password');
}

function yamlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
}

/** Patroni's configuration for one member. Pure. */
export function renderPatroniYml(
  paths: LabPaths,
  site: PatroniSite,
  settings: PatroniSettings,
  passwords: { superuser: string; replicator: string },
): string {
  const p = patroniPaths(paths, site);
  const ip = ADDRESSES[site];
  const hosts = (['a', 'b', 'witness'] as const)
    .map((s) => `'${ADDRESSES[s]}:${PORTS.etcdClient}'`)
    .join(', ');
  return [
    '# Written by lifeboat lab.',
    `scope: ${PATRONI_SCOPE}`,
    `name: ${site}`,
    // To stderr, which the lab keeps as the server's log.
    'log: {level: WARNING}',
    `restapi: {listen: '${ip}:${PORTS.patroniRest}', connect_address: '${ip}:${PORTS.patroniRest}'}`,
    `etcd3: {hosts: [${hosts}]}`,
    "watchdog: {mode: 'off'}",
    'bootstrap:',
    '  dcs:',
    `    ttl: ${settings.ttl}`,
    `    loop_wait: ${settings.loopWait}`,
    `    retry_timeout: ${settings.retryTimeout}`,
    `    primary_start_timeout: ${settings.primaryStartTimeout}`,
    // As the lab's own pair in the benchmark: synchronous, so a failover loses no acknowledged
    // write, and Patroni fails over only to the synchronous standby.
    '    synchronous_mode: true',
    '    maximum_lag_on_failover: 1048576',
    '    postgresql:',
    '      use_pg_rewind: true',
    '      use_slots: true',
    "      parameters: {wal_log_hints: 'on', hot_standby: 'on', wal_keep_size: '256MB', shared_buffers: '64MB', dynamic_shared_memory_type: 'mmap', password_encryption: 'scram-sha-256'}",
    '  initdb: [{encoding: UTF8}, {locale: C.UTF-8}, {auth-local: peer}, {auth-host: scram-sha-256}]',
    'postgresql:',
    `  listen: '${ip}:${PORTS.patroniPostgres}'`,
    `  connect_address: '${ip}:${PORTS.patroniPostgres}'`,
    '  use_unix_socket: true',
    `  data_dir: ${p.data}`,
    `  bin_dir: ${PG_BIN}`,
    `  pgpass: ${p.pgpass}`,
    // Without it pg_basebackup waits for the next spread checkpoint (up to 5 minutes).
    "  basebackup: [{checkpoint: 'fast'}]",
    '  authentication:',
    `    superuser: {username: postgres, password: ${yamlString(passwords.superuser)}}`,
    `    replication: {username: replicator, password: ${yamlString(passwords.replicator)}}`,
    `    rewind: {username: postgres, password: ${yamlString(passwords.superuser)}}`,
    `  parameters: {unix_socket_directories: '${p.socketDir}', port: ${PORTS.patroniPostgres}}`,
    '  pg_hba:',
    '    - local all all peer',
    `    - host replication replicator ${SUBNET} scram-sha-256`,
    `    - host all all ${SUBNET} scram-sha-256`,
    '',
  ].join('\n');
}

/** psql as the OS user postgres over a Patroni member's Unix socket (peer authentication). */
export function patroniAdminSql(
  paths: LabPaths,
  site: PatroniSite,
  sql: string,
  timeoutMs = 15_000,
): Promise<string> {
  return psqlAsPostgres(
    `patroni-${site}`,
    patroniPaths(paths, site).socketDir,
    PORTS.patroniPostgres,
    sql,
    timeoutMs,
  );
}

/** The PID of the member's postmaster, from its lock file; undefined when it has none. */
export function patroniPostmasterPid(paths: LabPaths, site: PatroniSite): number | undefined {
  try {
    const pid = Number(
      readFileSync(join(patroniPaths(paths, site).data, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The member's role as its REST API says (`/patroni`), from `place`'s namespace. */
export async function patroniRole(
  ctx: Pick<LabContext, 'ns'>,
  site: PatroniSite,
): Promise<string | undefined> {
  const r = await httpRequest(ctx.ns.wan, {
    url: `${patroniRestUrl(site)}/patroni`,
    timeoutMs: 1000,
  });
  if (r.status !== 200 || !r.body) return undefined;
  try {
    return (JSON.parse(r.body) as { role?: string }).role;
  } catch {
    return undefined;
  }
}

/** `streaming sync` once the leader's pg_stat_replication says the other member is. */
async function standbyState(ctx: LabContext, leader: PatroniSite): Promise<string> {
  const other = leader === 'a' ? 'b' : 'a';
  return patroniAdminSql(
    ctx.paths,
    leader,
    `SELECT state || ' ' || sync_state FROM pg_stat_replication WHERE application_name = '${other}';`,
    5000,
  ).catch(() => '');
}

export const patroni: LabComponent = {
  name: 'patroni',
  async up(ctx) {
    const [a, b] = serversOf('patroni') as [ServerSpec, ServerSpec];
    const settings = ctx.options.patroni ?? PATRONI_DEFAULTS;
    const passwords = {
      superuser: await ensureSecret(patroniSuperuserPasswordFile(ctx.paths)),
      replicator: await ensureSecret(pgPasswordFile(ctx.paths, 'replicator')),
    };
    await ctx.mkdirFor(ctx.paths.component('patroni'), 'root', 0o755);
    for (const site of PATRONI_SITES) {
      const p = patroniPaths(ctx.paths, site);
      await ctx.mkdirFor(p.dir, 'postgres', 0o700);
      await ctx.mkdirFor(p.socketDir, 'postgres', 0o755);
      writeFileSync(p.config, renderPatroniYml(ctx.paths, site, settings, passwords), {
        mode: 0o600,
      });
      await chownTo(p.config, 'postgres');
    }
    // a first, so that it bootstraps the cluster and b clones it.
    for (const [s, site] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      if (ctx.isRunning(s)) continue;
      const d = ctx.launch(s, ['/usr/bin/patroni', patroniPaths(ctx.paths, site).config], {
        env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
      });
      const want = site === 'a' ? 'master' : 'replica';
      await waitFor(
        async () => ['master', 'primary', want].includes((await patroniRole(ctx, site)) ?? ''),
        {
          what: `${s.name} to run as ${site === 'a' ? 'the leader' : 'a replica'}`,
          log: ctx.paths.log(s.name),
          timeoutMs: 90_000,
          intervalMs: 200,
          exited: d.exited,
        },
      );
      if (site === 'a') {
        // The application's role and database, as on the lab's own pair (same password).
        const app = await ensureSecret(pgPasswordFile(ctx.paths, 'app'));
        await waitFor(
          async () =>
            (await patroniAdminSql(ctx.paths, 'a', 'SELECT 1;', 3000).catch(() => '')) === '1',
          {
            what: 'patroni-a to accept SQL',
            log: ctx.paths.log(s.name),
            timeoutMs: 30_000,
          },
        );
        await patroniAdminSql(
          ctx.paths,
          'a',
          [
            `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app LOGIN PASSWORD '${scramSha256Verifier(app)}'; END IF; END $$;`,
            "SELECT 'CREATE DATABASE app OWNER app' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app') \\gexec",
            '',
          ].join('\n'),
        );
      }
    }
    // Readiness on the leader itself, not on /replica (LAB-NOTES).
    await waitFor(async () => (await standbyState(ctx, 'a')) === 'streaming sync', {
      what: 'patroni-b to replicate from a as the synchronous standby',
      log: ctx.paths.log(b.name),
      timeoutMs: 60_000,
    });
  },
};
