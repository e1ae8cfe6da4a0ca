// How Lifeboat reaches the plan's nodes: over SSH in production (the node's `address` and `ssh`
// settings, host key pinned), or, with `--lab NAME`, through the lab's network namespaces
// (`ip netns exec <lab>-<node>`), the CLI itself running in the lab's `<lab>-wan` namespace
// where the plan's 10.77.0.x addresses are reachable.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';
import { LifeboatError } from '../../core/errors/index.js';
import type { Plan } from '../../core/plan/index.js';
import { SshRunner } from '../../drivers/command/index.js';
import { LocalNodeRunner, type NodeRunner } from '../../drivers/node-runner.js';
import { resolveSecret } from '../../drivers/secrets.js';
import { DEFAULT_LAB_ROOT, LAB_NAME_RE, labEndpoints, labPaths } from '../../lab/index.js';
import type { DriverEnvironment, RsyncLogin } from './driver-factory.js';
import { labHasNoOutOfBand, PartitionAwareRunner } from './lab-reach.js';

function config(message: string): LifeboatError {
  return new LifeboatError('LB_E_DRIVER_CONFIG', message);
}

/**
 * The lab's sshd (site b) as the far end of an rsync copy: its pinned host key from the
 * known_hosts file `lab up` wrote, the lab's client key (test/lab/drivers/ssh-lab.ts does the same).
 */
export function labRsyncLogin(lab: string, node: string, namespace: string): RsyncLogin {
  const ssh = labEndpoints(lab, labPaths(join(DEFAULT_LAB_ROOT, lab))).ssh;
  if (ssh.namespace !== namespace)
    throw config(
      `the lab runs sshd only at ${ssh.host} (${ssh.namespace}): rsync in the lab can copy to that node, not to \`${node}\``,
    );
  let known: string;
  try {
    known = readFileSync(ssh.knownHostsFile, 'utf8');
  } catch {
    throw config(
      `${ssh.knownHostsFile} cannot be read: is the lab's sshd up? (\`lifeboat lab up\`)`,
    );
  }
  const hostKey = known.trim().split(/\s+/).slice(1, 3).join(' ');
  return {
    node,
    host: ssh.host,
    port: ssh.port,
    user: ssh.user,
    hostKey,
    identity: resolveSecret(`file:${ssh.identityFile}`),
  };
}

/** This machine answers to `address` (one of its interface addresses, or its host name). */
export function isThisMachine(address: string): boolean {
  const a = address.toLowerCase();
  const name = hostname().toLowerCase();
  if (a === name || a.split('.')[0] === name || a === 'localhost') return true;
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((i) => i.address.toLowerCase() === a),
  );
}

export function labEnvironment(
  lab: string,
): DriverEnvironment & { namespace(node: string): string } {
  const runners = new Map<string, NodeRunner>();
  const namespace = (node: string) => `${lab}-${node}`;
  return {
    namespace,
    namespaceOf: namespace,
    runnerFor(node) {
      let r = runners.get(node);
      if (!r) {
        const inNs = new LocalNodeRunner({ namespace: namespace(node) });
        r = labHasNoOutOfBand() ? new PartitionAwareRunner(inNs, lab, node) : inNs;
        runners.set(node, r);
      }
      return r;
    },
    localRunner: () => new LocalNodeRunner(),
    secret: (ref) => resolveSecret(ref),
    rsyncLocal: (node) => ({ namespace: namespace(node) }),
    rsyncRemote: (node) => labRsyncLogin(lab, node, namespace(node)),
  };
}

/** A loopback address (or `localhost`): this machine, whatever its interfaces. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return a === 'localhost' || a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function sshEnvironment(plan: Plan): DriverEnvironment {
  const runners = new Map<string, NodeRunner>();
  // A node on a loopback address without `ssh` is this machine: commands run here, rsync copies
  // to it as a local directory (a node with `ssh` on loopback is a tunnel: SSH as usual).
  const isLocalNode = (name: string): boolean => {
    const node = plan.nodes?.[name];
    return node?.address !== undefined && node.ssh === undefined && isLoopback(node.address);
  };
  return {
    isLocalNode,
    runnerFor(name) {
      let r = runners.get(name);
      if (r) return r;
      if (isLocalNode(name)) {
        r = new LocalNodeRunner();
        runners.set(name, r);
        return r;
      }
      const node = plan.nodes?.[name];
      if (!node?.address || !node.ssh)
        throw new LifeboatError(
          'LB_E_DRIVER_CONFIG',
          `node \`${name}\` needs \`address\` and \`ssh\` (user, hostKey, identity) for Lifeboat to run commands on it`,
        );
      if (!node.ssh.identity)
        throw new LifeboatError('LB_E_DRIVER_CONFIG', `node \`${name}\` needs \`ssh.identity\``);
      r = new SshRunner({
        node: name,
        host: node.address,
        port: node.ssh.port,
        user: node.ssh.user,
        ...(node.ssh.hostKey ? { hostKey: node.ssh.hostKey } : {}),
        identity: resolveSecret(node.ssh.identity),
      });
      runners.set(name, r);
      return r;
    },
    localRunner: () => new LocalNodeRunner(),
    secret: (ref) => resolveSecret(ref),
    // rsync runs here, reading the source directory locally: only right when this machine is
    // the node the copy starts from. Anywhere else it would push this machine's directory (an
    // empty one would empty the mirror), so the step is refused instead.
    rsyncLocal(name) {
      const address = plan.nodes?.[name]?.address;
      if (address === undefined || !isThisMachine(address))
        throw config(
          `rsync copies from the machine Lifeboat runs on: run this step on \`${name}\`${address ? ` (${address})` : ''}, or copy by hand`,
        );
      return {};
    },
  };
}

const IN_LAB = 'LIFEBOAT_IN_LAB_NETNS';

/**
 * With `--lab NAME`, runs this same command again inside the lab's `<NAME>-<place>` namespace
 * (once) and exits with its status; returns when already there. `wan` (the default) is where
 * clients and the controller live; a node's name (a, b) is where its agent runs.
 */
export function enterLabNetwork(lab: string, place = 'wan'): void {
  if (process.env[IN_LAB] === lab) return;
  if (!LAB_NAME_RE.test(lab))
    throw new LifeboatError(
      'LB_E_CLI_USAGE',
      `--lab ${JSON.stringify(lab)}: a lab name is a lowercase letter then up to 9 lowercase letters or digits`,
    );
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      `${lab}-${place}`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, [IN_LAB]: lab } },
  );
  process.exit(r.status ?? 1);
}

/** Who is acting, for the journal, approvals and the audit log. */
export function actorName(): string {
  const fromEnv = process.env.LIFEBOAT_USER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
