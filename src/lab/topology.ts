// The lab's shape as data: sites, addresses, ports, servers and components. Pure, so that
// plans (examples/lab/plan.yaml), docs and tests describe the same lab the code builds.
import { LifeboatError } from '../core/errors/index.js';

/** The three places of the lab that can be cut off; `wan` is where clients live. */
export const SITES = ['a', 'b', 'witness'] as const;
export type Site = (typeof SITES)[number];
export type Place = Site | 'wan';
export const PLACES: readonly Place[] = ['wan', ...SITES];

export const SUBNET = '10.77.0.0/24';
export const PREFIX_LENGTH = 24;

/** Addresses exist only inside the lab's namespaces, never in the host's. */
export const ADDRESSES: Readonly<Record<Place, string>> = {
  a: '10.77.0.1',
  b: '10.77.0.2',
  witness: '10.77.0.3',
  wan: '10.77.0.254',
};
export const VIP = '10.77.0.100';
export const BRIDGE = 'br0';
/** Name of each site's veth end in `wan` (the end inside the site is `eth0`). */
export const VETHS: Readonly<Record<Site, string>> = { a: 'va', b: 'vb', witness: 'vw' };
export const SITE_IFACE = 'eth0';

export const PORTS = {
  postgres: 5432,
  mariadb: 3306,
  dns: 53,
  powerdnsDns: 5300,
  powerdnsApi: 8081,
  http: 8080,
  haproxyHttp: 80,
  haproxyPostgres: 5432,
  haproxyMariadb: 3306,
  haproxyRuntime: 9999,
  ssh: 22,
  rsync: 873,
  etcdClient: 2379,
  etcdPeer: 2380,
  /** Patroni's own PostgreSQL pair (the side-by-side benchmark), next to the lab's on 5432. */
  patroniPostgres: 5433,
  patroniRest: 8008,
  haproxyPatroni: 5433,
} as const;

/** Replication between the sites' database servers uses these ports (partition --link replication). */
export const REPLICATION_PORTS: readonly number[] = [PORTS.postgres, PORTS.mariadb];

export const COMPONENTS = [
  'postgres',
  'mariadb',
  'bind',
  'powerdns',
  'http',
  'haproxy',
  'ssh',
  'rsync',
  'keepalived',
  'etcd',
  'patroni',
] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * What `all` (and `up` with no list) starts: every component but Patroni, which exists only to
 * be measured side by side with Lifeboat (bench/controller/failover.ts) and is asked for by name.
 */
export const DEFAULT_COMPONENTS: readonly Component[] = COMPONENTS.filter((c) => c !== 'patroni');

/** Components another one needs running first. */
export const REQUIRES: Readonly<Record<Component, readonly Component[]>> = {
  postgres: [],
  mariadb: [],
  bind: [],
  powerdns: [],
  http: [],
  haproxy: ['http'],
  ssh: [],
  rsync: ['ssh'],
  keepalived: [],
  etcd: [],
  patroni: ['etcd'],
};

export interface ServerSpec {
  /** `<component>-<site>`, or the component alone when there is one server. */
  readonly name: string;
  readonly component: Component;
  readonly place: Place;
  /** The Unix user the daemon runs as (HAProxy's master stays root, its worker drops to `haproxy`). */
  readonly user: string;
  readonly group: string;
  /** TCP (or UDP for DNS) ports it listens on, at its place's address. */
  readonly ports: readonly number[];
  /** Signal of an orderly stop (PostgreSQL: SIGINT is its "fast" shutdown). */
  readonly stopSignal: NodeJS.Signals;
}

function server(
  component: Component,
  place: Place,
  user: string,
  ports: readonly number[],
  opts: { name?: string; group?: string; stopSignal?: NodeJS.Signals } = {},
): ServerSpec {
  return {
    name: opts.name ?? `${component}-${place}`,
    component,
    place,
    user,
    group: opts.group ?? user,
    ports,
    stopSignal: opts.stopSignal ?? 'SIGTERM',
  };
}

export const SERVERS: readonly ServerSpec[] = [
  server('postgres', 'a', 'postgres', [PORTS.postgres], { stopSignal: 'SIGINT' }),
  server('postgres', 'b', 'postgres', [PORTS.postgres], { stopSignal: 'SIGINT' }),
  server('mariadb', 'a', 'mysql', [PORTS.mariadb]),
  server('mariadb', 'b', 'mysql', [PORTS.mariadb]),
  server('bind', 'witness', 'bind', [PORTS.dns], { name: 'bind' }),
  server('powerdns', 'witness', 'pdns', [PORTS.powerdnsDns, PORTS.powerdnsApi], {
    name: 'powerdns',
  }),
  server('http', 'a', 'nobody', [PORTS.http], { group: 'nogroup' }),
  server('http', 'b', 'nobody', [PORTS.http], { group: 'nogroup' }),
  server(
    'haproxy',
    'wan',
    'root',
    [PORTS.haproxyHttp, PORTS.haproxyPostgres, PORTS.haproxyMariadb, PORTS.haproxyRuntime],
    { name: 'haproxy' },
  ),
  // sshd must start as root (privilege separation); rsyncd writes as `nobody` (see rsync.ts).
  server('ssh', 'b', 'root', [PORTS.ssh], { name: 'sshd-b' }),
  server('rsync', 'b', 'root', [PORTS.rsync], { name: 'rsyncd-b' }),
  // keepalived must be root to add the VIP and send VRRP.
  server('keepalived', 'a', 'root', []),
  server('keepalived', 'b', 'root', []),
  // SIGKILL: on SIGTERM the leader tries to hand leadership to followers that are stopping
  // too, and waits ~7 s for them; `down` throws the data away anyway.
  server('etcd', 'a', 'etcd', [PORTS.etcdClient, PORTS.etcdPeer], { stopSignal: 'SIGKILL' }),
  server('etcd', 'b', 'etcd', [PORTS.etcdClient, PORTS.etcdPeer], { stopSignal: 'SIGKILL' }),
  server('etcd', 'witness', 'etcd', [PORTS.etcdClient, PORTS.etcdPeer], {
    stopSignal: 'SIGKILL',
  }),
  // Patroni stops its PostgreSQL on SIGTERM; `down` also kills any postmaster left under the lab.
  server('patroni', 'a', 'postgres', [PORTS.patroniPostgres, PORTS.patroniRest]),
  server('patroni', 'b', 'postgres', [PORTS.patroniPostgres, PORTS.patroniRest]),
];

export function serversOf(component: Component): ServerSpec[] {
  return SERVERS.filter((s) => s.component === component);
}

export function findServer(name: string): ServerSpec {
  const s = SERVERS.find((x) => x.name === name);
  if (!s) {
    throw new LifeboatError('LB_E_LAB_USAGE', `unknown server '${name}'`, {
      hint: `use one of: ${SERVERS.map((x) => x.name).join(', ')}`,
    });
  }
  return s;
}

export function parseSite(text: string): Site {
  if ((SITES as readonly string[]).includes(text)) return text as Site;
  throw new LifeboatError('LB_E_LAB_USAGE', `unknown site '${text}'`, {
    hint: `use one of: ${SITES.join(', ')}`,
  });
}

export function parsePlace(text: string): Place {
  if ((PLACES as readonly string[]).includes(text)) return text as Place;
  throw new LifeboatError('LB_E_LAB_USAGE', `unknown place '${text}'`, {
    hint: `use one of: ${PLACES.join(', ')}`,
  });
}

/** Parses `postgres,haproxy` (or `all`) into components, in start order, with what they require. */
export function parseComponents(text: string | readonly string[] | undefined): Component[] {
  const words = (typeof text === 'string' ? text.split(',') : (text ?? []))
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0 || words.includes('all')) return [...DEFAULT_COMPONENTS];
  for (const w of words) {
    if (!(COMPONENTS as readonly string[]).includes(w)) {
      throw new LifeboatError('LB_E_LAB_USAGE', `unknown component '${w}'`, {
        hint: `use one or more of: ${COMPONENTS.join(', ')} (comma-separated), or all`,
      });
    }
  }
  return withRequirements(words as Component[]);
}

/** The components and everything they require, in the order of COMPONENTS (requirements first). */
export function withRequirements(wanted: readonly Component[]): Component[] {
  const need = new Set<Component>();
  const visit = (c: Component, depth: number): void => {
    if (need.has(c) || depth > COMPONENTS.length) return;
    need.add(c);
    for (const r of REQUIRES[c]) visit(r, depth + 1);
  };
  for (const c of wanted) visit(c, 0);
  const ordered = COMPONENTS.filter((c) => need.has(c));
  // COMPONENTS lists requirements before what requires them; keep that true when editing it.
  return ordered;
}

/** Lab names prefix namespaces (`<name>-wan`): short, so that every derived name stays valid. */
export const LAB_NAME_RE = /^[a-z][a-z0-9]{0,9}$/;

export function namespaceOf(lab: string, place: Place): string {
  return `${lab}-${place}`;
}

export function namespacesOf(lab: string): Record<Place, string> {
  return {
    wan: namespaceOf(lab, 'wan'),
    a: namespaceOf(lab, 'a'),
    b: namespaceOf(lab, 'b'),
    witness: namespaceOf(lab, 'witness'),
  };
}

/** The lab as a plan would describe it: sites, their nodes (servers) and addresses. */
export function describeTopology(lab = 'lb') {
  const ns = namespacesOf(lab);
  return {
    subnet: SUBNET,
    vip: VIP,
    places: PLACES.map((place) => ({
      place,
      namespace: ns[place],
      address: ADDRESSES[place],
      servers: SERVERS.filter((s) => s.place === place).map((s) => ({
        name: s.name,
        component: s.component,
        user: s.user,
        listen: s.ports.map((p) => `${ADDRESSES[place]}:${p}`),
      })),
    })),
  };
}
