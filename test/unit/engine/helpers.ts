// Shared set-up of the engine's unit tests: the lab plan's app-db, a fresh SQLite store in a
// temporary directory, the fake world, and an Engine wired to them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { deriveRunbook, type PlannedRun, type RunParams } from '../../../src/core/runbook/index.js';
import { Engine, type EngineConfig, type EngineEvent } from '../../../src/engine/index.js';
import { openSqliteStore, type SqliteStateStore } from '../../../src/store/index.js';
import type { FakeWorld } from '../../support/fake-drivers.js';
import { appDbWorld, type FakeSite, fakeStepDrivers } from '../../support/fake-step-drivers.js';

const root = join(import.meta.dirname, '..', '..', '..');
export const LAB_PLAN = join(root, 'examples', 'lab', 'plan.yaml');
export const labPlan = loadPlanFile(LAB_PLAN).plan as Plan;

export function planned(
  kind: string,
  target: string,
  params: RunParams = {},
  plan = labPlan,
): PlannedRun {
  const d = deriveRunbook(plan, kind, target, params);
  if (!d.run) throw new Error(JSON.stringify(d.diagnostics));
  return d.run;
}

export interface Bench {
  dir: string;
  store: SqliteStateStore;
  world: FakeWorld;
  site: FakeSite;
  events: EngineEvent[];
  engine(actor: string, extra?: Partial<EngineConfig>): Engine;
  close(): Promise<void>;
}

export function bench(opts: { synchronous?: boolean } = {}): Bench {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-engine-'));
  const store = openSqliteStore(join(dir, 'state.db'));
  const { world, site } = appDbWorld();
  const drivers = fakeStepDrivers(world, site, opts);
  const events: EngineEvent[] = [];
  return {
    dir,
    store,
    world,
    site,
    events,
    engine: (actor, extra = {}) =>
      new Engine({
        store,
        drivers,
        actor,
        roles: { approver: ['carol', 'dave'] },
        pollMs: 20,
        retryBackoffMs: 10,
        siteGateMs: 200,
        leaseTtlMs: 2000,
        onEvent: (e) => events.push(e),
        ...extra,
      }),
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
