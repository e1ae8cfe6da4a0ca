// The engine: executes planned runs step by step with a durable journal, approvals, fencing
// tokens, the point of no return and its safety interlocks. See docs/runbooks.md.
export {
  handlerFor,
  mirrorVerdict,
  replicaVerdict,
  SUPPORTED_ACTIONS,
  type Verdict,
} from './actions/index.js';
export { pendingApproval, recordApproval } from './approvals.js';
export { Engine, type StartOptions } from './engine.js';
export type { EngineEvent, EngineListener, RunOutcome } from './events.js';
export { foldJournal, type StepPhase, type StepRecord, undoId } from './journal-state.js';
export { runLeaseKey, runLeaseOwner } from './lease-keeper.js';
export type {
  DataSetFacts,
  FenceLeases,
  LeaseRevocation,
  Runnable,
  StepDrivers,
  Syncable,
} from './ports.js';
export type { EngineConfig } from './run-context.js';
export { type RunData, runData, type Waiting } from './run-data.js';
