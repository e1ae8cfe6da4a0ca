// What the ansible driver is given: a service's `redeploy` or `upgrade` block of the plan
// (playbook, inventory, limit, extraVars, duration), with paths resolved from the plan's folder,
// plus the SSH settings that pin the hosts' keys. Validated before anything runs.
import { LifeboatError } from '../../core/errors/index.js';
import { parseHostKey } from '../host-key.js';
import { safeAbsolutePath, safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import type { ExtraValue } from './extra-vars.js';

export interface PinnedHost {
  /** The address Ansible connects to (`ansible_host`, or the inventory name). */
  host: string;
  port?: number;
  /** `ssh-ed25519 AAAA...` from the node's `ssh.hostKey`. */
  hostKey: string;
}

export interface AnsibleConfig {
  /** What the run is for, for messages and the journal: `web.redeploy`. */
  name: string;
  /** Absolute path of the playbook. */
  playbook: string;
  /** Absolute path of the inventory file or directory. */
  inventory?: string;
  /** `--limit` pattern, as in the plan (letters, digits, `._:*!&,-`). */
  limit?: string;
  extraVars?: Record<string, ExtraValue>;
  /** SSH to the hosts: only these keys are accepted (a private known_hosts, strict checking). */
  knownHosts?: PinnedHost[];
  /** Private key for SSH (written 0600 for the run, then deleted). */
  identity?: Secret;
  /** Remote user (ANSIBLE_REMOTE_USER). */
  user?: string;
  /** Run ansible-playbook inside this network namespace (`ip netns exec`), e.g. a lab site's. */
  namespace?: string;
  /** The run stops (process group killed) after this long (default: 1 h). */
  timeoutMs?: number;
  /** Parallel hosts (--forks). */
  forks?: number;
  /** The ansible-playbook binary, absolute (default: on PATH). */
  ansiblePlaybook?: string;
}

const LIMIT = /^[A-Za-z0-9._:*!&,][A-Za-z0-9._:*!&,-]{0,999}$/;

function bad(what: string, why: string): never {
  throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} ${why}`);
}

export function validateAnsibleConfig(c: AnsibleConfig): void {
  safeName(c.name, 'the run name');
  safeAbsolutePath(c.playbook, 'playbook');
  if (c.inventory !== undefined) safeAbsolutePath(c.inventory, 'inventory');
  if (c.ansiblePlaybook !== undefined) safeAbsolutePath(c.ansiblePlaybook, 'ansiblePlaybook');
  if (c.limit !== undefined && !LIMIT.test(c.limit)) {
    bad(
      'limit',
      'must be an Ansible pattern of letters, digits and `._:*!&,-`, not starting with `-`',
    );
  }
  if (c.user !== undefined) safeName(c.user, 'remote user');
  if (c.namespace !== undefined) safeName(c.namespace, 'namespace');
  if (c.forks !== undefined && (!Number.isInteger(c.forks) || c.forks < 1 || c.forks > 500)) {
    bad('forks', 'must be 1-500');
  }
  for (const h of c.knownHosts ?? []) {
    safeHost(h.host, 'a pinned host');
    safePort(h.port ?? 22, 'a pinned host port');
    parseHostKey(h.hostKey, `the host key of ${h.host}`);
  }
}
