// The set-up the end-to-end tests share: the default lab (`lb`, which the lab plan names) up
// with some components, a client workload through HAProxy, a temporary directory for the state
// file; all of it torn down after the file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import {
  type Component,
  type Lab,
  openWorkload,
  type PgMode,
  type Workload,
  type WorkloadEngine,
} from '../../../src/lab/index.js';
import { freshLab } from '../helpers.js';

export interface WorkloadLab {
  readonly lab: Lab;
  readonly wl: Workload;
  /** A temporary directory for state files. */
  readonly dir: string;
}

/** Registers the file's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function workloadLab(opts: {
  components: Component[];
  pgMode?: PgMode;
  engine: WorkloadEngine;
  /** The forward's name (unique per test file). */
  name: string;
  /** More set-up once the lab is up. */
  setUp?: (lab: Lab) => Promise<void>;
}): WorkloadLab {
  const f = {} as { lab: Lab; wl: Workload; dir: string };
  beforeAll(async () => {
    f.dir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));
    f.lab = await freshLab('lb', { defaultDir: true });
    await f.lab.up(opts.components, opts.pgMode ? { pgMode: opts.pgMode } : {});
    f.wl = await openWorkload(f.lab, opts.engine, { name: opts.name });
    await opts.setUp?.(f.lab);
  }, 180_000);
  afterAll(async () => {
    await f.wl?.close();
    await f.lab?.down();
    if (f.dir) rmSync(f.dir, { recursive: true, force: true });
  }, 120_000);
  return f;
}
