// What a component's `up` gets: where things go, how to start a server and how to run a
// command at a place. Components stay small flat sequences of steps over this.
import { chmodSync, mkdirSync } from 'node:fs';
import { type LaunchedDaemon, launchDaemon } from './daemon.js';
import {
  inNamespace,
  type RunOkOptions,
  type RunOptions,
  type RunResult,
  run,
  runOk,
} from './exec.js';
import type { LabPaths } from './paths.js';
import type { PatroniSettings } from './patroni.js';
import { liveState, readPidFile } from './processes.js';
import { chownTo } from './secrets.js';
import type { Component, Place, ServerSpec } from './topology.js';

export type PgMode = 'sync' | 'async';

export interface LabOptions {
  pgMode: PgMode;
  /** Patroni's timing settings, for the `patroni` component (default: Patroni's own defaults). */
  patroni?: PatroniSettings;
}

export interface LabContext {
  readonly name: string;
  readonly ns: Readonly<Record<Place, string>>;
  readonly paths: LabPaths;
  readonly options: LabOptions;
  /** True (and noted as "already up") when the server's recorded process is alive. */
  isRunning(server: ServerSpec): boolean;
  /** Starts a server detached; `user` overrides its user for daemons that drop privileges themselves. */
  launch(
    server: ServerSpec,
    argv: readonly string[],
    opts?: { env?: NodeJS.ProcessEnv; cwd?: string; user?: string },
  ): LaunchedDaemon;
  /** Runs a command inside a place's namespace. */
  exec(place: Place, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  execOk(
    what: string,
    place: Place,
    argv: readonly string[],
    opts?: RunOkOptions,
  ): Promise<RunResult>;
  /** Creates a directory (and parents) owned by `user`, with `mode`. */
  mkdirFor(path: string, user: string, mode?: number): Promise<void>;
  progress(line: string): void;
}

export interface LabComponent {
  readonly name: Component;
  /** Starts whatever of the component is not running. Idempotent: safe to run again. */
  up(ctx: LabContext): Promise<void>;
}

export interface ComponentReport {
  component: Component;
  started: string[];
  alreadyUp: string[];
  ms: number;
}

export function createContext(
  base: { name: string; ns: Readonly<Record<Place, string>>; paths: LabPaths; options: LabOptions },
  report: ComponentReport,
  progress: (line: string) => void,
): LabContext {
  const { ns, paths } = base;
  return {
    ...base,
    isRunning(server) {
      const alive = liveState(readPidFile(paths.pidFile(server.name))) !== 'down';
      if (alive && !report.alreadyUp.includes(server.name)) report.alreadyUp.push(server.name);
      return alive;
    },
    launch(server, argv, opts = {}) {
      report.started.push(server.name);
      return launchDaemon({
        name: server.name,
        namespace: ns[server.place],
        user: opts.user ?? server.user,
        group: opts.user ?? server.group,
        argv,
        env: opts.env,
        cwd: opts.cwd,
        logFile: paths.log(server.name),
        pidFile: paths.pidFile(server.name),
      });
    },
    exec: (place, argv, opts) => run(inNamespace(ns[place], argv), opts),
    execOk: (what, place, argv, opts) => runOk(what, inNamespace(ns[place], argv), opts),
    async mkdirFor(path, user, mode = 0o755) {
      mkdirSync(path, { recursive: true, mode });
      chmodSync(path, mode); // mkdir's mode passes through the umask
      await chownTo(path, user);
    },
    progress,
  };
}
