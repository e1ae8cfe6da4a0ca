// One conformance suite that every driver runs against its real server (in the lab), and that the
// fake drivers used by engine unit tests run too, so the fakes cannot drift from the contract.
// (Shape borrowed from hono's shared router suite: each subject passes `skip` with a reason.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode, LifeboatError } from '../../src/core/errors/index.js';
import {
  type Driver,
  isFenceable,
  isPromotable,
  isReadOnlyCapable,
  isReplicating,
  isSwitchable,
  type OperationContext,
} from '../../src/drivers/driver.js';

export interface ConformanceSubject<D extends Driver = Driver> {
  /** Shown in test names: 'postgres (lab)'. */
  name: string;
  /** Brings the real system up (or reuses it) and builds the driver. */
  setup(): Promise<D>;
  teardown?(): Promise<void>;
  /** For Switchable drivers: two destinations to switch between. */
  destinations?: [string, string];
  /** A driver for the same kind of target that cannot be reached (wrong port), to check errors. */
  unreachable?(): D | Promise<D>;
  /** Tests this subject cannot run, each with the reason (printed as the skip message). */
  skip?: Partial<Record<ConformanceTest, string>>;
}

export type ConformanceTest =
  | 'observe is read-only'
  | 'observe honours abort'
  | 'unreachable fails with a retryable coded error'
  | 'promote is idempotent'
  | 'fence is idempotent and reversible'
  | 'switchTo is idempotent'
  | 'read-only is idempotent and reversible'
  | 'replication state is consistent';

export function ctx(timeoutMs = 20_000): OperationContext {
  return { signal: AbortSignal.timeout(timeoutMs) };
}

export function runDriverConformance<D extends Driver>(subject: ConformanceSubject<D>): void {
  describe(`driver conformance: ${subject.name}`, () => {
    let driver: D;
    beforeAll(async () => {
      driver = await subject.setup();
    });
    afterAll(async () => {
      await driver?.close?.();
      await subject.teardown?.();
    });
    /** A capability the driver does not have skips its tests, saying so; other skips need a reason. */
    const test = (name: ConformanceTest, fn: (skip: (why: string) => void) => Promise<void>) => {
      const reason = subject.skip?.[name];
      if (reason) it.skip(`${name} — skipped: ${reason}`, () => {});
      else it(name, async (t) => fn((why) => t.skip(why)));
    };

    test('observe is read-only', async () => {
      const a = await driver.observe(ctx());
      const b = await driver.observe(ctx());
      expect(typeof a.summary).toBe('string');
      expect(a.healthy).toBe(b.healthy);
      expect(JSON.stringify(stable(a.facts))).toBe(JSON.stringify(stable(b.facts)));
    });

    test('observe honours abort', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(driver.observe({ signal: controller.signal })).rejects.toMatchObject({
        code: 'LB_E_DRIVER_ABORTED',
      });
    });

    test('unreachable fails with a retryable coded error', async () => {
      if (!subject.unreachable)
        throw new Error(
          'the subject gives no unreachable() driver: give one, or skip this test with a reason',
        );
      const bad = await subject.unreachable();
      const started = Date.now();
      const err = await bad.observe(ctx(15_000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      await bad.close?.();
      expect(err).toBeInstanceOf(LifeboatError);
      const le = err as LifeboatError;
      expect(isErrorCode(le.code)).toBe(true);
      expect(le.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    test('promote is idempotent', async (skip) => {
      if (!isPromotable(driver)) return skip('the driver is not Promotable');
      await driver.promote(ctx());
      const again = await driver.promote(ctx());
      expect(again.changed).toBe(false);
      if (isReplicating(driver)) {
        const state = await driver.replicationState(ctx());
        expect(state.role).toBe('primary');
        expect(state.writable).toBe(true);
      }
    });

    test('fence is idempotent and reversible', async (skip) => {
      if (!isFenceable(driver)) return skip('the driver is not Fenceable');
      const first = await driver.fence(ctx(), 'read-only');
      const second = await driver.fence(ctx(), 'read-only');
      expect(second.changed).toBe(false);
      if (isReplicating(driver))
        expect((await driver.replicationState(ctx())).writable).toBe(false);
      const un = await driver.unfence(ctx());
      expect(un.changed).toBe(first.changed);
      expect((await driver.unfence(ctx())).changed).toBe(false);
    });

    test('switchTo is idempotent', async (skip) => {
      if (!isSwitchable(driver)) return skip('the driver is not Switchable');
      const [x, y] = subject.destinations ?? ['', ''];
      await driver.switchTo(ctx(), x);
      expect(await driver.current(ctx())).toBe(x);
      expect((await driver.switchTo(ctx(), x)).changed).toBe(false);
      expect((await driver.switchTo(ctx(), y)).changed).toBe(true);
      expect(await driver.current(ctx())).toBe(y);
    });

    test('read-only is idempotent and reversible', async (skip) => {
      if (!isReadOnlyCapable(driver)) return skip('the driver is not ReadOnlyCapable');
      await driver.setReadOnly(ctx(), true);
      expect((await driver.setReadOnly(ctx(), true)).changed).toBe(false);
      expect((await driver.setReadOnly(ctx(), false)).changed).toBe(true);
      expect((await driver.setReadOnly(ctx(), false)).changed).toBe(false);
    });

    test('replication state is consistent', async (skip) => {
      if (!isReplicating(driver)) return skip('the driver is not Replicating');
      const s = await driver.replicationState(ctx());
      expect(['primary', 'replica', 'standalone', 'unknown']).toContain(s.role);
      if (s.role === 'replica') expect(s.writable).toBe(false);
      if (s.role === 'primary') expect(s.streaming).toBe(false);
      if (s.lagBytes !== undefined) expect(s.lagBytes).toBeGreaterThanOrEqual(0);
    });
  });
}

/** Facts that legitimately change between two reads (clocks, counters) are named `*At`/`*Ms`; drop them. */
function stable(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(facts)
      .filter(([k]) => !/(At|Ms|Seconds|Uptime|uptime|lag\w*)$/.test(k))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}
