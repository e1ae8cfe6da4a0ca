// Waves: the services of one wave run side by side, each its own steps in order; the next wave
// starts when the whole wave has ended; a failing step stops its wave (the other services finish
// the step they are in and start no other); approvals are awaited one at a time.
import { describe, expect, it } from 'vitest';
import type { PlannedRun, PlannedStep } from '../../../src/core/runbook/index.js';
import type { EffectResult, OperationContext } from '../../../src/drivers/driver.js';
import { Engine, type StepDrivers } from '../../../src/engine/index.js';
import { appDbWorld, fakeStepDrivers } from '../../support/fake-step-drivers.js';
import { bench, planned } from './helpers.js';

interface Span {
  step: string;
  start: number;
  end: number;
}

/** A run of `command.run` steps: `waves` of services, each with `perService` steps. */
function runOf(
  waves: string[][],
  perService: number,
  failing?: string,
  manual = false,
): PlannedRun {
  const model = planned('adoption', 'control-plane').steps[1] as PlannedStep;
  const steps: PlannedStep[] = [];
  for (const svc of waves.flat())
    for (let i = 1; i <= perService; i++) {
      const id = `${svc}/s${i}`;
      steps.push({
        ...model,
        id,
        service: svc,
        action: manual && i === 1 ? 'manual' : 'command.run',
        target: 'a',
        args: { argv: [id === failing ? 'fail' : 'ok', id] },
        pointOfNoReturn: false,
        retries: 0,
        needs: [],
        undo: undefined,
        approval: undefined,
      } as PlannedStep);
    }
  const base = planned('adoption', 'control-plane');
  return { ...base, runbook: 'waves', services: waves.flat(), waves, steps, guards: [] };
}

/** Drivers whose commands take `ms` and record when they ran. */
function timedDrivers(spans: Span[], ms: number): StepDrivers {
  const { world, site } = appDbWorld();
  const base = fakeStepDrivers(world, site);
  return {
    ...base,
    command: (_node, args) => {
      const [verdict, step] = args.argv as [string, string];
      return {
        kind: 'command',
        target: step,
        async observe() {
          return { healthy: true, summary: step, facts: {} };
        },
        async close() {},
        async run(_ctx: OperationContext): Promise<EffectResult> {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, ms));
          spans.push({ step, start, end: Date.now() });
          if (verdict === 'fail') throw new Error(`${step} exited 1`);
          return { changed: true, detail: `ran ${step}` };
        },
      } as never;
    },
  };
}

const overlap = (x: Span, y: Span) => x.start < y.end && y.start < x.end;

describe('waves', () => {
  it('runs the services of a wave side by side, and waves one after the other', async () => {
    const b = bench();
    try {
      const spans: Span[] = [];
      const engine = new Engine({
        store: b.store,
        drivers: timedDrivers(spans, 150),
        actor: 'alice',
        roles: {},
        pollMs: 20,
      });
      const t0 = Date.now();
      const o = await engine.start(runOf([['x', 'y'], ['z']], 2));
      const ms = Date.now() - t0;
      expect(o.state, o.message).toBe('succeeded');
      const at = (id: string) => spans.find((s) => s.step === id) as Span;
      // x and y side by side, each in order.
      expect(overlap(at('x/s1'), at('y/s1'))).toBe(true);
      expect(at('x/s2').start).toBeGreaterThanOrEqual(at('x/s1').end);
      expect(at('y/s2').start).toBeGreaterThanOrEqual(at('y/s1').end);
      // z after the whole first wave.
      const firstWaveEnd = Math.max(...['x/s1', 'x/s2', 'y/s1', 'y/s2'].map((i) => at(i).end));
      expect(at('z/s1').start).toBeGreaterThanOrEqual(firstWaveEnd);
      // 6 steps of 150 ms: 4 in sequence would be 900 ms; two lanes take about 600 ms.
      expect(ms).toBeLessThan(850);
    } finally {
      await b.close();
    }
  });

  it('a failing step stops its wave: the others finish their step and start no other', async () => {
    const b = bench();
    try {
      const spans: Span[] = [];
      const engine = new Engine({
        store: b.store,
        drivers: timedDrivers(spans, 100),
        actor: 'alice',
        roles: {},
        pollMs: 20,
      });
      const o = await engine.start(runOf([['x', 'y'], ['z']], 3, 'x/s1'));
      expect(o).toMatchObject({ state: 'failed', stepId: 'x/s1' });
      const ran = spans.map((s) => s.step).sort();
      expect(ran).toEqual(['x/s1', 'y/s1']);
      const run = await b.store.runs.get(o.runId);
      expect(run?.state).toBe('failed');
    } finally {
      await b.close();
    }
  });

  it('waits for one approval at a time; the other services go on meanwhile', async () => {
    const b = bench();
    try {
      const spans: Span[] = [];
      const engine = new Engine({
        store: b.store,
        drivers: timedDrivers(spans, 50),
        actor: 'alice',
        roles: {},
        pollMs: 20,
      });
      const planned = runOf([['x', 'y']], 2, undefined, true);
      const done = engine.start(planned);
      // Approve whatever the run waits for, as someone else, until it ends (bounded: 5 s).
      const approver = new Engine({
        store: b.store,
        drivers: timedDrivers([], 0),
        actor: 'bob',
        roles: {},
      });
      const waited: string[] = [];
      for (let i = 0; i < 250; i++) {
        const [run] = await b.store.runs.list();
        if (run && ['succeeded', 'failed', 'aborted'].includes(run.state)) break;
        const waiting = (run?.data as { waiting?: { stepId: string } } | undefined)?.waiting;
        if (run?.state === 'waiting-approval' && waiting && !waited.includes(waiting.stepId)) {
          waited.push(waiting.stepId);
          await approver.approve(run.id, waiting.stepId, planned.planHash);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const o = await done;
      expect(o.state, o.message).toBe('succeeded');
      // Both manual steps were approved, one after the other (the run has a single `waiting`).
      expect([...waited].sort()).toEqual(['x/s1', 'y/s1']);
      const journal = await b.store.journal.read(o.runId);
      const notes = journal
        .filter((e) => e.phase === 'note')
        .map((e) => `${(e.data as { event?: string }).event} ${e.stepId}`)
        .filter((n) => /^(waiting-approval|approved) /.test(n));
      const [first, second] = waited;
      expect(notes).toEqual([
        `waiting-approval ${first}`,
        `approved ${first}`,
        `waiting-approval ${second}`,
        `approved ${second}`,
      ]);
      expect(spans.map((x) => x.step).sort()).toEqual(['x/s2', 'y/s2']);
    } finally {
      await b.close();
    }
  });

  it('a failure ends the wait of another service for its approval: the run fails, waiting for nothing', async () => {
    const b = bench();
    try {
      const engine = new Engine({
        store: b.store,
        drivers: timedDrivers([], 100),
        actor: 'alice',
        roles: {},
        pollMs: 20,
      });
      const planned = runOf([['x', 'y']], 2, 'x/s1');
      planned.steps = planned.steps.map((st) =>
        st.id === 'y/s1' ? { ...st, action: 'manual' } : st,
      );
      // Bounded: x/s1 fails after 100 ms; y stops waiting at its next poll (20 ms).
      const o = await engine.start(planned);
      expect(o).toMatchObject({ state: 'failed', stepId: 'x/s1' });
      const run = await b.store.runs.get(o.runId);
      expect(run?.state).toBe('failed');
      expect((run?.data as { waiting?: unknown } | undefined)?.waiting).toBeUndefined();
    } finally {
      await b.close();
    }
  });
});
