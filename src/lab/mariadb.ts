// MariaDB 10.11: primary at site a, GTID replica at site b. Parallel optimistic apply, or the
// replica lags by seconds on 2 cores; strict GTID mode, so a write on the replica is caught as
// an errant transaction rather than a silent divergence (LAB-NOTES).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent, LabContext } from './context.js';
import { run, runOk } from './exec.js';
import type { LabPaths } from './paths.js';
import { unixExchange } from './probes.js';
import { ensureSecret, mysqlNativeHash, writePrivate } from './secrets.js';
import { ADDRESSES, PORTS, type ServerSpec, serversOf } from './topology.js';
import { waitFor } from './wait.js';

export const MY_ROLES = ['lifeboat', 'app', 'repl'] as const;
export type MyRole = (typeof MY_ROLES)[number];
type MySite = 'a' | 'b';

export function myPaths(paths: LabPaths, site: MySite) {
  const dir = paths.component('mariadb', site);
  return {
    dir,
    data: join(dir, 'data'),
    socket: join(dir, 'mysqld.sock'),
    tmp: join(dir, 'tmp'),
    cnf: join(dir, 'my.cnf'),
    pidFile: join(dir, 'mariadbd.pid'),
    bootstrapped: join(dir, 'bootstrapped'),
  };
}

export function myPasswordFile(paths: LabPaths, role: MyRole): string {
  return paths.secret(`mariadb-${role}.password`);
}

/** The server's option file. Pure. */
export function renderMyCnf(paths: LabPaths, site: MySite): string {
  const p = myPaths(paths, site);
  const lines = [
    '[mariadbd]',
    `datadir=${p.data}`,
    `socket=${p.socket}`,
    `pid-file=${p.pidFile}`,
    // Its own tmpdir: two bootstraps sharing /tmp failed on each other's temporary tables.
    `tmpdir=${p.tmp}`,
    `port=${PORTS.mariadb}`,
    'bind-address=0.0.0.0',
    `server-id=${site === 'a' ? 1 : 2}`,
    'log-bin=binlog',
    'log-slave-updates=ON',
    'binlog-format=ROW',
    'gtid-strict-mode=ON',
    'slave-parallel-threads=4',
    'slave-parallel-mode=optimistic',
    'skip-name-resolve',
    'innodb-buffer-pool-size=64M',
    // Errors go to stderr, which is the lab's log of this server.
  ];
  if (site === 'b') lines.push('read-only=ON');
  return `${lines.join('\n')}\n`;
}

/** Users and database on the primary; replicated to b through the binlog. Pure. */
export function renderMyBootstrap(hashes: Readonly<Record<MyRole, string>>): string {
  const subnet = `${ADDRESSES.a.split('.').slice(0, 3).join('.')}.%`;
  return [
    `CREATE USER IF NOT EXISTS 'lifeboat'@'%' IDENTIFIED BY PASSWORD '${hashes.lifeboat}';`,
    "GRANT ALL PRIVILEGES ON *.* TO 'lifeboat'@'%' WITH GRANT OPTION;",
    `CREATE USER IF NOT EXISTS 'repl'@'${subnet}' IDENTIFIED BY PASSWORD '${hashes.repl}';`,
    `GRANT REPLICATION SLAVE ON *.* TO 'repl'@'${subnet}';`,
    'CREATE DATABASE IF NOT EXISTS app;',
    `CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY PASSWORD '${hashes.app}';`,
    "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON app.* TO 'app'@'%';",
    '',
  ].join('\n');
}

/** Rows of `mariadb -B` output (header line, then tab-separated values). Pure. */
export function parseTabular(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines[0]?.split('\t') ?? [];
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** SQL as root over the instance's Unix socket (unix_socket authentication). */
export async function myAdminSql(
  paths: LabPaths,
  site: MySite,
  sql: string,
  opts: { redact?: string[]; header?: boolean } = {},
): Promise<string> {
  const argv = [
    'mariadb',
    '--no-defaults',
    `--socket=${myPaths(paths, site).socket}`,
    '-uroot',
    '-B',
  ];
  if (!opts.header) argv.push('-N');
  const r = await runOk(`mariadb on mariadb-${site}`, argv, {
    input: sql,
    timeoutMs: 15_000,
    redact: opts.redact,
  });
  return r.stdout.trim();
}

async function init(ctx: LabContext, site: MySite): Promise<void> {
  const p = myPaths(ctx.paths, site);
  if (existsSync(join(p.data, 'mysql'))) return;
  await ctx.mkdirFor(p.dir, 'mysql', 0o755);
  await ctx.mkdirFor(p.tmp, 'mysql', 0o700);
  writeFileSync(p.cnf, renderMyCnf(ctx.paths, site));
  ctx.progress(`mariadb: install-db at site ${site}`);
  await runOk(
    `mariadb-install-db for mariadb-${site}`,
    [
      'mariadb-install-db',
      `--defaults-file=${p.cnf}`,
      '--user=mysql',
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ],
    { timeoutMs: 120_000, log: ctx.paths.log(`mariadb-${site}-setup`) },
  );
}

async function start(ctx: LabContext, s: ServerSpec, site: MySite): Promise<void> {
  if (ctx.isRunning(s)) return;
  const p = myPaths(ctx.paths, site);
  const d = ctx.launch(s, ['/usr/sbin/mariadbd', `--defaults-file=${p.cnf}`]);
  // The server greets first: a greeting on the socket means it accepts clients.
  await waitFor(
    async () => (await unixExchange(p.socket, undefined, { untilBytes: 4 })).length >= 4,
    {
      what: `${s.name} to accept connections on ${p.socket}`,
      log: ctx.paths.log(s.name),
      timeoutMs: 60_000,
      intervalMs: 100,
      exited: d.exited,
    },
  );
}

async function follow(ctx: LabContext, replPassword: string): Promise<void> {
  const sql = [
    'STOP SLAVE;',
    `CHANGE MASTER TO MASTER_HOST='${ADDRESSES.a}', MASTER_PORT=${PORTS.mariadb}, MASTER_USER='repl', MASTER_PASSWORD='${replPassword}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;`,
    'START SLAVE;',
  ].join('\n');
  await myAdminSql(ctx.paths, 'b', sql, { redact: [replPassword] });
}

async function caughtUp(ctx: LabContext): Promise<boolean> {
  const status = parseTabular(
    await myAdminSql(ctx.paths, 'b', 'SHOW SLAVE STATUS;', { header: true }),
  )[0];
  if (status?.Slave_IO_Running !== 'Yes' || status.Slave_SQL_Running !== 'Yes') return false;
  const primary = await myAdminSql(ctx.paths, 'a', 'SELECT @@gtid_binlog_pos;');
  const replica = await myAdminSql(ctx.paths, 'b', 'SELECT @@gtid_slave_pos;');
  return primary === replica;
}

export const mariadb: LabComponent = {
  name: 'mariadb',
  async up(ctx) {
    const [a, b] = serversOf('mariadb') as [ServerSpec, ServerSpec];
    const passwords = {} as Record<MyRole, string>;
    for (const role of MY_ROLES) {
      passwords[role] = await ensureSecret(myPasswordFile(ctx.paths, role));
      await writePrivate(myClientCnf(ctx.paths, role), renderMyClientCnf(role, passwords[role]));
    }
    await Promise.all([init(ctx, 'a'), init(ctx, 'b')]); // install-db takes seconds: both at once
    await Promise.all([start(ctx, a, 'a'), start(ctx, b, 'b')]);
    const pa = myPaths(ctx.paths, 'a');
    const pb = myPaths(ctx.paths, 'b');
    // Only once: on a later `up`, a may no longer be the primary, and a write there would be
    // an errant GTID.
    if (!existsSync(pa.bootstrapped)) {
      const hashes = Object.fromEntries(
        MY_ROLES.map((r) => [r, mysqlNativeHash(passwords[r])]),
      ) as Record<MyRole, string>;
      await myAdminSql(ctx.paths, 'a', renderMyBootstrap(hashes));
      writeFileSync(pa.bootstrapped, '');
    }
    if (!existsSync(pb.bootstrapped)) {
      await follow(ctx, passwords.repl);
      writeFileSync(pb.bootstrapped, '');
    }
    await waitFor(() => caughtUp(ctx), {
      what: 'mariadb-b to replicate from mariadb-a (IO and SQL threads running, GTID caught up)',
      log: ctx.paths.log('mariadb-b'),
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  },
};

/** For tests: a `mariadb` client as `role` over TCP from inside `ns` (exercises passwords). */
export function myTcpQuery(
  paths: LabPaths,
  ns: string,
  host: string,
  role: MyRole,
  sql: string,
  port: number = PORTS.mariadb,
) {
  const argv = ['mariadb', `--defaults-extra-file=${myClientCnf(paths, role)}`, '-h', host];
  return run(['ip', 'netns', 'exec', ns, ...argv, '-P', String(port), '-B', '-N'], {
    input: `${sql}\n`,
    timeoutMs: 15_000,
  });
}

/** A client option file with the role's password (mode 0600): keeps it out of argv. */
export function myClientCnf(paths: LabPaths, role: MyRole): string {
  return paths.secret(`mariadb-${role}.cnf`);
}

export function renderMyClientCnf(role: MyRole, password: string): string {
  return `[client]\nuser=${role}\npassword=${password}\nprotocol=TCP\nconnect-timeout=3\n`;
}
