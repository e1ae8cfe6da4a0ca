// The lab network: a `wan` namespace with a bridge, and one veth pair per site into it.
// Both ends of each pair are created inside namespaces, so deleting the namespaces removes
// every link: nothing of the lab is ever in the host's own namespace.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';
import { run } from './exec.js';
import {
  ADDRESSES,
  BRIDGE,
  PLACES,
  type Place,
  PREFIX_LENGTH,
  SITE_IFACE,
  SITES,
  VETHS,
} from './topology.js';

const NETNS_DIR = '/run/netns';

/** The `ip` commands that build the lab network, in order. Pure. */
export function netUpCommands(ns: Readonly<Record<Place, string>>): string[][] {
  const wan = ns.wan;
  const cmds: string[][] = [
    ['ip', 'netns', 'add', wan],
    ['ip', '-n', wan, 'link', 'set', 'lo', 'up'],
    // No STP and no forward delay: a port forwards the moment it is up.
    [
      'ip',
      '-n',
      wan,
      'link',
      'add',
      BRIDGE,
      'type',
      'bridge',
      'stp_state',
      '0',
      'forward_delay',
      '0',
    ],
    ['ip', '-n', wan, 'addr', 'add', `${ADDRESSES.wan}/${PREFIX_LENGTH}`, 'dev', BRIDGE],
    ['ip', '-n', wan, 'link', 'set', BRIDGE, 'up'],
  ];
  for (const site of SITES) {
    const s = ns[site];
    const v = VETHS[site];
    cmds.push(
      ['ip', 'netns', 'add', s],
      ['ip', '-n', s, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', wan, 'link', 'add', v, 'type', 'veth', 'peer', 'name', SITE_IFACE, 'netns', s],
      ['ip', '-n', wan, 'link', 'set', v, 'master', BRIDGE],
      ['ip', '-n', wan, 'link', 'set', v, 'up'],
      ['ip', '-n', s, 'addr', 'add', `${ADDRESSES[site]}/${PREFIX_LENGTH}`, 'dev', SITE_IFACE],
      ['ip', '-n', s, 'link', 'set', SITE_IFACE, 'up'],
    );
  }
  return cmds;
}

export function existingNamespaces(): Set<string> {
  try {
    return new Set(readdirSync(NETNS_DIR));
  } catch {
    return new Set();
  }
}

/** The inode of a namespace, which /proc/PID/ns/net of its members links to. */
export function namespaceInode(name: string): number | undefined {
  try {
    return statSync(`${NETNS_DIR}/${name}`).ino;
  } catch {
    return undefined;
  }
}

export type NetState = 'up' | 'down' | 'partial';

export async function netState(ns: Readonly<Record<Place, string>>): Promise<NetState> {
  const have = existingNamespaces();
  const count = PLACES.filter((p) => have.has(ns[p])).length;
  if (count === 0) return 'down';
  if (count < PLACES.length) return 'partial';
  // All four exist: check the wiring too (a crash between `netns add` and `link add`).
  const r = await run(['ip', '-n', ns.wan, '-o', 'link', 'show', 'master', BRIDGE], {
    timeoutMs: 5000,
  });
  const ports = SITES.filter((s) => new RegExp(`: ${VETHS[s]}@`).test(r.stdout));
  return ports.length === SITES.length ? 'up' : 'partial';
}

export async function netUp(ns: Readonly<Record<Place, string>>): Promise<void> {
  for (const argv of netUpCommands(ns)) {
    const r = await run(argv, { timeoutMs: 10_000 });
    if (r.code !== 0) {
      throw new LifeboatError(
        'LB_E_LAB_NET',
        `\`${argv.join(' ')}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    }
  }
}

/** Deletes whichever of the lab's namespaces exist; returns those it could not delete. */
export async function netDown(ns: Readonly<Record<Place, string>>): Promise<string[]> {
  const failed: string[] = [];
  for (const p of [...PLACES].reverse()) {
    const name = ns[p];
    if (!existsSync(`${NETNS_DIR}/${name}`)) continue;
    const r = await run(['ip', 'netns', 'delete', name], { timeoutMs: 10_000 });
    if (r.code !== 0 && existsSync(`${NETNS_DIR}/${name}`)) failed.push(name);
  }
  return failed;
}
