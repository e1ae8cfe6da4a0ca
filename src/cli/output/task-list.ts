// Live progress of a run on a terminal: every planned step on a line of its own with a status
// mark, redrawn in place. Pure part (state, events folded into it, state → lines) plus a thin
// writer that redraws with ANSI cursor movements at most 10 times a second. Off a terminal, with
// --json, or with TERM=dumb the plain lines of run-progress.ts are printed instead (`progressMode`).
import { printable } from '../../core/plan/index.js';
import type { PlannedStep } from '../../core/runbook/index.js';
import type { EngineEvent, EngineListener } from '../../engine/index.js';
import { type Paint, palette } from './table.js';

export type TaskStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'waiting'
  | 'undoing'
  | 'undone'
  | 'undo-failed';

export interface TaskRow {
  id: string;
  service: string;
  action: string;
  target: string;
  pointOfNoReturn: boolean;
  status: TaskStatus;
  startedAt?: number;
  durationMs?: number;
  attempt?: number;
  detail?: string;
  error?: { code: string; message: string };
  /** A warning or a retry, shown after the row's status. */
  note?: string;
  waiting?: { role?: string; reason?: string };
}

export interface TaskListState {
  title: string;
  runId?: string;
  rows: TaskRow[];
  /** Steps whose point of no return was crossed (the engine's note names the step). */
  pnrPassed: string[];
  /** Run-level lines: aborting, resumed. */
  banner: string[];
  runState?: string;
}

type Data = Record<string, unknown>;

export function initialTaskList(title: string, steps: readonly PlannedStep[]): TaskListState {
  return {
    title,
    rows: steps.map((s) => ({
      id: s.id,
      service: s.service,
      action: s.action,
      target: s.target,
      pointOfNoReturn: s.pointOfNoReturn,
      status: 'pending' as const,
    })),
    pnrPassed: [],
    banner: [],
  };
}

const errOf = (d: Data): { code: string; message: string } => {
  const e = (d.error ?? {}) as Data;
  return { code: String(e.code ?? 'unknown'), message: String(e.message ?? '') };
};

/** Pure: the state after one engine event (the input is not changed). */
export function applyEvent(state: TaskListState, e: EngineEvent): TaskListState {
  const s: TaskListState = {
    ...state,
    rows: state.rows.map((r) => ({ ...r })),
    pnrPassed: [...state.pnrPassed],
    banner: [...state.banner],
  };
  s.runId ??= e.runId;
  if (e.type === 'state') {
    s.runState = e.state;
    return s;
  }
  const { entry } = e;
  const d = (entry.data ?? {}) as Data;
  if (entry.stepId === null) {
    if (d.event === 'point-of-no-return' && typeof d.stepId === 'string')
      s.pnrPassed.push(d.stepId);
    else if (d.event === 'aborting')
      s.banner.push(`■ aborting (requested by ${String(d.by)}: ${String(d.reason)})`);
    else if (d.event === 'resumed') s.banner.push(`↻ resumed by ${String(d.by)}`);
    return s;
  }
  const undo = entry.stepId.endsWith('#undo');
  const id = undo ? entry.stepId.slice(0, -'#undo'.length) : entry.stepId;
  let row = s.rows.find((r) => r.id === id);
  if (!row) {
    row = {
      id,
      service: '',
      action: String(d.action ?? ''),
      target: String(d.target ?? ''),
      pointOfNoReturn: false,
      status: 'pending',
    };
    s.rows.push(row);
  }
  switch (entry.phase) {
    case 'intent':
      row.status = undo ? 'undoing' : 'running';
      row.startedAt = entry.at;
      row.attempt = Number(d.attempt) || 1;
      delete row.waiting;
      break;
    case 'result': {
      const failed = d.status === 'failed';
      row.status = undo ? (failed ? 'undo-failed' : 'undone') : failed ? 'failed' : 'succeeded';
      row.durationMs =
        typeof d.durationMs === 'number'
          ? d.durationMs
          : row.startedAt !== undefined
            ? entry.at - row.startedAt
            : undefined;
      if (failed) row.error = errOf(d);
      else {
        delete row.error;
        delete row.note;
      }
      if (typeof d.detail === 'string') row.detail = d.detail;
      break;
    }
    case 'note':
      switch (d.event) {
        case 'waiting-approval':
          row.status = 'waiting';
          row.waiting = {
            ...(d.role ? { role: String(d.role) } : {}),
            ...(d.reason ? { reason: String(d.reason) } : {}),
          };
          break;
        case 'approved':
          if (row.status === 'waiting') row.status = 'pending';
          delete row.waiting;
          row.note = `approved by ${String(d.approver)}`;
          break;
        case 'retry':
          row.note = `retrying after ${errOf(d).message}`;
          break;
        case 'unfenced':
          row.note = `could not fence: ${errOf(d).message}`;
          break;
        case 'data-loss-accepted':
          row.note = 'not ready, going on (--accept-data-loss)';
          break;
      }
      break;
    case 'effect':
      break;
  }
  return s;
}

/** `0.4 s`, `12 s`, `3m 05s`. */
export function elapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** Cut to `width` visible characters (code points), ending with `…` when cut. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join('');
  return `${chars.slice(0, width - 1).join('')}…`;
}

const MARKS: Record<TaskStatus, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  waiting: '⏸',
  undoing: '↶',
  undone: '↶',
  'undo-failed': '✗',
};

export interface RenderOptions {
  /** Milliseconds since the epoch, for the running steps' elapsed time. */
  now: number;
  /** Terminal columns: every line is cut to fit (never wrapped; cursor-up counts lines). */
  width: number;
  /** Terminal rows: when the list is taller, finished steps at the top are folded into one line. */
  height?: number;
  colour?: boolean;
}

interface Line {
  text: string;
  paint?: Paint;
  /** Only the first `markLength` characters are painted with `paint`. */
  markOnly?: boolean;
}

function rowLines(r: TaskRow, idWidth: number, runId: string | undefined, now: number): Line[] {
  const id = printable(r.id).padEnd(idWidth);
  const what = `${printable(r.action)} → ${printable(r.target)}`;
  const note = r.note ? ` · ${printable(r.note)}` : '';
  const mark = MARKS[r.status];
  switch (r.status) {
    case 'pending':
      return [{ text: `${mark} ${id}  ${what}${note}` }];
    case 'running': {
      const t = r.startedAt !== undefined ? ` · ${elapsed(now - r.startedAt)}` : '';
      const attempt = (r.attempt ?? 1) > 1 ? ` (attempt ${r.attempt})` : '';
      return [{ text: `${mark} ${id}  ${what}${t}${attempt}${note}` }];
    }
    case 'succeeded': {
      const t = r.durationMs !== undefined ? elapsed(r.durationMs) : 'done';
      return [{ text: `${mark} ${id}  ${t}${r.detail ? ` · ${printable(r.detail)}` : ''}${note}` }];
    }
    case 'failed':
      return [
        {
          text: `${mark} ${id}  ${r.error?.code ?? 'failed'}${r.durationMs !== undefined ? ` after ${elapsed(r.durationMs)}` : ''}`,
        },
        { text: `    ${printable(r.error?.message ?? '')}` },
      ];
    case 'waiting': {
      const who = r.waiting?.role ? ` by role ${printable(r.waiting.role)}` : '';
      return [
        {
          text: `${mark} ${id}  waiting for an approval${who}${r.waiting?.reason ? `: ${printable(r.waiting.reason)}` : ''}`,
        },
        { text: `    approve with: lifeboat approve ${runId ?? '<run>'} ${printable(r.id)}` },
      ];
    }
    case 'undoing':
      return [
        {
          text: `${mark} ${id}  undoing${r.startedAt !== undefined ? ` · ${elapsed(now - r.startedAt)}` : ''}`,
        },
      ];
    case 'undone':
      return [{ text: `${mark} ${id}  undone${r.detail ? ` · ${printable(r.detail)}` : ''}` }];
    case 'undo-failed':
      return [
        { text: `${mark} ${id}  undo failed: ${r.error?.code ?? ''} ${r.error?.message ?? ''}` },
      ];
  }
}

const DONE: readonly TaskStatus[] = ['succeeded', 'undone'];

/** Pure: the task list as terminal lines, each at most `width - 1` visible characters. */
export function renderTaskList(state: TaskListState, o: RenderOptions): string[] {
  const p = palette(o.colour ?? false);
  const paintOf: Partial<Record<TaskStatus, Paint>> = {
    pending: p.dim,
    running: p.bold,
    succeeded: p.green,
    failed: p.red,
    'undo-failed': p.red,
    waiting: p.yellow,
    undoing: p.yellow,
    undone: p.yellow,
  };
  const idWidth = Math.min(48, Math.max(0, ...state.rows.map((r) => [...printable(r.id)].length)));
  const body: { line: Line; row?: TaskRow }[] = [];
  for (const r of state.rows) {
    if (r.pointOfNoReturn) {
      const passed = state.pnrPassed.includes(r.id);
      body.push({
        line: {
          text: `──── point of no return${r.service ? ` (${printable(r.service)})` : ''}${passed ? ': passed, the run only goes forward' : ': abort is refused from here on'} ────`,
          paint: p.red,
        },
      });
    }
    rowLines(r, idWidth, state.runId, o.now).forEach((line, i) => {
      body.push({
        line: i === 0 ? { ...line, paint: paintOf[r.status], markOnly: true } : line,
        row: r,
      });
    });
  }
  const head: Line[] = [
    {
      text: `${printable(state.title)}${state.runId ? ` · run ${state.runId}` : ''}${state.runState ? ` · ${state.runState}` : ''}`,
      paint: p.bold,
    },
    ...state.banner.map((b) => ({ text: b, paint: p.yellow })),
  ];
  // Taller than the terminal: fold the finished steps at the top (lines that scrolled out of
  // view could not be redrawn in place).
  let lines = body;
  if (o.height !== undefined && head.length + body.length > o.height - 1) {
    const room = Math.max(1, o.height - 1 - head.length - 1);
    let folded = 0;
    let start = 0;
    while (body.length - start > room && start < body.length) {
      const b = body[start] as { row?: TaskRow };
      if (b.row && !DONE.includes(b.row.status)) break;
      if (b.row) folded++;
      start++;
    }
    if (start > 0)
      lines = [
        {
          line: { text: `✓ ${folded} step${folded === 1 ? '' : 's'} done (above)`, paint: p.green },
        },
        ...body.slice(start),
      ];
  }
  const width = Math.max(10, o.width - 1);
  return [...head, ...lines.map((b) => b.line)].map((l) => {
    const text = cut(l.text, width);
    if (!l.paint) return text;
    if (!l.markOnly) return l.paint(text);
    const [mark, ...rest] = [...text];
    return `${l.paint(mark ?? '')}${rest.join('')}`;
  });
}

export interface Terminal {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  env: NodeJS.ProcessEnv;
}

export type ProgressMode = 'json' | 'tasks' | 'lines';

/** A task list only on a terminal that can move its cursor, and never with --json. */
export function progressMode(t: Terminal | undefined, json: boolean | undefined): ProgressMode {
  if (json) return 'json';
  if (t?.isTTY !== true) return 'lines';
  if (t.env.TERM === 'dumb') return 'lines';
  return 'tasks';
}

const MIN_REDRAW_MS = 100;
const TICK_MS = 200;

/**
 * Redraws the task list in place: cursor up over the lines drawn last, erase to the end of the
 * screen, draw again; at most every 100 ms, and every 200 ms while a step runs (its elapsed
 * time). `finish()` leaves the final state on the screen.
 */
export class TaskListWriter {
  #state: TaskListState;
  #drawn = 0;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  #tick: NodeJS.Timeout | undefined;
  #done = false;

  constructor(
    initial: TaskListState,
    private readonly write: (text: string) => void,
    private readonly terminal: Terminal,
    private readonly now: () => number = Date.now,
  ) {
    this.#state = initial;
  }

  get state(): TaskListState {
    return this.#state;
  }

  readonly listener: EngineListener = (e) => {
    this.#state = applyEvent(this.#state, e);
    this.#schedule();
  };

  /** Draws at once (the first frame, the final one). */
  draw(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const colour = this.terminal.env.NO_COLOR === undefined || this.terminal.env.NO_COLOR === '';
    // A pseudo-terminal may report 0 × 0 (no size set): 80 columns, no height limit.
    const rows = this.terminal.rows;
    const lines = renderTaskList(this.#state, {
      now: this.now(),
      width: this.terminal.columns || 80,
      ...(rows ? { height: rows } : {}),
      colour,
    });
    const up = this.#drawn > 0 ? `\r\u001b[${this.#drawn}A` : '';
    this.write(`${up}\u001b[J${lines.join('\n')}\n`);
    this.#drawn = lines.length;
    this.#last = this.now();
    this.#ticking();
  }

  /** The final frame; nothing is redrawn after it. */
  finish(): void {
    if (this.#done) return;
    this.draw();
    this.#done = true;
    this.#stop();
  }

  #schedule(): void {
    if (this.#done || this.#timer) return;
    const wait = this.#last + MIN_REDRAW_MS - this.now();
    if (wait <= 0) this.draw();
    else {
      this.#timer = setTimeout(() => this.draw(), wait);
      this.#timer.unref();
    }
  }

  #ticking(): void {
    const running = this.#state.rows.some((r) => r.status === 'running' || r.status === 'undoing');
    if (running && !this.#tick && !this.#done) {
      this.#tick = setInterval(() => this.#schedule(), TICK_MS);
      this.#tick.unref();
    } else if (!running && this.#tick) {
      clearInterval(this.#tick);
      this.#tick = undefined;
    }
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#tick) clearInterval(this.#tick);
    this.#timer = undefined;
    this.#tick = undefined;
  }
}
