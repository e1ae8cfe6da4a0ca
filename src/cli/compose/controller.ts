// The controller's composition root: the plan read from its file (and its includes), the
// concrete drivers built from each plan applied (SSH, or a lab's namespaces with `--lab`), the
// SQLite state store, the real clock, and the plan files watched for changes. `lifeboat serve`
// (src/cli/commands) calls `createController`, then `start()`; SIGHUP → `controller.reload()`;
// `stop()` on exit clears every timer, the file watchers, closes the drivers and the store.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  Controller,
  type ControllerOptions,
  LeaseBook,
  type Notifier,
} from '../../controller/index.js';
import { LifeboatError } from '../../core/errors/index.js';
import { fenceLeaseTerms, type LoadedPlan, type Plan, type Probe } from '../../core/plan/index.js';
import type { Probing } from '../../drivers/driver.js';
import { CommandProbe } from '../../drivers/probes/index.js';
import { defaultStatePath, openSqliteStore, type SqliteStateStore } from '../../store/index.js';
import { loadPlanFile } from '../plan-files.js';
import { type DriverEnvironment, DriverFactory } from './driver-factory.js';
import { enterLabNetwork, labEnvironment, sshEnvironment } from './environment.js';
import { createNotifier } from './notify.js';
import { type ComposedDrivers, composeStepDrivers } from './step-drivers.js';

export interface CreateControllerOptions {
  /** The plan file. */
  plan: string;
  /** The SQLite state file; default ~/.local/state/lifeboat/state.db. */
  state?: string;
  /** Reach the nodes through this lab's namespaces; re-runs the process inside `<lab>-wan`. */
  lab?: string;
  /** Who the controller is in journals and audit. Default `lifeboat-controller`. */
  actor?: string;
  /** Reload when a plan file changes (default true). SIGHUP is the caller's: call `reload()`. */
  watch?: boolean;
  /** Where background problems are told (a reload refused, a probe that cannot be built). */
  log?: (line: string) => void;
  /**
   * Changes each plan loaded, in memory, before the controller sees it (`lifeboat demo --auto`
   * sets a service's `onOutage`). The files stay as they are.
   */
  adjust?: (loaded: LoadedPlan) => LoadedPlan;
  /** Tuning and test hooks passed to the Controller (clock, bounds, intervals, approval role). */
  tuning?: Omit<ControllerOptions, 'file' | 'load' | 'drivers' | 'store' | 'actor' | 'log'>;
}

export interface ComposedController {
  controller: Controller;
  store: SqliteStateStore;
  /** Sends the plan's `notifications.webhooks` (none: it sends nothing); its `stats()` for metrics. */
  notifier: Notifier;
  /** The fence leases the nodes' agents renew (the API's /leases), given to every run's engine. */
  leases: LeaseBook;
  /** Starts probes, RPO reads, the run watch and the file watch. */
  start(): Promise<void>;
  /** Same as `controller.reload()` (SIGHUP). */
  reload(): ReturnType<Controller['reload']>;
  /** Stops everything and closes the store; safe to call twice. */
  stop(): Promise<void>;
}

const RELOAD_DEBOUNCE_MS = 250;

/** The first node of a site (or of the witness role's site), for probes run from there. */
function nodeAt(plan: Plan, from: string): string | undefined {
  const site =
    from === 'witness'
      ? Object.entries(plan.sites ?? {}).find(([, s]) => s.role === 'witness')?.[0]
      : from;
  return Object.entries(plan.nodes ?? {}).find(([, n]) => n.site === site)?.[0];
}

/**
 * A probe with `from: witness` (or a site) runs on a node of that site: its argv for a command
 * probe; a TCP connect or an HTTP GET through bash and curl there, every value passed as a
 * positional argument (never in the script). SQL probes cannot run from elsewhere yet.
 */
function remoteProbe(plan: Plan, env: DriverEnvironment, p: Probe): Probing | string {
  const from = p.from ?? 'controller';
  const node = nodeAt(plan, from);
  if (!node) return `no node at \`${from}\` to run probe \`${p.name}\` from`;
  const runner = env.runnerFor(node);
  const secs = String(Math.max(1, Math.ceil(p.timeout / 1000)));
  let argv: string[];
  switch (p.kind) {
    case 'command':
      argv = p.argv;
      break;
    case 'tcp':
      argv = ['bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', p.host, String(p.port)];
      break;
    case 'http':
      argv = [
        'bash',
        '-c',
        '[ "$(curl -s -o /dev/null -w "%{http_code}" --max-time "$2" -- "$0")" = "$1" ]',
        p.url,
        String(p.expectStatus),
        secs,
      ];
      break;
    case 'sql':
      return `probe \`${p.name}\`: a SQL probe cannot run from \`${from}\` in this version (use a tcp probe of the database port)`;
  }
  return new CommandProbe({ name: p.name, argv, runner, timeoutMs: p.timeout });
}

/** An observer's probe that cannot be built: it tells nothing (an observer's error confirms no outage). */
function cannotRun(name: string, why: string): Probing {
  const fail = async (): Promise<never> => {
    throw new LifeboatError('LB_E_DRIVER_CONFIG', why);
  };
  return { kind: 'probe', target: name, observe: fail, probe: fail };
}

function driversFor(
  plan: Plan,
  file: string,
  lab: string | undefined,
  log: (line: string) => void,
): ComposedDrivers {
  const env = lab !== undefined ? labEnvironment(lab) : sshEnvironment(plan);
  const factory = new DriverFactory(plan, env);
  const base = composeStepDrivers(
    plan,
    factory,
    env,
    dirname(file),
    lab !== undefined ? (n) => `${lab}-${n}` : undefined,
  );
  const remote = new Map<string, Probing>();
  return {
    ...base,
    probe(service, name, site) {
      const p = plan.services?.[service]?.health?.find((h) => h.name === name);
      if (!p || p.from === undefined || p.from === 'controller')
        return base.probe(service, name, site);
      const key = `${service}/${name}`;
      let probe = remote.get(key);
      if (!probe) {
        const made = remoteProbe(plan, env, p);
        if (typeof made === 'string') {
          log(made);
          probe = cannotRun(name, made);
        } else probe = made;
        remote.set(key, probe);
      }
      return probe;
    },
    async close() {
      for (const p of remote.values()) await p.close?.().catch(() => undefined);
      await base.close();
    },
  };
}

/** Builds the controller for a plan file; throws LB_E_CONTROLLER_PLAN_INVALID for an invalid plan. */
export function createController(options: CreateControllerOptions): ComposedController {
  if (options.lab !== undefined) enterLabNetwork(options.lab);
  const file = resolve(options.plan);
  const log = options.log ?? ((line: string) => process.stderr.write(`lifeboat: ${line}\n`));
  let files = new Set<string>([file]);
  const load = (): LoadedPlan => {
    const loaded = loadPlanFile(file);
    if (loaded.files.length > 0) files = new Set(loaded.files.map((f) => resolve(f)));
    return options.adjust && loaded.plan ? options.adjust(loaded) : loaded;
  };
  const store = openSqliteStore(options.state ?? defaultStatePath());
  let controller: Controller;
  // Read from the plan running now (asked only once the controller exists): a reload changes a
  // data set's terms at once.
  const leases = new LeaseBook((service, dataSet) => {
    const ds = controller.plan().services?.[service]?.data?.find((d) => d.name === dataSet);
    return ds ? fenceLeaseTerms(ds) : undefined;
  });
  try {
    controller = new Controller({
      ...options.tuning,
      file,
      load,
      drivers: (plan) => ({ ...driversFor(plan, file, options.lab, log), leases }),
      store,
      ...(options.actor !== undefined ? { actor: options.actor } : {}),
      log,
    });
  } catch (e) {
    void store.close();
    throw e;
  }
  const notifier = createNotifier(controller, { log });
  const watchers = new Map<string, FSWatcher>();
  let debounce: NodeJS.Timeout | undefined;
  let stopped = false;
  const reload = () => {
    const status = controller.reload();
    watchFiles();
    return status;
  };
  const changed = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      if (!stopped) reload();
    }, RELOAD_DEBOUNCE_MS);
  };
  // Directories, not files: an editor that saves by renaming a new file over the old one would
  // leave a file watcher on the deleted inode.
  const watchFiles = () => {
    if (options.watch === false || stopped) return;
    const dirs = new Set([...files].map((f) => dirname(f)));
    for (const [dir, w] of watchers)
      if (!dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || [...files].some((f) => dirname(f) === dir && basename(f) === name))
            changed();
        });
        w.on('error', (e) => log(`watching ${dir}: ${e.message}`));
        watchers.set(dir, w);
      } catch (e) {
        log(`cannot watch ${dir} for plan changes: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };
  return {
    controller,
    store,
    notifier,
    leases,
    async start() {
      notifier.start();
      await controller.start();
      watchFiles();
    },
    reload,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (debounce) clearTimeout(debounce);
      for (const w of watchers.values()) w.close();
      watchers.clear();
      await controller.stop();
      await notifier.stop();
      await store.close();
    },
  };
}
