// lab.json (what driver tests read to find their targets) and the lab's lock file.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { LifeboatError } from '../core/errors/index.js';
import type { LabOptions } from './context.js';
import type { LabEndpoints } from './endpoints.js';
import { formatPidFile, liveState, parsePidFile, recordOf } from './processes.js';
import type { Component, Place } from './topology.js';

export interface ServerEntry {
  component: Component;
  place: Place;
  namespace: string;
  user: string;
  /** "PID STARTTIME": check the start time before trusting the PID. */
  pidFile: string;
  log: string;
  listen: string[];
}

/** The shape of lab.json. Paths to credential files only: never a secret. */
export interface LabState {
  version: 1;
  name: string;
  dir: string;
  updatedAt: string;
  subnet: string;
  vip: string;
  namespaces: Record<Place, string>;
  addresses: Record<Place, string>;
  options: LabOptions;
  /** Components `up` was asked for, over the lab's life (what is running: `status`). */
  components: Component[];
  servers: Record<string, ServerEntry>;
  endpoints: LabEndpoints;
}

export function readState(path: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as LabState;
    return s.version === 1 ? s : undefined;
  } catch (e) {
    throw new LifeboatError('LB_E_LAB_STATE', `${path} is not valid JSON`, { cause: e });
  }
}

export function writeState(path: string, state: LabState): void {
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
    renameSync(`${path}.tmp`, path); // readers never see half a file
  } catch (e) {
    throw new LifeboatError('LB_E_LAB_STATE', `cannot write ${path}`, { cause: e });
  }
}

/**
 * Takes the lab's lock: a file holding our PID and start time. A lock whose holder is gone
 * (a crashed `up`) is taken over; one whose holder runs is an error, not a wait.
 */
export function acquireLock(path: string): () => void {
  const me = recordOf(process.pid);
  if (!me) throw new LifeboatError('LB_E_LAB_STATE', 'cannot read our own /proc entry');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeFileSync(fd, formatPidFile(me));
      closeSync(fd);
      return () => {
        try {
          const holder = parsePidFile(readFileSync(path, 'utf8'));
          if (holder?.pid === me.pid && holder.startTime === me.startTime) unlinkSync(path);
        } catch {
          // gone already (down removes the whole directory)
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LifeboatError('LB_E_LAB_STATE', `cannot create lock ${path}`, { cause: e });
      }
    }
    let holder: ReturnType<typeof parsePidFile>;
    try {
      holder = parsePidFile(readFileSync(path, 'utf8'));
    } catch {
      continue; // released between our attempts
    }
    if (holder && holder.pid !== me.pid && liveState(holder) !== 'down') {
      throw new LifeboatError(
        'LB_E_LAB_LOCKED',
        `another lab command (PID ${holder.pid}) holds ${path}`,
      );
    }
    try {
      unlinkSync(path); // stale: its holder is gone
    } catch {
      // someone else removed it first; try again
    }
  }
  throw new LifeboatError('LB_E_LAB_LOCKED', `could not take ${path} after 3 attempts`);
}
