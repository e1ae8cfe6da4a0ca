// The rsync driver: keeps a `files` data set mirrored (push or pull, over SSH or to an rsync
// daemon), previews a sync (dry run), and observes the mirror and its RPO without changing it.
import { throwIfAborted } from '../context.js';
import type { Driver, EffectResult, Observation, OperationContext } from '../driver.js';
import { MARKER, remoteSpec, rsyncArgv } from './args.js';
import { type RsyncConfig, validateRsyncConfig } from './config.js';
import { rsyncFailure } from './exit-codes.js';
import { getMarker, putMarker } from './marker.js';
import {
  addEntry,
  type MirrorRpo,
  markerContentDecides,
  markerT0,
  mirrorRpo,
  syncT0,
  type TreeSummary,
} from './mirror.js';
import {
  type ItemChange,
  parseItemize,
  parseListLine,
  parseStats,
  type TransferStats,
} from './parse.js';
import { openSession, runRsync } from './run.js';
import { scanLocalTree } from './tree-scan.js';

export interface MirrorState {
  source: TreeSummary;
  target: TreeSummary;
  rpo: MirrorRpo;
  withinObjective?: boolean;
  /** The marker's content was needed but could not be read: the whole second decided. */
  markerReadError?: string;
}

export interface DryRunResult {
  /** What a sync would change, first `maxChanges` items. */
  changes: ItemChange[];
  counts: Record<ItemChange['change'], number>;
  truncated: boolean;
  stats?: TransferStats;
}

const MAX_CHANGES = 10_000;

export class RsyncDriver implements Driver {
  readonly kind = 'rsync';
  readonly target: string;
  readonly #c: RsyncConfig;
  /** `push a:/src → b:/dst`, for messages. */
  readonly route: string;

  constructor(config: RsyncConfig) {
    validateRsyncConfig(config);
    this.#c = config;
    this.target = config.dataSet;
    const remote = remoteSpec(config);
    this.route =
      config.direction === 'push'
        ? `${config.localPath} → ${remote}`
        : `${remote} → ${config.localPath}`;
  }

  /** Read-only: both trees' newest changes, the marker, and the RPO they give. */
  async mirrorState(ctx: OperationContext): Promise<MirrorState> {
    throwIfAborted(ctx, `observing the mirror of ${this.target}`);
    const local = await scanLocalTree(this.#c.localPath, {
      signal: ctx.signal,
      rootMtime: this.#c.direction === 'push',
    });
    const remote = await this.#listRemote(ctx);
    const [source, target] = this.#c.direction === 'push' ? [local, remote] : [remote, local];
    // The newest source change falls in T0's own second: the marker's milliseconds decide.
    let markerReadError: string | undefined;
    if (markerContentDecides(source, target)) {
      try {
        const text = await getMarker(this.#c, ctx);
        const t0 = text === undefined ? undefined : markerT0(text, target.markerMtimeMs as number);
        if (t0 !== undefined) target.markerT0Ms = t0;
      } catch (e) {
        // Observing stays read-only and answers: without the content the verdict is "behind".
        throwIfAborted(ctx, `observing the mirror of ${this.target}`);
        markerReadError = e instanceof Error ? e.message : String(e);
      }
    }
    const rpo = mirrorRpo(source, target, Date.now());
    const objective = this.#c.rpoObjectiveMs;
    return {
      source,
      target,
      rpo,
      ...(markerReadError !== undefined ? { markerReadError } : {}),
      ...(objective !== undefined
        ? { withinObjective: rpo.rpoMs !== undefined && rpo.rpoMs <= objective }
        : {}),
    };
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    const s = await this.mirrorState(ctx);
    const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
    const rpoText = s.rpo.rpoMs === undefined ? 'unknown' : `${Math.round(s.rpo.rpoMs / 1000)} s`;
    return {
      healthy: s.rpo.basis !== 'none' && (s.withinObjective ?? true),
      summary: `${this.target} (${this.#c.direction}): ${s.rpo.inSync ? 'in sync' : 'behind'}, RPO ${rpoText} by ${s.rpo.basis}`,
      facts: {
        direction: this.#c.direction,
        route: this.route,
        basis: s.rpo.basis,
        inSync: s.rpo.inSync,
        rpoMs: s.rpo.rpoMs,
        syncedThroughAt: iso(s.rpo.syncedThroughMs),
        targetWrittenAfterSync: s.rpo.targetWrittenAfterSync,
        sourceEntries: s.source.entries,
        targetEntries: s.target.entries,
        newestSourceChangeAt: iso(s.source.newestMtimeMs),
        newestTargetChangeAt: iso(s.target.newestMtimeMs),
        ...(s.withinObjective !== undefined ? { withinObjective: s.withinObjective } : {}),
        ...(s.markerReadError !== undefined ? { markerReadError: s.markerReadError } : {}),
      },
    };
  }

  /**
   * Copies what differs, then records T0 in the marker. Idempotent by nature: rsync compares
   * first, so a second run moves nothing and reports `changed: false`.
   */
  async sync(ctx: OperationContext): Promise<EffectResult> {
    throwIfAborted(ctx, `syncing ${this.target}`);
    const started = Date.now();
    const session = openSession(this.#c);
    const statLines: string[] = [];
    try {
      const argv = rsyncArgv(this.#c, 'sync', session.ssh ? { ssh: session.ssh } : {});
      const r = await runRsync(this.#c, argv, ctx, {
        what: `rsync ${this.#c.direction} of ${this.target}`,
        onLine: (l) => statLines.length < 200 && statLines.push(l),
        onProgress: (p) => {
          ctx.heartbeat?.();
          ctx.progress?.({
            done: p.bytes,
            ...(p.percent > 0 ? { total: Math.round((p.bytes * 100) / p.percent) } : {}),
            unit: 'bytes',
            message: `${p.percent}%${p.files !== undefined ? `, ${p.files} files sent, ${p.toCheck} of ${p.totalFiles} to check` : ''}`,
          });
        },
      });
      const stats = parseStats(statLines.join('\n'));
      const moved = stats ? stats.transferredFiles + stats.deletedFiles + stats.createdFiles : 1;
      const syncedThrough =
        this.#c.writeMarker === false
          ? syncT0(started)
          : await putMarker(this.#c, session, ctx, started, stats);
      const ms = Date.now() - started;
      return {
        changed: moved > 0,
        detail: stats
          ? `rsync ${this.#c.direction} of ${this.target}: ${stats.transferredFiles} files changed (${stats.transferredSize} bytes, ${stats.bytesSent + stats.bytesReceived} on the wire), ${stats.deletedFiles} deleted, in ${ms} ms`
          : `rsync ${this.#c.direction} of ${this.target} done in ${ms} ms`,
        data: {
          ...(stats ? { stats } : {}),
          ms,
          rsyncMs: r.ms,
          syncedThrough: new Date(syncedThrough).toISOString(),
        },
      };
    } finally {
      session.dir.remove();
    }
  }

  /** What a sync would change (`-n --itemize-changes`); changes nothing, writes no marker. */
  async dryRun(ctx: OperationContext): Promise<DryRunResult> {
    throwIfAborted(ctx, `previewing a sync of ${this.target}`);
    const session = openSession(this.#c);
    const out: DryRunResult = {
      changes: [],
      counts: { create: 0, update: 0, attributes: 0, delete: 0 },
      truncated: false,
    };
    const rest: string[] = [];
    try {
      const argv = rsyncArgv(this.#c, 'dry-run', session.ssh ? { ssh: session.ssh } : {});
      await runRsync(this.#c, argv, ctx, {
        what: `rsync dry run of ${this.target}`,
        onLine: (l) => {
          const item = parseItemize(l);
          if (!item) {
            if (rest.length < 200) rest.push(l);
            return;
          }
          if (item.path === '.' && item.change === 'attributes') return;
          out.counts[item.change]++;
          if (out.changes.length < MAX_CHANGES) out.changes.push(item);
          else out.truncated = true;
        },
      });
      const stats = parseStats(rest.join('\n'));
      if (stats) out.stats = stats;
      return out;
    } finally {
      session.dir.remove();
    }
  }

  async #listRemote(ctx: OperationContext): Promise<TreeSummary> {
    const session = openSession(this.#c);
    const summary: TreeSummary = { entries: 0 };
    const rootMtime = this.#c.direction === 'pull';
    const what = `listing ${remoteSpec(this.#c)}`;
    try {
      const argv = rsyncArgv(this.#c, 'list-remote', session.ssh ? { ssh: session.ssh } : {});
      const r = await runRsync(this.#c, argv, ctx, {
        what,
        onLine: (l) => {
          const e = parseListLine(l);
          if (e) addEntry(summary, e, { rootMtime, wholeSeconds: true });
        },
        // A push target that does not exist yet is an empty mirror, not an error.
        okStatuses: this.#c.direction === 'push' ? [23] : [],
      });
      if (r.code === 23) {
        if (!/No such file or directory/.test(r.stderr))
          throw rsyncFailure(what, r.code, r.stderr, []);
        return { entries: 0 };
      }
      return summary;
    } finally {
      session.dir.remove();
    }
  }
}

export { MARKER };
