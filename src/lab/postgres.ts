// PostgreSQL 15: primary at site a, streaming replica (with a slot) at site b. Passwords are
// SCRAM over TCP; only the local Unix socket uses peer authentication, for the lab itself.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent, LabContext, PgMode } from './context.js';
import { asUser, run, runOk } from './exec.js';
import type { LabPaths } from './paths.js';
import { ensureSecret, scramSha256Verifier, writePrivate } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, SUBNET, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const PG_ROLES = ['lifeboat', 'app', 'replicator'] as const;
export type PgRole = (typeof PG_ROLES)[number];
type PgSite = 'a' | 'b';

export function pgPaths(paths: LabPaths, site: PgSite) {
  const dir = paths.component('postgres', site);
  return { dir, data: join(dir, 'data'), socketDir: join(dir, 'sock') };
}

export function pgPasswordFile(paths: LabPaths, role: PgRole): string {
  return paths.secret(`postgres-${role}.password`);
}

/** A libpq password file: `lifeboat` and `app` for root's clients, `replicator` for the standby. */
export function pgPassFile(paths: LabPaths, role: PgRole): string {
  return paths.secret(`postgres-${role}.pgpass`);
}

/** Settings of one instance, included from postgresql.conf. Pure. */
export function renderPgConf(paths: LabPaths, site: PgSite): string {
  const lines = [
    "listen_addresses = '*'",
    `port = ${PORTS.postgres}`,
    // The file system is shared by every namespace: each instance needs its own socket dir.
    `unix_socket_directories = '${pgPaths(paths, site).socketDir}'`,
    // cluster_name is the standby's application_name, which synchronous_standby_names names.
    `cluster_name = '${site}'`,
    "password_encryption = 'scram-sha-256'",
    "wal_keep_size = '256MB'",
    'hot_standby = on',
    'hot_standby_feedback = on',
    // A standby retries a lost primary every 5 s by default: too slow for failover tests.
    "wal_retrieve_retry_interval = '500ms'",
    'wal_log_hints = on', // lets pg_rewind bring a failed primary back as a standby
    "shared_buffers = '64MB'",
    // Dynamic shared memory as files in the data directory, not /dev/shm/PostgreSQL.*: a
    // SIGKILLed postmaster's segments then go with the lab's directory instead of leaking.
    "dynamic_shared_memory_type = 'mmap'",
    'logging_collector = off',
  ];
  if (site === 'b') {
    lines.push(
      `primary_conninfo = 'host=${ADDRESSES.a} port=${PORTS.postgres} user=replicator passfile=${pgPassFile(paths, 'replicator')} application_name=b'`,
      "primary_slot_name = 'b'",
    );
  }
  return `# Written by lifeboat lab; included from postgresql.conf.\n${lines.join('\n')}\n`;
}

/** Network access: passwords only (scram), never trust. Pure. */
export function renderPgHba(): string {
  return [
    '# lifeboat lab: the lab network authenticates with SCRAM passwords',
    `host replication replicator ${SUBNET} scram-sha-256`,
    `host all all ${SUBNET} scram-sha-256`,
    '',
  ].join('\n');
}

/** psql as the OS user postgres over a Unix socket (peer authentication); `server` names it. */
export async function psqlAsPostgres(
  server: string,
  socketDir: string,
  port: number,
  sql: string,
  timeoutMs: number,
): Promise<string> {
  const argv = asUser('postgres', 'postgres', [
    `${PG_BIN}/psql`,
    ...['-h', socketDir, '-p', String(port)],
    ...['-U', 'postgres', '-d', 'postgres', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
  ]);
  const r = await runOk(`psql on ${server}`, argv, { input: sql, timeoutMs, redact: [] });
  return r.stdout.trim();
}

/** psql as the OS user postgres over the instance's Unix socket (peer authentication). */
export async function pgAdminSql(paths: LabPaths, site: PgSite, sql: string, timeoutMs = 15_000) {
  return psqlAsPostgres(
    `postgres-${site}`,
    pgPaths(paths, site).socketDir,
    PORTS.postgres,
    sql,
    timeoutMs,
  );
}

/**
 * Whether the postmaster `pid` says, in its own lock file, that it takes connections ("ready",
 * or "standby" for a hot standby). The PID must match: a SIGKILLed postmaster leaves its file,
 * still saying "ready", until the new one takes it over. Pure over the file's text.
 */
export function postmasterAccepts(lockFile: string, pid: number): boolean {
  const lines = lockFile.split('\n');
  return Number(lines[0]) === pid && ['ready', 'standby'].includes(lines[7]?.trim() ?? '');
}

function readLockFile(data: string): string {
  try {
    return readFileSync(join(data, 'postmaster.pid'), 'utf8');
  } catch {
    return '';
  }
}

function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Creates roles, database and the standby's slot if missing. Idempotent; stores only verifiers. */
export function renderPgBootstrap(verifiers: Readonly<Record<PgRole, string>>): string {
  const role = (name: PgRole, attrs: string) =>
    `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${name}') THEN\n    CREATE ROLE ${name} LOGIN ${attrs} PASSWORD ${sqlLiteral(verifiers[name])};\n  END IF;`;
  return [
    'DO $$ BEGIN',
    role('lifeboat', 'SUPERUSER'),
    role('app', ''),
    role('replicator', 'REPLICATION'),
    'END $$;',
    "SELECT 'CREATE DATABASE app OWNER app' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app') \\gexec",
    "SELECT pg_create_physical_replication_slot('b') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'b');",
    '',
  ].join('\n');
}

async function initPrimary(ctx: LabContext): Promise<void> {
  const p = pgPaths(ctx.paths, 'a');
  if (existsSync(join(p.data, 'PG_VERSION'))) return;
  await ctx.mkdirFor(p.dir, 'postgres', 0o755);
  await ctx.mkdirFor(p.socketDir, 'postgres', 0o755);
  ctx.progress('postgres: initdb at site a');
  await runOk(
    'initdb for postgres-a',
    asUser('postgres', 'postgres', [
      `${PG_BIN}/initdb`,
      ...['-D', p.data, '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      ...['--auth-local=peer', '--auth-host=scram-sha-256'],
    ]),
    { timeoutMs: 120_000, log: ctx.paths.log('postgres-a-setup') },
  );
  writeFileSync(join(p.data, 'lifeboat.conf'), renderPgConf(ctx.paths, 'a'));
  writeFileSync(join(p.data, 'postgresql.conf'), "\ninclude 'lifeboat.conf'\n", { flag: 'a' });
  writeFileSync(join(p.data, 'pg_hba.conf'), renderPgHba(), { flag: 'a' });
}

async function start(ctx: LabContext, s: ServerSpec, site: PgSite): Promise<void> {
  if (ctx.isRunning(s)) return;
  const data = pgPaths(ctx.paths, site).data;
  // Running `postgres` itself (not pg_ctl) keeps the PID we spawn the postmaster's.
  const d = ctx.launch(s, [`${PG_BIN}/postgres`, '-D', data]);
  await waitFor(() => postmasterAccepts(readLockFile(data), d.record.pid), {
    what: `${s.name} to accept connections`,
    log: ctx.paths.log(s.name),
    timeoutMs: 60_000,
    intervalMs: 50,
    exited: d.exited,
  });
}

async function initReplica(ctx: LabContext): Promise<void> {
  const p = pgPaths(ctx.paths, 'b');
  if (existsSync(join(p.data, 'PG_VERSION'))) return;
  await ctx.mkdirFor(p.dir, 'postgres', 0o755);
  await ctx.mkdirFor(p.socketDir, 'postgres', 0o755);
  ctx.progress('postgres: base backup of a into b');
  const backup = asUser('postgres', 'postgres', [
    `${PG_BIN}/pg_basebackup`,
    ...['-h', ADDRESSES.a, '-p', String(PORTS.postgres), '-U', 'replicator', '-w'],
    ...['-D', p.data, '-X', 'stream', '-S', 'b', '-c', 'fast', '--no-sync'],
  ]);
  await ctx.execOk('pg_basebackup for postgres-b', 'b', backup, {
    env: { PATH: process.env.PATH, PGPASSFILE: pgPassFile(ctx.paths, 'replicator') },
    timeoutMs: 120_000,
    log: ctx.paths.log('postgres-b-setup'),
  });
  writeFileSync(join(p.data, 'lifeboat.conf'), renderPgConf(ctx.paths, 'b'));
  // a's ALTER SYSTEM settings (synchronous_standby_names) must not follow it into b.
  writeFileSync(join(p.data, 'postgresql.auto.conf'), '# Do not edit this file manually!\n');
  writeFileSync(join(p.data, 'standby.signal'), '');
}

async function streamingState(ctx: LabContext): Promise<string> {
  return pgAdminSql(
    ctx.paths,
    'a',
    "SELECT state || ' ' || sync_state FROM pg_stat_replication WHERE application_name = 'b';",
  );
}

/**
 * Sync mode is switched on only once b streams: with synchronous_standby_names set before the
 * standby connects, every commit hangs (LAB-NOTES).
 */
async function applyMode(ctx: LabContext, mode: PgMode): Promise<void> {
  const want = mode === 'sync' ? 'b' : '';
  const have = await pgAdminSql(ctx.paths, 'a', 'SHOW synchronous_standby_names;');
  if (have !== want) {
    const set =
      mode === 'sync'
        ? "ALTER SYSTEM SET synchronous_standby_names = 'b';"
        : 'ALTER SYSTEM RESET synchronous_standby_names;';
    await pgAdminSql(ctx.paths, 'a', `${set}\nSELECT pg_reload_conf();`);
  }
  const expect = mode === 'sync' ? 'streaming sync' : 'streaming async';
  await waitFor(async () => (await streamingState(ctx)) === expect, {
    what: `postgres-b to replicate from a as ${mode}`,
    log: ctx.paths.log('postgres-a'),
    timeoutMs: 30_000,
  });
}

export const postgres: LabComponent = {
  name: 'postgres',
  async up(ctx) {
    const [a, b] = serversOf('postgres') as [ServerSpec, ServerSpec];
    const passwords = {} as Record<PgRole, string>;
    for (const role of PG_ROLES) {
      passwords[role] = await ensureSecret(pgPasswordFile(ctx.paths, role));
      const line = `*:*:*:${role}:${passwords[role]}\n`;
      await writePrivate(
        pgPassFile(ctx.paths, role),
        line,
        role === 'replicator' ? 'postgres' : 'root',
      );
    }
    await initPrimary(ctx);
    await start(ctx, a, 'a');
    const verifiers = Object.fromEntries(
      PG_ROLES.map((r) => [r, scramSha256Verifier(passwords[r])]),
    ) as Record<PgRole, string>;
    await pgAdminSql(ctx.paths, 'a', renderPgBootstrap(verifiers));
    await initReplica(ctx);
    await start(ctx, b, 'b');
    await waitFor(async () => (await streamingState(ctx)).startsWith('streaming'), {
      what: 'postgres-b to stream from postgres-a',
      log: ctx.paths.log('postgres-b'),
      timeoutMs: 30_000,
    });
    await applyMode(ctx, ctx.options.pgMode);
  },
};

/** For tests: whether `psql` as `role` over TCP from `ns` succeeds (exercises SCRAM). */
export async function pgTcpQuery(
  paths: LabPaths,
  ns: string,
  host: string,
  role: PgRole,
  sql: string,
  port: number = PORTS.postgres,
) {
  return run(
    [
      ...['ip', 'netns', 'exec', ns, `${PG_BIN}/psql`],
      ...['-h', host, '-p', String(port), '-U', role, '-d', role === 'app' ? 'app' : 'postgres'],
      ...['-XAtq', '-w', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    ],
    {
      env: { PATH: process.env.PATH, PGPASSFILE: pgPassFile(paths, role), PGCONNECT_TIMEOUT: '3' },
      timeoutMs: 15_000,
    },
  );
}
