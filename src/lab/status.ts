// What runs, read from the pid files and /proc (and the partitions, from nftables): cheap
// enough to call between every step of a test.
import { LifeboatError } from '../core/errors/index.js';
import { type NetState, netState } from './netns.js';
import { partitionedSites } from './partition.js';
import type { LabPaths } from './paths.js';
import { type LiveState, liveState, readPidFile } from './processes.js';
import {
  ADDRESSES,
  COMPONENTS,
  type Component,
  type Place,
  SERVERS,
  type Site,
} from './topology.js';

export interface ServerStatus {
  name: string;
  place: Place;
  namespace: string;
  user: string;
  state: LiveState;
  pid: number | undefined;
  listen: string[];
  log: string;
}

export interface ComponentStatus {
  component: Component;
  /** up: every server runs; down: none; degraded: some are down or paused. */
  state: 'up' | 'down' | 'degraded';
  servers: ServerStatus[];
}

export interface LabStatus {
  name: string;
  dir: string;
  network: NetState;
  partitions: Site[];
  components: ComponentStatus[];
}

/** The lab changes the host's network and runs servers as other users: it needs root. */
export function assertRoot(uid: number | undefined = process.getuid?.()): void {
  if (uid !== 0) {
    throw new LifeboatError(
      'LB_E_LAB_NOT_ROOT',
      `the lab needs root; running as uid ${uid ?? 'unknown'}`,
    );
  }
}

export function componentState(servers: readonly { state: LiveState }[]): ComponentStatus['state'] {
  if (servers.every((s) => s.state === 'running')) return 'up';
  if (servers.every((s) => s.state === 'down')) return 'down';
  return 'degraded';
}

export async function labStatus(
  name: string,
  dir: string,
  ns: Readonly<Record<Place, string>>,
  paths: LabPaths,
): Promise<LabStatus> {
  const network = await netState(ns);
  const components = COMPONENTS.map((component): ComponentStatus => {
    const servers = SERVERS.filter((s) => s.component === component).map((s): ServerStatus => {
      const rec = readPidFile(paths.pidFile(s.name));
      const state = network === 'down' ? 'down' : liveState(rec);
      return {
        name: s.name,
        place: s.place,
        namespace: ns[s.place],
        user: s.user,
        state,
        pid: state === 'down' ? undefined : rec?.pid,
        listen: s.ports.map((p) => `${ADDRESSES[s.place]}:${p}`),
        log: paths.log(s.name),
      };
    });
    return { component, state: componentState(servers), servers };
  });
  const partitions = network === 'up' ? await partitionedSites(ns.wan) : [];
  return { name, dir, network, partitions, components };
}
