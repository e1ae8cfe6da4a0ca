// The lab as an object: what `lifeboat lab ...` and the lab tests drive.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeboatError } from '../core/errors/index.js';
import { LAB_COMPONENTS } from './components.js';
import { type ComponentReport, createContext, type LabOptions, type PgMode } from './context.js';
import { type LabEndpoints, labEndpoints } from './endpoints.js';
import { inNamespace, type RunOptions, type RunResult, run } from './exec.js';
import { type Forward, openForward } from './forward.js';
import { netDown, netState, netUp } from './netns.js';
import {
  applyNft,
  type LinkScope,
  parseDirection,
  partitionedSites,
  renderHeal,
  renderPartition,
} from './partition.js';
import {
  DEFAULT_LAB_NAME,
  isLabDir,
  type LabPaths,
  labPaths,
  resolveLabDir,
  validateLabName,
} from './paths.js';
import type { PatroniSettings } from './patroni.js';
import { liveState, readPidFile, signalRecorded } from './processes.js';
import { acquireLock, type LabState, readState, writeState } from './state.js';
import { assertRoot, type LabStatus, labStatus } from './status.js';
import { type DownReport, teardown } from './teardown.js';
import {
  ADDRESSES,
  COMPONENTS,
  type Component,
  DEFAULT_COMPONENTS,
  findServer,
  namespacesOf,
  type Place,
  parseComponents,
  SERVERS,
  type Site,
  SUBNET,
  VIP,
} from './topology.js';

export interface LabOpenOptions {
  /** Prefix of the namespaces (`<name>-wan`...); default `lb`. */
  name?: string;
  /** Default /tmp/lifeboat-lab/<name>. */
  dir?: string;
  /** Where progress lines go (stderr in the CLI); default nowhere. */
  progress?: (line: string) => void;
  /** For tests of the refusal: the effective uid to check (default: ours). */
  uid?: number;
}

export interface UpReport {
  network: { created: boolean; ms: number };
  components: ComponentReport[];
  ms: number;
}

export class Lab {
  readonly name: string;
  readonly dir: string;
  readonly paths: LabPaths;
  readonly namespaces: Readonly<Record<Place, string>>;
  private readonly progress: (line: string) => void;

  private constructor(name: string, dir: string, progress: (line: string) => void) {
    this.name = name;
    this.dir = dir;
    this.paths = labPaths(dir);
    this.namespaces = namespacesOf(name);
    this.progress = progress;
  }

  /** Names a lab (nothing is started). Throws LB_E_LAB_NOT_ROOT without root. */
  static open(opts: LabOpenOptions = {}): Lab {
    assertRoot(opts.uid);
    const name = validateLabName(opts.name ?? DEFAULT_LAB_NAME);
    return new Lab(name, resolveLabDir(name, opts.dir), opts.progress ?? (() => {}));
  }

  /**
   * Starts the components (and what they require) that are not running: all by default, the
   * network alone for []. Idempotent: what runs is reported as already up, not restarted.
   */
  async up(
    components: readonly Component[] = DEFAULT_COMPONENTS,
    opts: { pgMode?: PgMode; patroni?: PatroniSettings } = {},
  ): Promise<UpReport> {
    const t0 = performance.now();
    this.prepareDir();
    const unlock = acquireLock(this.paths.lock);
    const previous = readState(this.paths.state);
    const patroni = opts.patroni ?? previous?.options.patroni;
    const options: LabOptions = {
      pgMode: opts.pgMode ?? previous?.options.pgMode ?? 'async',
      ...(patroni ? { patroni } : {}),
    };
    // [] means the network alone; names are checked again for untyped callers.
    const wanted = components.length === 0 ? [] : parseComponents(components);
    const report: UpReport = { network: { created: false, ms: 0 }, components: [], ms: 0 };
    try {
      report.network = await this.ensureNetwork();
      for (const component of wanted) {
        const r: ComponentReport = { component, started: [], alreadyUp: [], ms: 0 };
        report.components.push(r);
        const c0 = performance.now();
        const ctx = createContext(
          { name: this.name, ns: this.namespaces, paths: this.paths, options },
          r,
          this.progress,
        );
        await LAB_COMPONENTS[component].up(ctx);
        r.ms = Math.round(performance.now() - c0);
        this.progress(
          r.started.length > 0
            ? `${component}: started ${r.started.join(', ')} in ${r.ms} ms`
            : `${component}: already up`,
        );
      }
    } finally {
      const asked = new Set([...(previous?.components ?? []), ...wanted]);
      writeState(
        this.paths.state,
        this.stateFile(
          options,
          COMPONENTS.filter((c) => asked.has(c)),
        ),
      );
      unlock();
    }
    report.ms = Math.round(performance.now() - t0);
    return report;
  }

  /** Stops everything of this lab and removes its namespaces and directory. */
  async down(): Promise<DownReport> {
    if (isLabDir(this.dir) === 'foreign') throw foreignDir(this.dir);
    const unlock = existsSync(this.dir) ? acquireLock(this.paths.lock) : () => {};
    try {
      return await teardown(this.namespaces, this.paths);
    } finally {
      unlock();
    }
  }

  async status(): Promise<LabStatus> {
    return labStatus(this.name, this.dir, this.namespaces, this.paths);
  }

  /** Cuts a site off (or only one direction, or only database replication between a and b). */
  async partition(
    site: Site,
    opts: { oneWay?: 'in' | 'out'; link?: LinkScope } = {},
  ): Promise<{ ms: number }> {
    await this.requireNetwork();
    const script = renderPartition({
      site,
      direction: parseDirection(opts.oneWay),
      link: opts.link ?? 'all',
    });
    return { ms: await applyNft(this.namespaces.wan, script, `partition ${site}`) };
  }

  async heal(site: Site): Promise<{ ms: number }> {
    await this.requireNetwork();
    return { ms: await applyNft(this.namespaces.wan, renderHeal(site), `heal ${site}`) };
  }

  async partitions(): Promise<Site[]> {
    return partitionedSites(this.namespaces.wan);
  }

  /** SIGKILL of the server's process group (start time verified); returns once it is gone. */
  async kill(server: string): Promise<void> {
    await this.signal(server, 'SIGKILL');
    const rec = readPidFile(this.paths.pidFile(server));
    for (let i = 0; i < 100 && rec && liveState(rec) !== 'down'; i++) await sleep(20);
  }

  /** SIGSTOP: the server freezes, its sockets stay open (a hung node, not a dead one). */
  async pause(server: string): Promise<void> {
    await this.signal(server, 'SIGSTOP');
  }

  async resume(server: string): Promise<void> {
    await this.signal(server, 'SIGCONT');
  }

  /** Runs a command inside a place's namespace (argv, never a shell string). */
  exec(place: Place, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return run(inNamespace(this.namespaces[place], argv), opts);
  }

  /**
   * A Unix socket under the lab directory relaying to host:port as seen from `place` (default
   * wan): how a client in the host's namespace (a driver under test) reaches a lab server.
   * `pg: true` makes the path a libpq socket directory.
   */
  forward(
    name: string,
    target: { host: string; port: number; pg?: boolean },
    place: Place = 'wan',
  ): Promise<Forward> {
    return openForward(this.namespaces[place], this.dir, name, target);
  }

  endpoints(): LabEndpoints {
    return labEndpoints(this.name, this.paths);
  }

  /** lab.json as last written, or undefined before the first `up`. */
  state(): LabState | undefined {
    return readState(this.paths.state);
  }

  private async signal(server: string, signal: NodeJS.Signals): Promise<void> {
    const spec = findServer(server);
    const rec = readPidFile(this.paths.pidFile(spec.name));
    if (!rec || liveState(rec) === 'down') {
      throw new LifeboatError(
        'LB_E_LAB_NOT_UP',
        `${spec.name} is not running in lab '${this.name}'`,
      );
    }
    if (!signalRecorded(rec, signal, spec.name)) {
      throw new LifeboatError('LB_E_LAB_NOT_UP', `${spec.name} exited before ${signal} reached it`);
    }
  }

  private prepareDir(): void {
    if (isLabDir(this.dir) === 'foreign') throw foreignDir(this.dir);
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    writeFileSync(this.paths.marker, `lifeboat lab ${this.name}\n`);
    for (const d of [this.dir, this.paths.run, this.paths.logs, this.paths.secrets]) {
      mkdirSync(d, { recursive: true, mode: 0o755 });
    }
    chmodSync(this.dir, 0o755);
    // Traversable, not listable: daemons reach their own 0600 credential by its exact path.
    chmodSync(this.paths.secrets, 0o711);
  }

  private async ensureNetwork(): Promise<{ created: boolean; ms: number }> {
    const t0 = performance.now();
    const state = await netState(this.namespaces);
    if (state === 'up') return { created: false, ms: Math.round(performance.now() - t0) };
    if (state === 'partial') {
      const alive = SERVERS.filter(
        (s) => liveState(readPidFile(this.paths.pidFile(s.name))) !== 'down',
      );
      if (alive.length > 0) {
        throw new LifeboatError(
          'LB_E_LAB_NET',
          `the network of lab '${this.name}' is half there while ${alive.map((s) => s.name).join(', ')} run`,
        );
      }
      await netDown(this.namespaces); // a crashed `up` between two `ip` commands: start over
    }
    try {
      await netUp(this.namespaces);
    } catch (e) {
      // A crashed `up` can leave an `ip` command of its own running (SIGKILL does not reach the
      // children): it may create a namespace under our feet. Start over once, after it is done.
      if (!(e instanceof LifeboatError) || e.code !== 'LB_E_LAB_NET') throw e;
      this.progress(`network: ${e.message}; removing what exists and trying once more`);
      await new Promise((r) => setTimeout(r, 500));
      await netDown(this.namespaces);
      await netUp(this.namespaces);
    }
    this.progress(`network: namespaces ${Object.values(this.namespaces).join(', ')} up`);
    return { created: true, ms: Math.round(performance.now() - t0) };
  }

  private async requireNetwork(): Promise<void> {
    if ((await netState(this.namespaces)) !== 'up') {
      throw new LifeboatError('LB_E_LAB_NOT_UP', `the network of lab '${this.name}' is not up`);
    }
  }

  private stateFile(options: LabOptions, components: Component[]): LabState {
    return {
      version: 1,
      name: this.name,
      dir: this.dir,
      updatedAt: new Date().toISOString(),
      subnet: SUBNET,
      vip: VIP,
      namespaces: { ...this.namespaces },
      addresses: { ...ADDRESSES },
      options,
      components,
      servers: Object.fromEntries(
        SERVERS.filter((s) => components.includes(s.component)).map((s) => [
          s.name,
          {
            component: s.component,
            place: s.place,
            namespace: this.namespaces[s.place],
            user: s.user,
            pidFile: this.paths.pidFile(s.name),
            log: this.paths.log(s.name),
            listen: s.ports.map((p) => `${ADDRESSES[s.place]}:${p}`),
          },
        ]),
      ),
      endpoints: this.endpoints(),
    };
  }
}

function foreignDir(dir: string): LifeboatError {
  return new LifeboatError(
    'LB_E_LAB_USAGE',
    `${dir} holds files but no lab marker: it is not a lab directory`,
    { hint: 'use an empty or new directory for --dir (the default is /tmp/lifeboat-lab/<name>)' },
  );
}
