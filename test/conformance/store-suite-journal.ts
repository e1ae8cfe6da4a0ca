// The journal: fenced, append-only, gapless, and durable through a kill -9.
import { expect } from 'vitest';
import type { JournalEntry } from '../../src/store/index.js';
import type { SuiteContext } from './store-suite.js';
import { newRun } from './store-suite-runs.js';

export function journalTests(s: SuiteContext): void {
  s.test('journal: a stale token cannot append after a lease handover', async () => {
    const store = s.store();
    const run = await newRun(store, 'db');
    // Nobody ever acquired the run's lease: no token is current.
    await expect(
      store.journal.append(run.id, { stepId: null, phase: 'note' }, 1),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_STALE_TOKEN' });

    const a = await store.leases.acquire('service/db', 'lifeboat-a', s.subject.leaseTtlMs);
    if (!a) throw new Error('acquire failed');
    const first = await store.journal.append(run.id, { stepId: 'fence', phase: 'intent' }, a.token);
    expect(first).toMatchObject({ seq: 1, token: a.token, stepId: 'fence', phase: 'intent' });

    // A stalls past its TTL; B takes the lease over. A's late writes must not land.
    await new Promise((r) => setTimeout(r, s.subject.leaseTtlMs + 100));
    const b = await store.leases.acquire('service/db', 'lifeboat-b', 60_000);
    if (!b) throw new Error('takeover failed');
    await expect(
      store.journal.append(run.id, { stepId: 'fence', phase: 'effect' }, a.token),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_STALE_TOKEN', retryable: false });
    await expect(
      store.journal.append(run.id, { stepId: 'fence', phase: 'effect' }, b.token + 1),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_STALE_TOKEN' });
    const second = await store.journal.append(
      run.id,
      { stepId: 'fence', phase: 'effect' },
      b.token,
    );
    expect(second).toMatchObject({ seq: 2, token: b.token });
    expect((await store.journal.read(run.id)).map((e) => e.token)).toEqual([a.token, b.token]);

    await expect(
      store.journal.append('run-missing', { stepId: null, phase: 'note' }, b.token),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_NOT_FOUND' });
  });

  s.test('journal: entries come back in order, gapless, with their data', async () => {
    const store = s.store();
    const run = await newRun(store, 'db');
    const other = await newRun(store, 'web');
    const lease = await store.leases.acquire('service/db', 'a', 60_000);
    const webLease = await store.leases.acquire('service/web', 'a', 60_000);
    if (!lease || !webLease) throw new Error('acquire failed');
    const data = {
      argv: ['pg_ctl', 'promote', '-D', '/var/lib/postgresql'],
      lagBytes: 0,
      ratio: 0.25,
      ok: true,
      nothing: null,
      text: 'übergang → site-b ✓',
      nested: { z: 1, a: [{ b: [] }] },
    };
    const phases = ['intent', 'effect', 'result', 'note'] as const;
    const written: JournalEntry[] = [];
    for (const [i, phase] of phases.entries()) {
      written.push(
        await store.journal.append(
          run.id,
          { stepId: 'promote', phase, data, at: 5_000 + i },
          lease.token,
        ),
      );
    }
    const runLevel = await store.journal.append(
      run.id,
      { stepId: null, phase: 'note' },
      lease.token,
    );
    expect(runLevel).toMatchObject({ seq: 5, stepId: null, data: null });
    expect(written[0]).toEqual({
      runId: run.id,
      seq: 1,
      at: 5_000,
      stepId: 'promote',
      phase: 'intent',
      token: lease.token,
      data,
    });
    const all = await store.journal.read(run.id);
    expect(all).toEqual([...written, runLevel]);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.journal.read(run.id, { afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
    expect((await store.journal.read(run.id, { afterSeq: 1, limit: 2 })).map((e) => e.seq)).toEqual(
      [2, 3],
    );
    // Each run has its own numbering.
    const w = await store.journal.append(other.id, { stepId: 'x', phase: 'note' }, webLease.token);
    expect(w.seq).toBe(1);
    expect(await store.journal.read('run-missing')).toEqual([]);

    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [{ n: Number.NaN }, { d: new Date() }, { u: undefined }, [() => 1], cycle]) {
      await expect(
        store.journal.append(
          run.id,
          { stepId: 's', phase: 'note', data: bad as never },
          lease.token,
        ),
      ).rejects.toMatchObject({ code: 'LB_E_STORE_INVALID' });
    }
    await expect(
      store.journal.append(run.id, { stepId: 's', phase: 'done' as 'note' }, lease.token),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_INVALID' });
    await expect(
      store.journal.append(
        run.id,
        { stepId: 's', phase: 'note', data: 'x'.repeat(300_000) },
        lease.token,
      ),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_INVALID' });
    expect(await store.journal.read(run.id)).toHaveLength(5);
  });

  s.test(
    'journal: appenders in two processes get gapless sequence numbers',
    async () => {
      const store = s.store();
      const run = await newRun(store, 'db');
      const lease = await store.leases.acquire('service/db', 'a', 120_000);
      if (!lease) throw new Error('acquire failed');
      const perWriter = 150;
      const outputs = await s.children(
        ['p1', 'p2'].map((writer) => ({
          kind: 'append' as const,
          runId: run.id,
          token: lease.token,
          count: perWriter,
          writer,
          // Without a pause, one child can finish its 150 fsync'd appends before a loaded
          // machine schedules the other, and the test would prove nothing about concurrency.
          pauseMs: 2,
        })),
      );
      for (const o of outputs) expect(o.lines.at(-1)).toEqual({ done: true });
      const entries = await store.journal.read(run.id);
      expect(entries.map((e) => e.seq)).toEqual(
        Array.from({ length: 2 * perWriter }, (_, i) => i + 1),
      );
      for (const writer of ['p1', 'p2']) {
        const mine = entries
          .map((e) => e.data as { writer: string; i: number })
          .filter((d) => d.writer === writer)
          .map((d) => d.i);
        expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => i));
      }
      // The two really overlapped: their entries interleave (measured: 4 to 17 switches).
      const writers = entries.map((e) => (e.data as { writer: string }).writer);
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      expect(switches).toBeGreaterThanOrEqual(2);
      // Each child saw its own appends' seqs, increasing, and together they are every seq once.
      const reported = outputs.flatMap((o) => o.lines.flatMap((l) => (l.seq ? [l.seq] : [])));
      expect(new Set(reported).size).toBe(2 * perWriter);
    },
    60_000,
  );

  s.test(
    'journal: kill -9 during appends loses no entry that was acknowledged',
    async () => {
      const store = s.store();
      const run = await newRun(store, 'db');
      const lease = await store.leases.acquire('service/db', 'a', 120_000);
      if (!lease) throw new Error('acquire failed');
      const out = await s.killChildMidway(
        { kind: 'append', runId: run.id, token: lease.token, count: 100_000, writer: 'doomed' },
        200,
      );
      expect(out.signal).toBe('SIGKILL');
      const acknowledged = out.lines.flatMap((l) => (typeof l.seq === 'number' ? [l.seq] : []));
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);

      const reopened = await s.reopen();
      const entries = await reopened.journal.read(run.id);
      const seqs = entries.map((e) => e.seq);
      // Everything acknowledged is there; at most the append in flight is there too; no gap, no
      // half-written entry, and the journal takes the next append where it stopped.
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(seqs.length).toBeGreaterThanOrEqual(acknowledged.length);
      expect(seqs.length).toBeLessThanOrEqual(acknowledged.length + 1);
      const next = await reopened.journal.append(
        run.id,
        { stepId: null, phase: 'note' },
        lease.token,
      );
      expect(next.seq).toBe(seqs.length + 1);
    },
    60_000,
  );
}
