// The one place that builds concrete drivers from a plan (the composition root). Everything a
// driver needs comes from the plan; how to reach a node (SSH in production, a namespace in the
// lab) and how to read a secret come from the DriverEnvironment, so the same plan drives both.
import { LifeboatError } from '../../core/errors/index.js';
import type { DataSet, Plan, PlanNode, Probe, Service, Traffic } from '../../core/plan/index.js';
import { AnsibleDriver } from '../../drivers/ansible/index.js';
import { PowerDnsDriver, Rfc2136Driver } from '../../drivers/dns/index.js';
import type { Driver, Probing } from '../../drivers/driver.js';
import { HaproxyDriver } from '../../drivers/haproxy/index.js';
import { KeepalivedDriver } from '../../drivers/keepalived/index.js';
import { MariadbDriver, MariadbProbe } from '../../drivers/mariadb/index.js';
import type { NodeRunner } from '../../drivers/node-runner.js';
import { PostgresDriver, PostgresProbe } from '../../drivers/postgres/index.js';
import { CommandProbe, HttpProbe, TcpProbe } from '../../drivers/probes/index.js';
import {
  MARKER,
  markerSyncedThrough,
  type RsyncConfig,
  RsyncDriver,
  type RsyncSshRemote,
} from '../../drivers/rsync/index.js';
import type { Secret } from '../../drivers/secrets.js';

export interface DriverEnvironment {
  /** Runs commands on a node of the plan. */
  runnerFor(node: string): NodeRunner;
  /** Runs commands where Lifeboat itself runs (command probes without a node). */
  localRunner(): NodeRunner;
  /** Reads a secret the plan references (`env:NAME`, `file:/path`). */
  secret(ref: string): Secret;
  /** In a lab: the network namespace of a node (tools that run locally, such as Ansible's). */
  namespaceOf?(node: string): string;
  /**
   * rsync: how a copy logs in to `node`, its far end (address, user, pinned host key,
   * identity). Default: the node's `address` and `ssh` in the plan. A lab gives its sshd's.
   */
  rsyncRemote?(node: string): RsyncLogin;
  /**
   * rsync: where a copy pushed from `node` runs. A lab: inside the node's namespace. Over SSH
   * rsync runs on this machine, so this machine must be `node` (else LB_E_DRIVER_CONFIG).
   */
  rsyncLocal?(node: string): { namespace?: string };
  /**
   * `node` is the machine Lifeboat runs on, reached without SSH: rsync copies to it as a local
   * directory. Default: no node is.
   */
  isLocalNode?(node: string): boolean;
}

/** The far end of an rsync copy over SSH, without the directory. */
export type RsyncLogin = Omit<RsyncSshRemote, 'kind' | 'path'>;

const DEFAULT_PORTS = { postgres: 5432, mariadb: 3306 } as const;

function config(message: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_CONFIG', message);
}

export class DriverFactory {
  constructor(
    private readonly plan: Plan,
    private readonly env: DriverEnvironment,
  ) {}

  service(name: string): Service {
    const svc = this.plan.services?.[name];
    if (!svc) throw config(`the plan has no service \`${name}\``);
    return svc;
  }

  private node(name: string): PlanNode & { name: string; address: string } {
    const node = this.plan.nodes?.[name];
    if (!node) throw config(`the plan has no node \`${name}\``);
    if (!node.address) throw config(`node \`${name}\` has no \`address\``);
    return { ...node, name, address: node.address };
  }

  private dataSet(service: string, dataSet: string): DataSet {
    const ds = this.service(service).data?.find((d) => d.name === dataSet);
    if (!ds) throw config(`service \`${service}\` has no data set \`${dataSet}\``);
    return ds;
  }

  private secretOf(ref: string | undefined): Secret | undefined {
    return ref === undefined ? undefined : this.env.secret(ref);
  }

  /** The database driver of one node of a postgres or mariadb data set. The replication
   * application name is the node name made a SQL identifier (synchronous_standby_names uses it). */
  database(service: string, dataSet: string, nodeName: string): PostgresDriver | MariadbDriver {
    const ds = this.dataSet(service, dataSet);
    const node = this.node(nodeName);
    if (!ds.user)
      throw config(
        `data set \`${service}/${dataSet}\` needs a \`user\` for Lifeboat to connect as`,
      );
    const replication =
      ds.replication.user && ds.replication.password
        ? { user: ds.replication.user, password: this.env.secret(ds.replication.password) }
        : undefined;
    const password = this.secretOf(ds.password);
    if (ds.kind === 'postgres') {
      return new PostgresDriver({
        node: node.name,
        host: node.address,
        port: ds.port ?? DEFAULT_PORTS.postgres,
        user: ds.user,
        address: node.address,
        ...(ds.database ? { database: ds.database } : {}),
        ...(password ? { password } : {}),
        ...(replication
          ? {
              replication: {
                ...replication,
                applicationName: node.name.replace(/[^A-Za-z0-9_]/g, '_'),
              },
            }
          : {}),
        ...(ds.dataDir
          ? {
              server: {
                runner: this.env.runnerFor(node.name),
                dataDir: perNode(ds.dataDir, node.name),
                ...(ds.keepFiles ? { keepFiles: ds.keepFiles } : {}),
              },
            }
          : {}),
      });
    }
    if (ds.kind === 'mariadb') {
      return new MariadbDriver({
        node: node.name,
        host: node.address,
        port: ds.port ?? DEFAULT_PORTS.mariadb,
        user: ds.user,
        address: node.address,
        ...(password ? { password } : {}),
        ...(replication ? { replication } : {}),
        ...(ds.server
          ? {
              server: {
                runner: this.env.runnerFor(node.name),
                socket: perNode(ds.server.socket, node.name),
                startArgv: ds.server.start.map((a) => perNode(a, node.name)),
                ...(ds.server.pidFile ? { pidFile: perNode(ds.server.pidFile, node.name) } : {}),
              },
            }
          : {}),
      });
    }
    throw config(`data set \`${service}/${dataSet}\` is of kind ${ds.kind}: no database driver`);
  }

  /** The driver that moves one traffic item of a service (its index in `traffic`). */
  traffic(service: string, index: number): Driver {
    const t: Traffic | undefined = this.service(service).traffic?.[index];
    if (!t) throw config(`service \`${service}\` has no traffic item ${index}`);
    switch (t.kind) {
      case 'dns':
        return this.dns(service, t);
      case 'haproxy':
        return new HaproxyDriver({
          backend: t.backend,
          servers: t.servers,
          runtime: t.socket
            ? { socket: t.socket }
            : {
                host: required(t.address, 'address', service),
                port: required(t.port, 'port', service),
              },
          ...(t.readOnlyMap
            ? { readOnly: { map: t.readOnlyMap, ...(t.readOnlyKey ? { key: t.readOnlyKey } : {}) } }
            : {}),
          ...(t.stateFile ? { serverStateFile: t.stateFile } : {}),
        });
      case 'vip':
        return new KeepalivedDriver({
          vip: t.address,
          instance: required(t.instance, 'instance', service),
          ...(t.interface ? { interface: t.interface } : {}),
          nodes: this.vipNodes(service, t).map((name) => ({
            name,
            runner: this.env.runnerFor(name),
            configFile: perNode(t.configFile, name),
            pidFile: perNode(t.pidFile, name),
          })),
        });
      case 'none':
        throw config(`traffic item ${index} of \`${service}\` is \`none\`: nothing to drive`);
    }
  }

  private vipNodes(service: string, t: Extract<Traffic, { kind: 'vip' }>): string[] {
    const svc = this.service(service);
    const names = Object.keys(t.priorities ?? {});
    return names.length > 0 ? names : [...svc.placement.active, ...(svc.placement.standby ?? [])];
  }

  private dns(service: string, t: Extract<Traffic, { kind: 'dns' }>): Driver {
    const svc = this.service(service);
    // A destination is a node (or site) name; its value defaults to the node's address.
    const values: Record<string, string> = {};
    for (const n of [...svc.placement.active, ...(svc.placement.standby ?? [])]) {
      const address = this.plan.nodes?.[n]?.address;
      if (address) values[n] = address;
    }
    Object.assign(values, t.values ?? {});
    const record = {
      record: t.record,
      zone: t.zone,
      type: t.type,
      ttl: Math.round(t.ttl / 1000),
      values,
    };
    const host = required(t.server, 'server', service);
    if (t.provider === 'rfc2136') {
      return new Rfc2136Driver({
        ...record,
        server: { host, port: t.port ?? 53 },
        tsig: {
          name: required(t.tsigKey, 'tsigKey', service),
          algorithm: t.tsigAlgorithm,
          secret: this.env.secret(required(t.tsigSecret, 'tsigSecret', service)),
        },
      });
    }
    if (t.provider === 'powerdns') {
      return new PowerDnsDriver({
        ...record,
        api: {
          url: `http://${host}:${t.port ?? 8081}/api/v1`,
          key: this.env.secret(required(t.apiKey, 'apiKey', service)),
        },
      });
    }
    throw config(
      `the DNS record \`${t.record}\` of \`${service}\` is changed by hand (provider: manual)`,
    );
  }

  /** A health probe of a service, by name. */
  probe(service: string, probeName: string): Probing {
    const p: Probe | undefined = this.service(service).health?.find((h) => h.name === probeName);
    if (!p) throw config(`service \`${service}\` has no probe \`${probeName}\``);
    return this.probeOf(service, p);
  }

  /** A probe of a service as given (the engine aims SQL probes at one site's node). */
  probeOf(service: string, p: Probe): Probing {
    const probeName = p.name;
    const timeoutMs = p.timeout;
    switch (p.kind) {
      case 'http':
        return new HttpProbe({
          name: p.name,
          url: p.url,
          expectStatus: p.expectStatus,
          timeoutMs,
          ...(p.bodyMatch ? { bodyMatch: p.bodyMatch } : {}),
        });
      case 'tcp':
        return new TcpProbe({ name: p.name, host: p.host, port: p.port, timeoutMs });
      case 'command':
        return new CommandProbe({
          name: p.name,
          argv: p.argv,
          timeoutMs,
          runner: p.node ? this.env.runnerFor(p.node) : this.env.localRunner(),
        });
      case 'sql': {
        const ds = this.dataSet(service, p.data);
        const node = this.node(p.node ?? required(ds.source, 'source', service));
        const common = {
          name: p.name,
          host: node.address,
          user: required(ds.user, 'user', service),
          query: p.query,
          timeoutMs,
          ...(p.expect !== undefined ? { expect: p.expect } : {}),
          ...(ds.password ? { password: this.env.secret(ds.password) } : {}),
        };
        if (ds.kind === 'postgres') {
          return new PostgresProbe({
            ...common,
            port: ds.port ?? DEFAULT_PORTS.postgres,
            database: ds.database ?? 'postgres',
          });
        }
        if (ds.kind === 'mariadb') {
          return new MariadbProbe({
            ...common,
            port: ds.port ?? DEFAULT_PORTS.mariadb,
            ...(ds.database ? { database: ds.database } : {}),
          });
        }
        throw config(
          `probe \`${probeName}\` of \`${service}\` queries data set \`${p.data}\`, which is not a database`,
        );
      }
    }
  }

  /**
   * One more copy of a `files` (or `backup`) data set from node `from` to node `to`: rsync
   * pushes `from`'s directory (the data set's `path` on its source, `targetPath` — default
   * `path` — on a target) to `to`'s over SSH, with `to`'s host key pinned (or, when the
   * environment says `to` is this machine, to its directory here). A mirror: files the
   * source no longer has are deleted on the target (the marker records the copy, see
   * docs/drivers/rsync.md).
   */
  mirror(service: string, dataSet: string, from: string, to: string): RsyncDriver {
    const ds = this.dataSet(service, dataSet);
    if (ds.kind !== 'files' && ds.kind !== 'backup')
      throw config(
        `data set \`${service}/${dataSet}\` is of kind ${ds.kind}: rsync copies files and backups only`,
      );
    if (from === to)
      throw config(`\`${service}/${dataSet}\`: a copy from ${from} to itself changes nothing`);
    const pathOn = (node: string): string => this.copyPath(service, dataSet, node);
    const remote: RsyncConfig['remote'] = this.env.isLocalNode?.(to)
      ? { kind: 'local', path: pathOn(to) }
      : {
          kind: 'ssh',
          ...(this.env.rsyncRemote ? this.env.rsyncRemote(to) : this.sshLogin(to)),
          path: pathOn(to),
        };
    const local = this.env.rsyncLocal ? this.env.rsyncLocal(from) : {};
    return new RsyncDriver({
      dataSet,
      direction: 'push',
      localPath: pathOn(from),
      remote,
      ...(local.namespace ? { namespace: local.namespace } : {}),
    });
  }

  /** Where a node holds its copy of a `files` data set: `path` on the source, else `targetPath`. */
  private copyPath(service: string, dataSet: string, node: string): string {
    const ds = this.dataSet(service, dataSet);
    const p = node === ds.source ? ds.path : (ds.targetPath ?? ds.path);
    if (p === undefined)
      throw config(
        `data set \`${service}/${dataSet}\` needs \`path\` (and \`targetPath\` when the copies live elsewhere) for rsync`,
      );
    return perNode(p, node);
  }

  /**
   * When the copy of a mirrored data set on `node` was last known complete: the T0 of the last
   * sync that wrote its marker (read on the node itself, so it answers with the source gone), or
   * undefined when there is no readable marker of ours.
   */
  async mirrorSyncedThrough(
    service: string,
    dataSet: string,
    node: string,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const file = `${this.copyPath(service, dataSet, node)}/${MARKER}`;
    const r = await this.env.runnerFor(node).run(['cat', '--', file], { signal });
    return r.code === 0 ? markerSyncedThrough(r.stdout) : undefined;
  }

  /** A node's SSH login as the plan gives it (address, ssh.user/port/hostKey/identity). */
  private sshLogin(name: string): RsyncLogin {
    const node = this.node(name);
    const ssh = node.ssh;
    if (!ssh?.identity)
      throw config(
        `node \`${name}\` needs \`ssh\` with \`user\`, \`hostKey\` and \`identity\` for rsync to copy to it`,
      );
    return {
      node: name,
      host: node.address,
      ...(ssh.port !== undefined ? { port: ssh.port } : {}),
      user: ssh.user,
      ...(ssh.hostKey ? { hostKey: ssh.hostKey } : {}),
      identity: this.env.secret(ssh.identity),
    };
  }

  /**
   * The service's upgrade or redeploy playbook. `limit` (a derived step's, e.g. the idle colour)
   * narrows the plan's own. In a lab, a limit of one node runs ansible-playbook inside that
   * node's namespace (the lab's inventory connects locally).
   */
  playbook(
    service: string,
    which: 'redeploy' | 'upgrade',
    baseDir: string,
    limit?: string,
  ): AnsibleDriver {
    const run = this.service(service)[which];
    if (!run) throw config(`service \`${service}\` has no \`${which}\` playbook`);
    const resolve = (p: string) => (p.startsWith('/') ? p : `${baseDir.replace(/\/$/, '')}/${p}`);
    const only = limit ?? run.limit;
    const node = only !== undefined ? this.plan.nodes?.[only] : undefined;
    const namespace =
      node && this.env.namespaceOf ? this.env.namespaceOf(only as string) : undefined;
    return new AnsibleDriver({
      name: `${service}.${which}`,
      playbook: resolve(run.playbook),
      ...(run.inventory ? { inventory: resolve(run.inventory) } : {}),
      ...(only ? { limit: only } : {}),
      ...(run.extraVars ? { extraVars: run.extraVars } : {}),
      ...(namespace ? { namespace } : {}),
    });
  }
}

/** Per-node paths may name the node: `/var/lib/pg/{node}/data` (several nodes on one file system, as in the lab). */
function perNode(path: string, node: string): string {
  return path.replaceAll('{node}', node);
}

function required<T>(value: T | undefined, field: string, service: string): T {
  if (value === undefined)
    throw config(`\`${field}\` is required by the driver of service \`${service}\``);
  return value;
}
