// What the engine tells whoever watches a run (the CLI's live progress, later the API's SSE):
// every journal entry as it is written, and every change of the run's state.
import type { JournalEntry, RunState } from '../store/index.js';

export type EngineEvent =
  | { type: 'journal'; runId: string; entry: JournalEntry }
  | { type: 'state'; runId: string; state: RunState; message: string };

export type EngineListener = (event: EngineEvent) => void;

/** How a call that executes a run ended, for the caller to print and to pick an exit code. */
export interface RunOutcome {
  runId: string;
  state: RunState;
  message: string;
  /** The step the run stopped at (failed, or waiting for an approval). */
  stepId?: string;
  /** The error, for a failed run. */
  code?: string;
}
