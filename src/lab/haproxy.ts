// HAProxy 2.6 in wan: HTTP in front of the sites' services (with a runtime read-only switch),
// TCP in front of PostgreSQL and MariaDB. Its runtime API listens on a Unix socket and on a
// TCP port, at admin level; a server-state-file keeps runtime states across reloads.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabComponent } from './context.js';
import type { LabPaths } from './paths.js';
import { unixExchange } from './probes.js';
import { ADDRESSES, PORTS, type ServerSpec, serversOf } from './topology.js';
import { waitFor } from './wait.js';

/** Backends and their servers: `a` serves, `b` is disabled until a switch enables it. */
/** What a refused write reads while the service is in read-only maintenance. */
export const READ_ONLY_BODY = 'read-only maintenance: writes are refused, reads are served';

export const HAPROXY_BACKENDS = {
  http: { servers: { a: `${ADDRESSES.a}:${PORTS.http}`, b: `${ADDRESSES.b}:${PORTS.http}` } },
  postgres: {
    servers: { a: `${ADDRESSES.a}:${PORTS.postgres}`, b: `${ADDRESSES.b}:${PORTS.postgres}` },
  },
  mariadb: {
    servers: { a: `${ADDRESSES.a}:${PORTS.mariadb}`, b: `${ADDRESSES.b}:${PORTS.mariadb}` },
  },
} as const;

export function haproxyPaths(paths: LabPaths) {
  const dir = paths.component('haproxy');
  return {
    dir,
    config: join(dir, 'haproxy.cfg'),
    adminSocket: join(dir, 'admin.sock'),
    masterSocket: join(dir, 'master.sock'),
    stateFile: join(dir, 'server.state'),
    roMap: join(dir, 'ro.map'),
  };
}

function tcpListen(name: 'postgres' | 'mariadb', port: number): string[] {
  const s = HAPROXY_BACKENDS[name].servers;
  return [
    `listen ${name}`,
    `  bind ${ADDRESSES.wan}:${port}`,
    '  mode tcp',
    // A refused connection is retried after `timeout connect` (1 s by default): 100 ms plus
    // redispatch took the client's gap in a switch from 2.07 s to 0.26 s (LAB-NOTES).
    '  timeout connect 100ms',
    '  retries 3',
    '  option redispatch 1',
    '  timeout client 1h',
    '  timeout server 1h',
    `  server a ${s.a}`,
    `  server b ${s.b} disabled`,
    '',
  ];
}

/**
 * Patroni's pair (the `patroni` component, only in the side-by-side benchmark): routed by health
 * checks of Patroni's REST API, as Patroni's documentation sets HAProxy up, but checked every
 * 100 ms with one failure enough to go down (its example: 3 s, 3 failures), so that HAProxy adds
 * as little as possible to Patroni's measured time. Its servers are simply down in a lab without
 * Patroni.
 */
function patroniListen(): string[] {
  return [
    'listen patroni',
    `  bind ${ADDRESSES.wan}:${PORTS.haproxyPatroni}`,
    '  mode tcp',
    // OPTIONS: Patroni answers with the status alone; a GET's body meets a closed socket.
    '  option httpchk OPTIONS /primary',
    '  http-check expect status 200',
    `  default-server inter 100ms fall 1 rise 1 on-marked-down shutdown-sessions port ${PORTS.patroniRest}`,
    '  timeout connect 100ms',
    '  retries 3',
    '  option redispatch 1',
    '  timeout client 1h',
    '  timeout server 1h',
    `  server a ${ADDRESSES.a}:${PORTS.patroniPostgres} check`,
    `  server b ${ADDRESSES.b}:${PORTS.patroniPostgres} check`,
    '',
  ];
}

/** The configuration. Pure. */
export function renderHaproxyCfg(paths: LabPaths): string {
  const p = haproxyPaths(paths);
  const h = HAPROXY_BACKENDS.http.servers;
  return [
    '# Written by lifeboat lab.',
    'global',
    '  user haproxy',
    '  group haproxy',
    `  stats socket ${p.adminSocket} mode 600 level admin expose-fd listeners`,
    `  stats socket ipv4@${ADDRESSES.wan}:${PORTS.haproxyRuntime} level admin`,
    '  stats timeout 10s',
    // Runtime server states survive a reload only if dumped here first (`show servers state`).
    `  server-state-file ${p.stateFile}`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  load-server-state-from-file global',
    '',
    'frontend http',
    `  bind ${ADDRESSES.wan}:${PORTS.haproxyHttp}`,
    '  acl write_method method PUT POST DELETE PATCH',
    // Read-only mode: `set map <ro.map> mode ro` at runtime (0.3 ms, no reload); write the
    // file too, or a reload forgets it. 503 with a body that says why: a client (or a person
    // reading its log) must tell maintenance from a broken service.
    `  http-request deny deny_status 503 content-type text/plain string "${READ_ONLY_BODY}" if write_method { str(mode),map(${p.roMap},rw) -m str ro }`,
    '  default_backend http',
    '',
    'backend http',
    '  option httpchk GET /health',
    `  server a ${h.a} check inter 500ms fall 2 rise 1`,
    `  server b ${h.b} check inter 500ms fall 2 rise 1 disabled`,
    '',
    ...tcpListen('postgres', PORTS.haproxyPostgres),
    ...tcpListen('mariadb', PORTS.haproxyMariadb),
    ...patroniListen(),
  ].join('\n');
}

/** One command on the runtime API (one command per connection); returns its answer. */
export async function haproxyCommand(socket: string, command: string, timeoutMs = 2000) {
  if (/[\n;]/.test(command)) throw new Error('one runtime API command at a time');
  return unixExchange(socket, command, { timeoutMs });
}

export const haproxy: LabComponent = {
  name: 'haproxy',
  async up(ctx) {
    const [s] = serversOf('haproxy') as [ServerSpec];
    if (ctx.isRunning(s)) return;
    const p = haproxyPaths(ctx.paths);
    await ctx.mkdirFor(p.dir, 'root', 0o755);
    writeFileSync(p.config, renderHaproxyCfg(ctx.paths));
    if (!existsSync(p.roMap)) writeFileSync(p.roMap, 'mode rw\n');
    if (!existsSync(p.stateFile)) writeFileSync(p.stateFile, '');
    // -W: master-worker (reload through the master socket); the master stays in the foreground.
    const d = ctx.launch(s, [
      '/usr/sbin/haproxy',
      '-W',
      '-db',
      ...['-S', `${p.masterSocket},level,admin`],
      ...['-f', p.config],
    ]);
    await waitFor(
      async () => (await haproxyCommand(p.adminSocket, 'show info')).includes('Name: HAProxy'),
      {
        what: 'haproxy runtime API to answer',
        log: ctx.paths.log(s.name),
        timeoutMs: 20_000,
        exited: d.exited,
      },
    );
  },
};
