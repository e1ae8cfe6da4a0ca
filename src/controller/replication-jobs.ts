// Scheduled replication jobs: every data set with `replication.schedule` is copied at its cron
// times (croner computes them, in the controller's time zone; the controller's clock waits, so
// tests drive it with ManualClock). A job runs once at a time: one still running when its next
// time comes is skipped and counted. Each run is bounded by its timeout (aborted through its
// AbortSignal), and its start, success (with what it holds: `syncedThrough`), failure (a
// registered code, a clipped message) and duration are kept for the service's state and RPO.
// What a run does is injected (`run`): the controller wires it to the plan's drivers.
import { Cron } from 'croner';
import { LifeboatError } from '../core/errors/index.js';
import {
  humanDuration,
  type Plan,
  type ReplicationJobSpec,
  replicationJobOf,
} from '../core/plan/index.js';
import type { Clock } from './clock.js';
import type { ReplicationJobStatus } from './model.js';

/** What one successful run holds: every change before `syncedThroughMs` is copied. */
export interface JobRunResult {
  syncedThroughMs: number;
}

/** Runs a job once; must honour `signal` (timeout, stop, reload). */
export type JobRunner = (
  service: string,
  dataSet: string,
  job: ReplicationJobSpec,
  signal: AbortSignal,
) => Promise<JobRunResult>;

export type JobResult = 'succeeded' | 'failed' | 'skipped';

export interface ReplicationJobsOptions {
  clock: Clock;
  run: JobRunner;
  /** IANA time zone of the schedules (default: the process's local time zone). */
  timeZone?: string;
  /** A run started (no result) or ended, or a run was skipped. */
  onChange?: (service: string, job: ReplicationJobStatus, result?: JobResult) => void;
  log?: (line: string) => void;
  /** The longest single timer: a long wait is slept in pieces and re-checked (default 1 h). */
  maxSleepMs?: number;
}

/** What the RPO reads of a job: its last success, and whether it failed since. */
export interface JobRecord {
  syncedThroughMs?: number;
  lastFailureAt?: number;
  failed: number;
}

interface Job {
  key: string;
  service: string;
  dataSet: string;
  spec?: ReplicationJobSpec;
  specText: string;
  problem?: string;
  cron?: Cron;
  nextAt?: number;
  cancel?: () => void;
  run?: { ac: AbortController; startedAt: number; done: Promise<void> };
  /** Dropped from the plan: its state goes once its run ends. */
  removed: boolean;
  lastStartAt?: number;
  lastSuccessAt?: number;
  syncedThroughMs?: number;
  lastFailure?: { at: number; code: string; message: string };
  lastDurationMs?: number;
  runs: { succeeded: number; failed: number; skipped: number };
}

const MAX_MESSAGE = 500;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const iso = (ms: number) => new Date(ms).toISOString();

function routeOf(spec: ReplicationJobSpec): string {
  return spec.kind === 'rsync' ? `${spec.source} → ${spec.targets.join(', ')}` : spec.node;
}

export class ReplicationJobs {
  readonly #o: ReplicationJobsOptions;
  readonly #jobs = new Map<string, Job>();
  #running = false;
  #stopped = false;

  constructor(options: ReplicationJobsOptions) {
    this.#o = options;
  }

  /** Takes the jobs of `plan`: unchanged ones keep their timer, changed ones are rescheduled. */
  apply(plan: Plan): void {
    const want = new Map<
      string,
      { service: string; dataSet: string; spec?: ReplicationJobSpec; problem?: string }
    >();
    for (const [service, svc] of Object.entries(plan.services ?? {}))
      for (const ds of svc.data ?? []) {
        const j = replicationJobOf(ds);
        if (!j) continue;
        want.set(`${service}/${ds.name}`, {
          service,
          dataSet: ds.name,
          ...('job' in j ? { spec: j.job } : { problem: j.message }),
        });
      }
    for (const [key, job] of this.#jobs) {
      if (want.has(key)) continue;
      this.#unschedule(job);
      job.removed = true;
      if (job.run) job.run.ac.abort(new Error('the data set is no longer scheduled'));
      else this.#jobs.delete(key);
    }
    for (const [key, w] of want) {
      const specText = JSON.stringify(w.spec ?? w.problem);
      const old = this.#jobs.get(key);
      if (old && old.specText === specText && !old.removed) continue;
      // A changed job keeps what it did (a run in progress finishes, counted here) and is
      // scheduled anew.
      if (old) this.#unschedule(old);
      const job: Job = old ?? {
        key,
        service: w.service,
        dataSet: w.dataSet,
        specText,
        removed: false,
        runs: { succeeded: 0, failed: 0, skipped: 0 },
      };
      job.specText = specText;
      job.removed = false;
      delete job.spec;
      delete job.problem;
      delete job.cron;
      if (w.spec) job.spec = w.spec;
      if (w.problem) job.problem = w.problem;
      if (job.spec) {
        try {
          job.cron = new Cron(job.spec.schedule, {
            paused: true,
            ...(this.#o.timeZone ? { timezone: this.#o.timeZone } : {}),
          });
        } catch (e) {
          job.problem = `the schedule \`${job.spec.schedule}\` cannot run: ${message(e)}`;
        }
      }
      if (job.problem) this.#log(`${key}: not scheduled: ${job.problem}`);
      this.#jobs.set(key, job);
      if (this.#running) this.#schedule(job);
    }
  }

  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    for (const job of this.#jobs.values()) this.#schedule(job);
  }

  /** Clears every timer, aborts the runs in progress and waits for them to end. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopped = true;
    const runs: Promise<void>[] = [];
    for (const job of this.#jobs.values()) {
      this.#unschedule(job);
      if (job.run) {
        job.run.ac.abort(new Error('the controller stops'));
        runs.push(job.run.done);
      }
    }
    await Promise.allSettled(runs);
  }

  /** Timers held now (0 once stopped). */
  get timers(): number {
    let n = 0;
    for (const job of this.#jobs.values()) if (job.cancel) n++;
    return n;
  }

  status(service: string): ReplicationJobStatus[] {
    const out: ReplicationJobStatus[] = [];
    for (const job of this.#jobs.values())
      if (job.service === service && !job.removed) out.push(this.#statusOf(job));
    return out;
  }

  /** The last success and failures of a data set's job; undefined when it has no job. */
  record(service: string, dataSet: string): JobRecord | undefined {
    const job = this.#jobs.get(`${service}/${dataSet}`);
    if (!job?.spec || job.removed) return undefined;
    return {
      ...(job.syncedThroughMs !== undefined ? { syncedThroughMs: job.syncedThroughMs } : {}),
      ...(job.lastFailure ? { lastFailureAt: job.lastFailure.at } : {}),
      failed: job.runs.failed,
    };
  }

  /** Runs a job now, outside its schedule (skipped when it runs already); resolves when it ends. */
  async runNow(service: string, dataSet: string): Promise<JobResult | undefined> {
    const job = this.#jobs.get(`${service}/${dataSet}`);
    if (!job?.spec || this.#stopped) return undefined;
    return this.#fire(job);
  }

  #statusOf(job: Job): ReplicationJobStatus {
    const spec = job.spec;
    return {
      dataSet: job.dataSet,
      kind: spec?.kind ?? 'command',
      schedule: spec?.schedule ?? '',
      route: spec ? routeOf(spec) : '',
      timeoutMs: spec?.timeoutMs ?? 0,
      running: job.run !== undefined,
      ...(job.nextAt !== undefined ? { nextRunAt: iso(job.nextAt) } : {}),
      ...(job.lastStartAt !== undefined ? { lastStartAt: iso(job.lastStartAt) } : {}),
      ...(job.lastSuccessAt !== undefined ? { lastSuccessAt: iso(job.lastSuccessAt) } : {}),
      ...(job.syncedThroughMs !== undefined ? { syncedThrough: iso(job.syncedThroughMs) } : {}),
      ...(job.lastFailure
        ? {
            lastFailure: {
              at: iso(job.lastFailure.at),
              code: job.lastFailure.code,
              message: job.lastFailure.message,
            },
          }
        : {}),
      ...(job.lastDurationMs !== undefined ? { lastDurationMs: job.lastDurationMs } : {}),
      runs: { ...job.runs },
      ...(job.problem !== undefined ? { problem: job.problem } : {}),
    };
  }

  #unschedule(job: Job): void {
    job.cancel?.();
    delete job.cancel;
    delete job.nextAt;
  }

  /** Waits for the job's next cron time (in pieces of at most maxSleepMs), then fires it. */
  #schedule(job: Job): void {
    this.#unschedule(job);
    if (!this.#running || !job.cron || job.problem) return;
    const now = this.#o.clock.now();
    const next = job.cron.nextRun(new Date(now));
    if (!next) {
      job.problem = `the schedule \`${job.spec?.schedule}\` has no next run`;
      return;
    }
    job.nextAt = next.getTime();
    this.#sleep(job, job.nextAt);
  }

  #sleep(job: Job, at: number): void {
    const max = this.#o.maxSleepMs ?? 3_600_000;
    const wait = Math.min(Math.max(0, at - this.#o.clock.now()), max);
    job.cancel = this.#o.clock.after(wait, () => {
      delete job.cancel;
      if (!this.#running || this.#jobs.get(job.key) !== job || job.removed) return;
      const now = this.#o.clock.now();
      if (now < at) {
        // Woken early (a long wait in pieces), or the clock was set back: wait on, for the
        // next run as the clock says now.
        const again = job.cron?.nextRun(new Date(now))?.getTime() ?? at;
        job.nextAt = Math.min(again, at);
        this.#sleep(job, job.nextAt);
        return;
      }
      this.#schedule(job);
      void this.#fire(job);
    });
  }

  #fire(job: Job): Promise<JobResult> {
    const spec = job.spec;
    if (!spec) return Promise.resolve('skipped');
    if (job.run) {
      job.runs.skipped++;
      this.#log(
        `${job.key}: skipped: the run started at ${iso(job.run.startedAt)} still runs at its next time`,
      );
      this.#o.onChange?.(job.service, this.#statusOf(job), 'skipped');
      return Promise.resolve('skipped');
    }
    const clock = this.#o.clock;
    const ac = new AbortController();
    const startedAt = clock.now();
    let timedOut = false;
    const cancelTimeout = clock.after(spec.timeoutMs, () => {
      timedOut = true;
      ac.abort(
        new LifeboatError(
          'LB_E_CONTROLLER_JOB_TIMEOUT',
          `${job.key}: still running after ${humanDuration(spec.timeoutMs)}: aborted`,
        ),
      );
    });
    job.lastStartAt = startedAt;
    let result: JobResult = 'failed';
    const run: NonNullable<Job['run']> = { ac, startedAt, done: Promise.resolve() };
    job.run = run;
    run.done = (async () => {
      // A tick first: `run` is in place before anything can end it.
      await Promise.resolve();
      try {
        const r = await this.#o.run(job.service, job.dataSet, spec, ac.signal);
        if (timedOut) throw ac.signal.reason;
        job.lastSuccessAt = clock.now();
        job.syncedThroughMs = Math.max(job.syncedThroughMs ?? 0, r.syncedThroughMs);
        job.runs.succeeded++;
        result = 'succeeded';
      } catch (e) {
        const err = timedOut ? ac.signal.reason : e;
        const code =
          err instanceof LifeboatError
            ? timedOut
              ? 'LB_E_CONTROLLER_JOB_TIMEOUT'
              : err.code
            : 'LB_E_CONTROLLER_JOB_FAILED';
        let text = message(err).replace(/\s+/g, ' ').trim();
        if (text.length > MAX_MESSAGE) text = `${text.slice(0, MAX_MESSAGE - 1)}…`;
        job.lastFailure = { at: clock.now(), code, message: text };
        job.runs.failed++;
        this.#log(`${job.key}: failed: ${code} ${text}`);
      } finally {
        cancelTimeout();
        job.lastDurationMs = clock.now() - startedAt;
        delete job.run;
        if (job.removed) this.#jobs.delete(job.key);
        else this.#o.onChange?.(job.service, this.#statusOf(job), result);
      }
    })();
    this.#o.onChange?.(job.service, this.#statusOf(job));
    return run.done.then(() => result);
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }
}
