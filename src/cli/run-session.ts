// What every command acting on runs sets up: the plan (its hash binds runs and approvals), the
// state store, how to reach the nodes (SSH, or a lab's namespaces), the drivers and the engine.
import { dirname, resolve } from 'node:path';
import { LifeboatError } from '../core/errors/index.js';
import type { LoadedPlan, Plan } from '../core/plan/index.js';
import { planHash } from '../core/runbook/index.js';
import { Engine, type EngineListener } from '../engine/index.js';
import { defaultStatePath, openSqliteStore, type SqliteStateStore } from '../store/index.js';
import { DriverFactory } from './compose/driver-factory.js';
import {
  actorName,
  enterLabNetwork,
  labEnvironment,
  sshEnvironment,
} from './compose/environment.js';
import { type ComposedDrivers, composeStepDrivers } from './compose/step-drivers.js';
import { displayPath, loadPlanFile } from './plan-files.js';

export interface SessionOptions {
  plan: string;
  state?: string;
  lab?: string;
  wait?: boolean;
}

export interface Session {
  loaded: LoadedPlan;
  plan: Plan;
  planHash: string;
  store: SqliteStateStore;
  drivers: ComposedDrivers;
  engine: Engine;
  actor: string;
  close(): Promise<void>;
}

/** Loads the plan or throws LB_E_PLAN_INVALID with every diagnostic located. */
export function loadValidPlan(file: string): { loaded: LoadedPlan; plan: Plan } {
  const loaded = loadPlanFile(resolve(file));
  if (!loaded.plan) {
    const lines = loaded.diagnostics
      .filter((d) => d.severity === 'error')
      .map(
        (d) =>
          `${d.file ? `${displayPath(d.file)}:${d.line ?? 0}:${d.col ?? 0} ` : ''}${d.code} ${d.message}`,
      );
    throw new LifeboatError(
      'LB_E_CLI_USAGE',
      `the plan ${displayPath(resolve(file))} is invalid:\n${lines.join('\n')}`,
    );
  }
  return { loaded, plan: loaded.plan };
}

export function openSession(opts: SessionOptions, onEvent?: EngineListener): Session {
  if (opts.lab !== undefined) enterLabNetwork(opts.lab);
  const { loaded, plan } = loadValidPlan(opts.plan);
  const env = opts.lab !== undefined ? labEnvironment(opts.lab) : sshEnvironment(plan);
  const factory = new DriverFactory(plan, env);
  const drivers = composeStepDrivers(
    plan,
    factory,
    env,
    dirname(resolve(opts.plan)),
    opts.lab !== undefined ? (n) => `${opts.lab}-${n}` : undefined,
  );
  const store = openSqliteStore(opts.state ?? defaultStatePath());
  const actor = actorName();
  const roles = Object.fromEntries(
    Object.entries(plan.roles ?? {}).map(([name, r]) => [name, r.members ?? []]),
  );
  const engine = new Engine({
    store,
    drivers,
    actor,
    roles,
    waitForApprovals: opts.wait !== false,
    ...(onEvent ? { onEvent } : {}),
  });
  return {
    loaded,
    plan,
    planHash: planHash(plan),
    store,
    drivers,
    engine,
    actor,
    async close() {
      await drivers.close();
      await store.close();
    },
  };
}
