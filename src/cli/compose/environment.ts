// How Lifeboat reaches the plan's nodes: over SSH in production (the node's `address` and `ssh`
// settings, host key pinned), or, with `--lab NAME`, through the lab's network namespaces
// (`ip netns exec <lab>-<node>`), the CLI itself running in the lab's `<lab>-wan` namespace
// where the plan's 10.77.0.x addresses are reachable.
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { LifeboatError } from '../../core/errors/index.js';
import type { Plan } from '../../core/plan/index.js';
import { SshRunner } from '../../drivers/command/index.js';
import { LocalNodeRunner, type NodeRunner } from '../../drivers/node-runner.js';
import { resolveSecret } from '../../drivers/secrets.js';
import { LAB_NAME_RE } from '../../lab/index.js';
import type { DriverEnvironment } from './driver-factory.js';

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
        r = new LocalNodeRunner({ namespace: namespace(node) });
        runners.set(node, r);
      }
      return r;
    },
    localRunner: () => new LocalNodeRunner(),
    secret: (ref) => resolveSecret(ref),
  };
}

export function sshEnvironment(plan: Plan): DriverEnvironment {
  const runners = new Map<string, NodeRunner>();
  return {
    runnerFor(name) {
      let r = runners.get(name);
      if (r) return r;
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
  };
}

const IN_LAB = 'LIFEBOAT_IN_LAB_NETNS';

/**
 * With `--lab NAME`, runs this same command again inside the lab's `<NAME>-wan` namespace (once)
 * and exits with its status; returns when already there.
 */
export function enterLabNetwork(lab: string): void {
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
      `${lab}-wan`,
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
