// Where each target of a driver test is, and which file holds its credential. A pure function
// of the lab's name and directory: lab.json carries it, and `lab.endpoints()` returns it.
import { bindPaths, TSIG_KEY_NAME, ZONE } from './bind.js';
import { etcdClientUrl, etcdPeerUrl } from './etcd.js';
import { haproxyPaths } from './haproxy.js';
import { httpUrl } from './http-service.js';
import { VRRP } from './keepalived.js';
import { MY_ROLES, type MyRole, myClientCnf, myPasswordFile, myPaths } from './mariadb.js';
import type { LabPaths } from './paths.js';
import { PG_ROLES, type PgRole, pgPassFile, pgPasswordFile, pgPaths } from './postgres.js';
import { powerdnsApiUrl, powerdnsPaths } from './powerdns.js';
import { RSYNC_MODULE, rsyncDaemonUrl, rsyncPaths } from './rsync.js';
import { SSH_USER, sshPaths } from './ssh.js';
import { ADDRESSES, namespacesOf, PORTS, SITE_IFACE, VIP } from './topology.js';

export interface TcpEndpoint {
  namespace: string;
  host: string;
  port: number;
}

export interface DbInstance extends TcpEndpoint {
  /** Unix socket (dir for PostgreSQL, file for MariaDB): reachable from the host's namespace. */
  socket: string;
  dataDir: string;
}

export interface LabEndpoints {
  postgres: {
    a: DbInstance;
    b: DbInstance;
    viaHaproxy: TcpEndpoint;
    database: string;
    /** passwordFile: the bare password; pgpassFile: a libpq password file (PGPASSFILE). */
    users: Record<PgRole, { passwordFile: string; pgpassFile: string }>;
  };
  mariadb: {
    a: DbInstance;
    b: DbInstance;
    viaHaproxy: TcpEndpoint;
    database: string;
    /** clientCnf: an option file for `mariadb --defaults-extra-file=`. */
    users: Record<MyRole, { passwordFile: string; clientCnf: string }>;
  };
  bind: TcpEndpoint & {
    zone: string;
    tsig: { name: string; algorithm: 'hmac-sha256'; keyFile: string; secretFile: string };
  };
  powerdns: TcpEndpoint & { zone: string; api: { url: string; serverId: string; keyFile: string } };
  http: { a: { namespace: string; url: string }; b: { namespace: string; url: string } };
  haproxy: {
    namespace: string;
    http: { url: string };
    postgres: TcpEndpoint;
    mariadb: TcpEndpoint;
    runtime: { socket: string; host: string; port: number };
    masterSocket: string;
    config: string;
    stateFile: string;
    readOnlyMap: string;
    backends: Record<'http' | 'postgres' | 'mariadb', { servers: ['a', 'b']; enabled: 'a' }>;
  };
  ssh: TcpEndpoint & { user: string; identityFile: string; knownHostsFile: string };
  rsync: {
    source: { namespace: string; dir: string };
    daemon: TcpEndpoint & { module: string; url: string; dir: string };
    ssh: { host: string; user: string; dir: string; target: string };
  };
  keepalived: { vip: string; interface: string; sites: ['a', 'b']; virtualRouterId: number };
  etcd: {
    members: Record<
      'a' | 'b' | 'witness',
      { namespace: string; clientUrl: string; peerUrl: string }
    >;
    clientUrls: string[];
  };
}

export function labEndpoints(lab: string, paths: LabPaths): LabEndpoints {
  const ns = namespacesOf(lab);
  const pg = (site: 'a' | 'b'): DbInstance => ({
    namespace: ns[site],
    host: ADDRESSES[site],
    port: PORTS.postgres,
    socket: pgPaths(paths, site).socketDir,
    dataDir: pgPaths(paths, site).data,
  });
  const my = (site: 'a' | 'b'): DbInstance => ({
    namespace: ns[site],
    host: ADDRESSES[site],
    port: PORTS.mariadb,
    socket: myPaths(paths, site).socket,
    dataDir: myPaths(paths, site).data,
  });
  const wan = (port: number): TcpEndpoint => ({ namespace: ns.wan, host: ADDRESSES.wan, port });
  const hp = haproxyPaths(paths);
  const rp = rsyncPaths(paths);
  const sp = sshPaths(paths);
  const member = (site: 'a' | 'b' | 'witness') => ({
    namespace: ns[site],
    clientUrl: etcdClientUrl(site),
    peerUrl: etcdPeerUrl(site),
  });
  const backend = { servers: ['a', 'b'] as ['a', 'b'], enabled: 'a' as const };
  return {
    postgres: {
      a: pg('a'),
      b: pg('b'),
      viaHaproxy: wan(PORTS.haproxyPostgres),
      database: 'app',
      users: Object.fromEntries(
        PG_ROLES.map((r) => [
          r,
          { passwordFile: pgPasswordFile(paths, r), pgpassFile: pgPassFile(paths, r) },
        ]),
      ) as LabEndpoints['postgres']['users'],
    },
    mariadb: {
      a: my('a'),
      b: my('b'),
      viaHaproxy: wan(PORTS.haproxyMariadb),
      database: 'app',
      users: Object.fromEntries(
        MY_ROLES.map((r) => [
          r,
          { passwordFile: myPasswordFile(paths, r), clientCnf: myClientCnf(paths, r) },
        ]),
      ) as LabEndpoints['mariadb']['users'],
    },
    bind: {
      namespace: ns.witness,
      host: ADDRESSES.witness,
      port: PORTS.dns,
      zone: `${ZONE}.`,
      tsig: {
        name: TSIG_KEY_NAME,
        algorithm: 'hmac-sha256',
        keyFile: bindPaths(paths).tsigKey,
        secretFile: bindPaths(paths).tsigSecret,
      },
    },
    powerdns: {
      namespace: ns.witness,
      host: ADDRESSES.witness,
      port: PORTS.powerdnsDns,
      zone: `${ZONE}.`,
      api: { url: powerdnsApiUrl(), serverId: 'localhost', keyFile: powerdnsPaths(paths).apiKey },
    },
    http: {
      a: { namespace: ns.a, url: httpUrl('a') },
      b: { namespace: ns.b, url: httpUrl('b') },
    },
    haproxy: {
      namespace: ns.wan,
      http: { url: `http://${ADDRESSES.wan}:${PORTS.haproxyHttp}` },
      postgres: wan(PORTS.haproxyPostgres),
      mariadb: wan(PORTS.haproxyMariadb),
      runtime: { socket: hp.adminSocket, host: ADDRESSES.wan, port: PORTS.haproxyRuntime },
      masterSocket: hp.masterSocket,
      config: hp.config,
      stateFile: hp.stateFile,
      readOnlyMap: hp.roMap,
      backends: { http: backend, postgres: backend, mariadb: backend },
    },
    ssh: {
      namespace: ns.b,
      host: ADDRESSES.b,
      port: PORTS.ssh,
      user: SSH_USER,
      identityFile: sp.clientKey,
      knownHostsFile: sp.knownHosts,
    },
    rsync: {
      source: { namespace: ns.a, dir: rp.source },
      daemon: {
        namespace: ns.b,
        host: ADDRESSES.b,
        port: PORTS.rsync,
        module: RSYNC_MODULE,
        url: rsyncDaemonUrl(),
        dir: rp.daemonTarget,
      },
      ssh: {
        host: ADDRESSES.b,
        user: SSH_USER,
        dir: rp.sshTarget,
        target: `${SSH_USER}@${ADDRESSES.b}:${rp.sshTarget}/`,
      },
    },
    keepalived: {
      vip: VIP,
      interface: SITE_IFACE,
      sites: ['a', 'b'],
      virtualRouterId: VRRP.virtualRouterId,
    },
    etcd: {
      members: { a: member('a'), b: member('b'), witness: member('witness') },
      clientUrls: (['a', 'b', 'witness'] as const).map(etcdClientUrl),
    },
  };
}
