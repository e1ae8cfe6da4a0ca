// The live task list of `lifeboat run` on a terminal: the pure renderer (every planned step with
// its mark, the point of no return, waiting with the approve command, failure with its code,
// lines cut to the terminal's width, folding when taller than the terminal), the writer's
// in-place redraws (throttled), and the switch between the task list and the plain lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { executeRun, liveProgress } from '../../../src/cli/commands/run-execute.js';
import {
  applyEvent,
  cut,
  elapsed,
  initialTaskList,
  progressMode,
  renderTaskList,
  type TaskListState,
  TaskListWriter,
} from '../../../src/cli/output/task-list.js';
import { loadPlanFile } from '../../../src/cli/plan-files.js';
import { ExitCode } from '../../../src/cli/program.js';
import type { PlannedStep } from '../../../src/core/runbook/index.js';
import { deriveRunbook } from '../../../src/core/runbook/index.js';
import type { EngineEvent } from '../../../src/engine/index.js';
import type { JournalPhase } from '../../../src/store/index.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const RUN = 'r-1';

function step(id: string, action: string, target: string, pnr = false): PlannedStep {
  return {
    id,
    service: 'db',
    kind: 'promote',
    action,
    target,
    args: {},
    description: '',
    estimateMs: 0,
    estimateSource: 'unknown',
    pointOfNoReturn: pnr,
    timeoutMs: 60_000,
    retries: 0,
    needs: [],
    readOnly: false,
    origin: { path: [] },
  } as PlannedStep;
}

const STEPS = [
  step('db/fence/a', 'postgres.fence', 'a'),
  step('db/check-ready/b', 'engine.check-ready', 'b'),
  step('db/promote/b', 'postgres.promote', 'b', true),
  step('db/switch-traffic/db.example.org', 'dns.switch', 'db.example.org'),
];

let seq = 0;
function j(
  stepId: string | null,
  phase: JournalPhase,
  data: Record<string, unknown>,
  at: number,
): EngineEvent {
  seq++;
  return {
    type: 'journal',
    runId: RUN,
    entry: { runId: RUN, seq, at, stepId, phase, token: 1, data: data as never },
  };
}

function fold(events: EngineEvent[]): TaskListState {
  return events.reduce(applyEvent, initialTaskList('failover db', STEPS));
}

const render = (s: TaskListState, now = T0 + 5000, width = 200) =>
  renderTaskList(s, { now, width });

describe('renderTaskList (pure)', () => {
  it('lists every planned step pending, the point of no return on a line of its own before its step', () => {
    const lines = render(initialTaskList('failover db', STEPS));
    expect(lines).toEqual([
      'failover db',
      '· db/fence/a                        postgres.fence → a',
      '· db/check-ready/b                  engine.check-ready → b',
      '──── point of no return (db): abort is refused from here on ────',
      '· db/promote/b                      postgres.promote → b',
      '· db/switch-traffic/db.example.org  dns.switch → db.example.org',
    ]);
  });

  it('running with its elapsed time, done with its duration and detail, the divider once crossed', () => {
    const s = fold([
      j(null, 'note', { event: 'started', requester: 'alice' }, T0),
      j('db/fence/a', 'intent', { action: 'postgres.fence', target: 'a', attempt: 1 }, T0),
      j(
        'db/fence/a',
        'result',
        { status: 'succeeded', detail: 'stopped a', durationMs: 140 },
        T0 + 140,
      ),
      j('db/check-ready/b', 'intent', { attempt: 1 }, T0 + 200),
      j('db/check-ready/b', 'result', { status: 'succeeded', durationMs: 12_400 }, T0 + 12_600),
      j(null, 'note', { event: 'point-of-no-return', stepId: 'db/promote/b' }, T0 + 12_700),
      j('db/promote/b', 'intent', { attempt: 2 }, T0 + 12_700),
    ]);
    const lines = render(s, T0 + 15_900);
    expect(lines[0]).toBe('failover db · run r-1');
    expect(lines[1]).toBe('✓ db/fence/a                        0.1 s · stopped a');
    expect(lines[2]).toBe('✓ db/check-ready/b                  12 s');
    expect(lines[3]).toBe('──── point of no return (db): passed, the run only goes forward ────');
    expect(lines[4]).toBe(
      '▶ db/promote/b                      postgres.promote → b · 3.2 s (attempt 2)',
    );
    expect(lines[5]).toMatch(/^· db\/switch-traffic/);
    // The elapsed time ticks with `now`.
    expect(render(s, T0 + 75_700)[4]).toContain('· 1m 03s');
  });

  it('waiting: ⏸ with the role, the reason and the approve command to type', () => {
    const s = fold([
      j(
        'db/fence/a',
        'note',
        { event: 'waiting-approval', role: 'approver', reason: 'a is unreachable' },
        T0,
      ),
    ]);
    const lines = render(s);
    expect(lines[1]).toBe(
      '⏸ db/fence/a                        waiting for an approval by role approver: a is unreachable',
    );
    expect(lines[2]).toBe('    approve with: lifeboat approve r-1 db/fence/a');
    const approved = applyEvent(
      s,
      j('db/fence/a', 'note', { event: 'approved', approver: 'carol' }, T0 + 1),
    );
    expect(render(approved)[1]).toBe(
      '· db/fence/a                        postgres.fence → a · approved by carol',
    );
  });

  it('failed: ✗ with the error code and how long it took, the message under it', () => {
    const s = fold([
      j('db/fence/a', 'intent', { attempt: 1 }, T0),
      j(
        'db/fence/a',
        'result',
        {
          status: 'failed',
          durationMs: 2600,
          error: {
            code: 'LB_E_DRIVER_UNREACHABLE',
            message: 'connect ETIMEDOUT 10.255.255.1:5432',
          },
        },
        T0 + 2600,
      ),
      { type: 'state', runId: RUN, state: 'failed', message: 'x' },
    ]);
    const lines = render(s);
    expect(lines[0]).toBe('failover db · run r-1 · failed');
    expect(lines[1]).toBe(
      '✗ db/fence/a                        LB_E_DRIVER_UNREACHABLE after 2.6 s',
    );
    expect(lines[2]).toBe('    connect ETIMEDOUT 10.255.255.1:5432');
  });

  it('undos during an abort: ↶ on the step, the abort on its own line', () => {
    const s = fold([
      j('db/fence/a', 'result', { status: 'succeeded', durationMs: 10 }, T0),
      j(null, 'note', { event: 'aborting', by: 'bob', reason: 'wrong site' }, T0 + 10),
      j('db/fence/a#undo', 'intent', { attempt: 1 }, T0 + 20),
      j('db/fence/a#undo', 'result', { status: 'succeeded', detail: 'started a' }, T0 + 30),
    ]);
    const lines = render(s);
    expect(lines[1]).toBe('■ aborting (requested by bob: wrong site)');
    expect(lines[2]).toBe('↶ db/fence/a                        undone · started a');
  });

  it('cuts every line to the terminal width, never wraps', () => {
    const s = fold([
      j('db/fence/a', 'intent', { attempt: 1 }, T0),
      j(
        'db/fence/a',
        'result',
        { status: 'failed', error: { code: 'LB_E_X', message: 'y'.repeat(300) } },
        T0 + 10,
      ),
    ]);
    const lines = renderTaskList(s, { now: T0, width: 40 });
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(39);
    expect(lines[2]).toMatch(/^ {4}y+…$/);
    expect(lines.find((l) => l.startsWith('────'))).toMatch(/…$/);
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('abc', 4)).toBe('abc');
  });

  it('colour paints the marks only, NO_COLOR-free text stays the same width', () => {
    const s = fold([j('db/fence/a', 'result', { status: 'succeeded', durationMs: 5 }, T0)]);
    const coloured = renderTaskList(s, { now: T0, width: 30, colour: true });
    expect(coloured[1]).toBe(`\u001b[32m✓\u001b[39m${render(s, T0, 30)[1]?.slice(1)}`);
  });

  it('taller than the terminal: the finished steps at the top fold into one line', () => {
    const many = Array.from({ length: 30 }, (_, i) => step(`s/${i}`, 'probe.verify', 's'));
    let s = initialTaskList('t', many);
    for (let i = 0; i < 25; i++)
      s = applyEvent(s, j(`s/${i}`, 'result', { status: 'succeeded', durationMs: 1 }, T0));
    const lines = renderTaskList(s, { now: T0, width: 80, height: 12 });
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines[1]).toMatch(/^✓ \d+ steps done \(above\)$/);
    expect(lines.at(-1)).toMatch(/^· s\/29/);
  });

  it('elapsed', () => {
    expect(elapsed(140)).toBe('0.1 s');
    expect(elapsed(12_400)).toBe('12 s');
    expect(elapsed(185_000)).toBe('3m 05s');
  });
});

describe('progressMode: a task list only on a terminal', () => {
  it('TTY → tasks; not a TTY, TERM=dumb → plain lines; --json always JSON', () => {
    expect(progressMode({ isTTY: true, env: {} }, false)).toBe('tasks');
    expect(progressMode({ isTTY: true, env: { NO_COLOR: '1' } }, false)).toBe('tasks');
    expect(progressMode({ isTTY: false, env: {} }, false)).toBe('lines');
    expect(progressMode(undefined, false)).toBe('lines');
    expect(progressMode({ isTTY: true, env: { TERM: 'dumb' } }, false)).toBe('lines');
    expect(progressMode({ isTTY: true, env: {} }, true)).toBe('json');
  });
});

describe('TaskListWriter', () => {
  afterEach(() => vi.useRealTimers());

  it('redraws in place (cursor up over the last frame, erase), at most every 100 ms', () => {
    vi.useFakeTimers({ now: T0 });
    const frames: string[] = [];
    const w = new TaskListWriter(initialTaskList('failover db', STEPS), (t) => frames.push(t), {
      isTTY: true,
      columns: 80,
      env: { NO_COLOR: '1' },
    });
    w.draw();
    expect(frames).toHaveLength(1);
    expect(frames[0]?.startsWith('\u001b[J')).toBe(true);
    w.listener(j('db/fence/a', 'intent', { attempt: 1 }, T0)); // < 100 ms after the first frame
    w.listener(j('db/fence/a', 'result', { status: 'succeeded', durationMs: 3 }, T0));
    w.listener(j('db/check-ready/b', 'intent', { attempt: 1 }, T0));
    expect(frames).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(frames).toHaveLength(2);
    expect(frames[1]?.startsWith('\r\u001b[6A\u001b[J')).toBe(true);
    expect(frames[1]).toContain('✓ db/fence/a');
    expect(frames[1]).toContain('▶ db/check-ready/b');
    // A running step ticks: about 5 frames a second, never more than 10.
    vi.advanceTimersByTime(1000);
    expect(frames.length).toBeGreaterThanOrEqual(6);
    expect(frames.length).toBeLessThanOrEqual(12);
    w.finish();
    const n = frames.length;
    vi.advanceTimersByTime(2000);
    expect(frames).toHaveLength(n); // nothing after the final frame
    expect(frames.at(-1)).not.toContain('\u001b[3'); // NO_COLOR
  });
});

describe('liveProgress (run and resume)', () => {
  it('resume on a terminal: the list starts from the journal so far, then follows the events', () => {
    let out = '';
    const p = liveProgress(
      (t) => {
        out += t;
      },
      false,
      { isTTY: true, columns: 120, env: { NO_COLOR: '1' } },
    );
    const past = [
      j('db/fence/a', 'result', { status: 'succeeded', durationMs: 140 }, T0),
      j('db/check-ready/b', 'note', { event: 'waiting-approval', reason: 'r' }, T0),
    ].map((e) => (e.type === 'journal' ? e.entry : undefined)) as never;
    p.begin('resume failover db', STEPS, past);
    expect(out).toContain('✓ db/fence/a');
    expect(out).toContain('⏸ db/check-ready/b');
    p.listener(j('db/check-ready/b', 'intent', { attempt: 1 }, T0 + 10));
    p.end();
    expect(out.split('\u001b[J').at(-1)).toContain('▶ db/check-ready/b');
  });

  it('off a terminal, begin() changes nothing: plain lines before and after', () => {
    let out = '';
    const p = liveProgress(
      (t) => {
        out += t;
      },
      false,
      { isTTY: false, env: {} },
    );
    p.begin('failover db', STEPS);
    p.listener(
      j('db/fence/a', 'intent', { action: 'postgres.fence', target: 'a', attempt: 1 }, T0),
    );
    p.end();
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ▶ db\/fence\/a: postgres\.fence → a\n$/);
  });
});

describe('lifeboat run on a terminal (the switch, end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-tasks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const PLAN = `version: 1
name: lab
tiers:
  high: {rto: 4h, rpo: 1h}
sites:
  a: {role: primary, provider: A}
  b: {role: offsite, provider: B}
nodes:
  a1: {site: a, address: 192.0.2.1}
  b1: {site: b, address: 198.51.100.1}
services:
  db:
    tier: high
    strategy: active-passive
    placement: {active: [a1], standby: [b1]}
    data:
      - name: db
        kind: postgres
        source: a1
        targets: [b1]
        replication: {mode: async}
        user: lifeboat
        password: env:TASKS_UNSET_PASSWORD
    traffic:
      - {kind: dns, record: db.example.org, zone: example.org, ttl: 1m, tsigKey: k, tsigSecret: "env:TSIG_SECRET"}
    health:
      - {kind: sql, name: select-one, data: db}
`;
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, PLAN);

  async function execute(terminal: Parameters<typeof executeRun>[3], state: string) {
    let out = '';
    const plan = loadPlanFile(file).plan;
    if (!plan) throw new Error('plan');
    const derived = deriveRunbook(plan, 'failover', 'db', {});
    let code = 0;
    try {
      await executeRun(
        () => derived.run as NonNullable<typeof derived.run>,
        { plan: file, state: join(dir, state) },
        (t) => {
          out += t;
        },
        terminal,
      );
    } catch (e) {
      if (!(e instanceof ExitCode)) throw e;
      code = e.code;
    }
    return { out, code };
  }

  it('a TTY gets the task list (redrawn in place), then the same summary line', async () => {
    const r = await execute({ isTTY: true, columns: 100, env: { NO_COLOR: '1' } }, 'tty.db');
    expect(r.code).toBe(1);
    expect(r.out).toContain('\u001b[J');
    expect(r.out).toMatch(/✗ db\/fence\/a1 +LB_E_DRIVER_SECRET/);
    expect(r.out).toMatch(/· db\/promote\/b1/);
    expect(r.out).toContain('──── point of no return (db)');
    expect(r.out).toMatch(/\nrun \S+: failed: db\/fence\/a1 failed: LB_E_DRIVER_SECRET .*\n$/);
    expect(r.out).not.toMatch(/^\d\d:\d\d:\d\d\.\d{3} ▶/m); // no plain lines
  });

  it('not a TTY (a pipe, CI), or TERM=dumb: the plain lines, as before', async () => {
    for (const [terminal, state] of [
      [{ isTTY: false, columns: 100, env: {} }, 'pipe.db'],
      [{ isTTY: true, columns: 100, env: { TERM: 'dumb' } }, 'dumb.db'],
      [undefined, 'none.db'],
    ] as const) {
      const r = await execute(terminal, state);
      expect(r.code).toBe(1);
      expect(r.out).not.toContain('\u001b[');
      expect(r.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} run \S+ started by /m);
      expect(r.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ▶ db\/fence\/a1: postgres\.fence → a1$/m);
      expect(r.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ✗ db\/fence\/a1: LB_E_DRIVER_SECRET /m);
    }
  });
});
