// Fence leases: the controller's book (grant, revoke, restore, when it is safe to take over) and
// the agent (its deadline counted from the renewal it sent, the guard, a revocation, a replica
// left alone), on fake clocks; and the engine's fence action choosing between reaching the node
// and the lease's expiry.
import { describe, expect, it } from 'vitest';
import { FenceAgent, guardMs } from '../../../src/cli/agent/fence-agent.js';
import { HELD_WITHIN_MS, LeaseBook, SAFETY_MARGIN_MS } from '../../../src/controller/leases.js';
import type { DataSet } from '../../../src/core/plan/index.js';
import { fenceLeaseTerms } from '../../../src/core/plan/index.js';
import { fence } from '../../../src/engine/actions/database.js';
import type { ActionContext } from '../../../src/engine/actions/types.js';

const terms = () => ({ ttlMs: 1500, renewEveryMs: 200, nodes: ['a', 'b'] });
const key = { service: 'app-db', dataSet: 'pg' };

describe("a data set's lease terms", () => {
  it('read the same for the controller and the agent: ttl, renewal (default ttl / 5), nodes', () => {
    const pg = { name: 'pg', kind: 'postgres', source: 'a', targets: ['b'] } as DataSet;
    expect(fenceLeaseTerms({ ...pg, fenceLease: { ttl: 1500 } })).toEqual({
      ttlMs: 1500,
      renewEveryMs: 300,
      nodes: ['a', 'b'],
    });
    expect(
      fenceLeaseTerms({ ...pg, fenceLease: { ttl: 1200, renewEvery: 200 } })?.renewEveryMs,
    ).toBe(200);
    expect(fenceLeaseTerms(pg)).toBeUndefined();
    expect(fenceLeaseTerms({ ...pg, kind: 'files', fenceLease: { ttl: 1500 } })).toBeUndefined();
  });
});

describe('the lease book', () => {
  it('grants a node holding a copy, refuses others, and stops granting once revoked', () => {
    let now = 1_000_000;
    const book = new LeaseBook(
      (s) => (s === 'app-db' ? terms() : undefined),
      () => now,
    );
    expect(book.renew('a', [key])[0]).toMatchObject({ state: 'granted', ttlMs: 1500 });
    expect(book.renew('c', [key])[0]).toMatchObject({ state: 'unknown' });
    expect(book.renew('a', [{ service: 'web', dataSet: 'x' }])[0]).toMatchObject({
      state: 'unknown',
    });
    now += 300;
    const r = book.revoke('app-db', 'pg', 'a');
    expect(r).toEqual({
      held: true,
      ttlMs: 1500,
      lastRenewedAt: 1_000_000,
      safeAt: 1_000_000 + 1500 + SAFETY_MARGIN_MS,
    });
    expect(book.renew('a', [key])[0]).toMatchObject({ state: 'revoked' });
    // The promotion of a gives it back.
    book.restore('app-db', 'pg', 'a');
    expect(book.renew('a', [key])[0]).toMatchObject({ state: 'granted' });
  });

  it('does not count on a lease nobody renewed, or renewed too long ago', () => {
    let now = 5_000_000;
    const book = new LeaseBook(
      () => terms(),
      () => now,
    );
    expect(book.revoke('app-db', 'pg', 'b')).toMatchObject({ held: false });
    book.restore('app-db', 'pg', 'b');
    book.renew('b', [key]);
    now += HELD_WITHIN_MS + 1;
    expect(book.revoke('app-db', 'pg', 'b')).toMatchObject({ held: false });
  });
});

describe('the agent', () => {
  function agent(answers: () => 'granted' | 'revoked' | 'fail', role = 'primary') {
    let now = 0;
    const fenced: string[] = [];
    const a = new FenceAgent({
      node: 'a',
      leases: [{ ...key, ttlMs: 1500, renewEveryMs: 200 }],
      now: () => now,
      log: () => undefined,
      renew: async (keys) => {
        const s = answers();
        if (s === 'fail') throw new Error('unreachable');
        return keys.map((k) =>
          s === 'granted' ? { ...k, state: s, ttlMs: 1500, renewEveryMs: 200 } : { ...k, state: s },
        );
      },
      fence: async (_k, why) => {
        if (role !== 'primary') return 'left alone (replica)';
        fenced.push(why);
        return 'stopped';
      },
    });
    return { a, fenced, at: (t: number) => (now = t) };
  }

  it('fences at the renewal it sent plus ttl less the guard, not before', async () => {
    let answer: 'granted' | 'fail' = 'granted';
    const { a, fenced, at } = agent(() => answer);
    at(1000);
    await a.renewOnce(); // sent at 1000: fence at 1000 + 1500 - 375
    answer = 'fail';
    at(1200);
    await a.renewOnce();
    at(1000 + 1500 - guardMs(1500) - 1);
    await a.check();
    expect(fenced).toEqual([]);
    at(1000 + 1500 - guardMs(1500));
    await a.check();
    expect(fenced).toEqual(['its lease ran out']);
    await a.check();
    expect(fenced).toHaveLength(1); // once
  });

  it('fences at once when the controller revokes, and never before a first grant', async () => {
    let answer: 'granted' | 'revoked' | 'fail' = 'fail';
    const { a, fenced, at } = agent(() => answer);
    at(0);
    await a.renewOnce();
    at(60_000);
    await a.check();
    expect(fenced).toEqual([]);
    answer = 'revoked';
    await a.renewOnce();
    expect(fenced).toEqual(['the controller revoked the lease']);
  });

  it('tells an unknown lease once, not on every renewal', async () => {
    const lines: string[] = [];
    const a = new FenceAgent({
      node: 'c',
      leases: [{ ...key, ttlMs: 1500, renewEveryMs: 200 }],
      now: () => 0,
      log: (l) => lines.push(l),
      renew: async (keys) => keys.map((k) => ({ ...k, state: 'unknown' as const, why: 'no copy' })),
      fence: async () => 'stopped',
    });
    for (let i = 0; i < 5; i++) await a.renewOnce();
    expect(lines.filter((l) => l.includes('knows no lease'))).toHaveLength(1);
  });

  it('guards a quarter of ttl, at most 500 ms', () => {
    expect(guardMs(1500)).toBe(375);
    expect(guardMs(10_000)).toBe(500);
  });
});

describe("the engine's fence action", () => {
  let revoked = 0;
  function ctx(
    fenceImpl: () => Promise<{ changed: boolean; detail: string }>,
    safeAt: number,
    mode = 'stop',
  ) {
    const driver = { kind: 'postgres', target: 'a', fence: fenceImpl, unfence: fenceImpl };
    return {
      step: {
        id: 'app-db/fence/a',
        service: 'app-db',
        action: 'postgres.fence',
        target: 'a',
        args: { dataSet: 'pg', mode },
      },
      op: { signal: new AbortController().signal },
      drivers: {
        database: () => driver,
        leases: {
          revoke: () => {
            revoked++;
            return { held: true, safeAt, ttlMs: 1500, lastRenewedAt: safeAt - 1600 };
          },
          restore: () => undefined,
        },
      },
    } as unknown as ActionContext;
  }

  it('an unreachable node held by a lease is fenced once the lease has expired, not before', async () => {
    const safeAt = Date.now() + 300;
    const t0 = Date.now();
    const r = await fence.apply(
      ctx(async () => {
        throw Object.assign(new Error('a cannot be reached'), { code: 'LB_E_DRIVER_UNREACHABLE' });
      }, safeAt),
    );
    expect(Date.now()).toBeGreaterThanOrEqual(safeAt);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.detail).toMatch(/fenced by its lease/);
    expect(r.data).toMatchObject({ byLease: true });
  });

  it('a read-only fence (switchover) does not revoke the lease: the old primary keeps serving reads', async () => {
    const before = revoked;
    const r = await fence.apply(
      ctx(async () => ({ changed: true, detail: 'a read-only' }), Date.now() + 5000, 'read-only'),
    );
    expect(r.detail).toBe('a read-only');
    expect(revoked).toBe(before);
  });

  it('a node reached first is fenced directly, without waiting for the lease', async () => {
    const t0 = Date.now();
    const r = await fence.apply(
      ctx(async () => ({ changed: true, detail: 'stopped a' }), Date.now() + 5000),
    );
    expect(r.detail).toBe('stopped a');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
