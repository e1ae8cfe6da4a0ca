// One conformance suite that every state store passes: SQLite now, etcd later, and any fake a
// test may want. It states the contract of src/store/store.ts as runnable checks, several of them
// across processes. (Shape borrowed from hono's shared router suite: a subject may skip a test,
// but only with a reason, which is printed.)
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import type { StateStore } from '../../src/store/index.js';
import type { ChildTask } from './store-child.js';
import { type ChildOutput, killChildMidway, runChildren } from './store-processes.js';
import { approvalTests } from './store-suite-approvals.js';
import { auditTests } from './store-suite-audit.js';
import { journalTests } from './store-suite-journal.js';
import { leaseTests } from './store-suite-leases.js';
import { runTests } from './store-suite-runs.js';

/**
 * Changes to the audit log made behind the store's back, as someone with write access to its
 * storage would make them. Each store knows how to do that to itself.
 */
export interface AuditTamper {
  /** Changes entry `seq`'s data, leaving its hashes. */
  edit(location: string, seq: number): Promise<void>;
  /** Deletes entry `seq`. */
  remove(location: string, seq: number): Promise<void>;
  /** Swaps the contents of entries `a` and `b` (hashes included), keeping their positions. */
  swap(location: string, a: number, b: number): Promise<void>;
  /** Deletes the last `count` entries and leaves the recorded head as it is. */
  truncate(location: string, count: number): Promise<void>;
  /** Deletes the last `count` entries and rewrites the recorded head to match what is left. */
  truncateWithHead(location: string, count: number): Promise<void>;
}

export interface StoreSubject {
  /** Shown in test names: 'sqlite'. */
  name: string;
  /** A fresh, empty place for a store: a file path, an etcd key prefix. */
  newLocation(): Promise<string>;
  /** Opens (creating when needed) the store at `location`. */
  open(location: string): Promise<StateStore>;
  close(store: StateStore): Promise<void>;
  /**
   * Absolute path of a module exporting `openStore(location): Promise<StateStore>`, which child
   * processes import to open the same store.
   */
  childModule: string;
  /**
   * A lease TTL the store honours closely enough to test expiry: SQLite 200 ms; etcd counts TTLs
   * in whole seconds, so 2000 there.
   */
  leaseTtlMs: number;
  tamper: AuditTamper;
  /** Tests this store cannot run, each with the reason (printed as the skip message). */
  skip?: Partial<Record<StoreTest, string>>;
  /** Removes everything newLocation made. */
  cleanup?(): Promise<void>;
}

export type StoreTest =
  | 'leases: a live lease is exclusive; its owner renews, releases or takes it over'
  | 'leases: tokens strictly increase across acquire, expiry and re-acquire'
  | 'leases: renewing keeps a lease past its TTL; once renewals stop another owner gets it'
  | 'leases: tokens keep increasing across reopening the store and across processes'
  | 'runs: create, get, and list by service and state'
  | 'runs: update is a compare-and-swap on the revision, optionally fenced'
  | 'journal: a stale token cannot append after a lease handover'
  | 'journal: entries come back in order, gapless, with their data'
  | 'journal: appenders in two processes get gapless sequence numbers'
  | 'journal: kill -9 during appends loses no entry that was acknowledged'
  | 'approvals: bound to run, step, plan hash and params hash; single use'
  | 'approvals: single use when consumers race, in one process and in two'
  | 'audit: an intact chain verifies, with its head and an anchor'
  | 'audit: verify finds an edited entry'
  | 'audit: verify finds a deleted entry'
  | 'audit: verify finds a reordered pair'
  | 'audit: verify finds a truncated tail'
  | 'audit: a tail truncated with its head rewritten is caught only by an anchor'
  | 'audit: appenders in two processes keep one chain';

/** What each group of tests gets: the subject, the store of the running test, and helpers. */
export interface SuiteContext {
  readonly subject: StoreSubject;
  /** The store of the running test, on a fresh location. */
  store(): StateStore;
  location(): string;
  /** Closes the running test's store and opens it again on the same location. */
  reopen(): Promise<StateStore>;
  /** Runs tasks in child processes on the running test's location, started together. */
  children(tasks: readonly ChildTask[]): Promise<ChildOutput[]>;
  killChildMidway(task: ChildTask, afterLines: number): Promise<ChildOutput>;
  test(name: StoreTest, fn: () => Promise<void>, timeoutMs?: number): void;
}

export function runStoreConformance(subject: StoreSubject): void {
  describe(`state store conformance: ${subject.name}`, () => {
    let store: StateStore | undefined;
    let location = '';
    beforeEach(async () => {
      location = await subject.newLocation();
      store = await subject.open(location);
    });
    afterEach(async () => {
      if (store) await subject.close(store);
      store = undefined;
    });
    afterAll(async () => {
      await subject.cleanup?.();
    });

    const ctx: SuiteContext = {
      subject,
      store: () => {
        if (!store) throw new Error('no store open');
        return store;
      },
      location: () => location,
      reopen: async () => {
        if (store) await subject.close(store);
        store = await subject.open(location);
        return store;
      },
      children: (tasks) => runChildren(subject.childModule, location, tasks),
      killChildMidway: (task, afterLines) =>
        killChildMidway(subject.childModule, location, task, afterLines),
      test: (name, fn, timeoutMs) => {
        const reason = subject.skip?.[name];
        if (reason) it.skip(`${name} — skipped: ${reason}`, () => {});
        else it(name, fn, timeoutMs);
      },
    };

    leaseTests(ctx);
    runTests(ctx);
    journalTests(ctx);
    approvalTests(ctx);
    auditTests(ctx);
  });
}
