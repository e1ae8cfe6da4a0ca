export { deriveRunbook, deriveServiceSteps, type ServiceSteps } from './derive.js';
export { GATE_STEP, type GateOptions, gateStepId, withApprovalGate } from './gate.js';
export { canonicalJson, planHash, sha256Hex } from './plan-hash.js';
export { type RunTotals, runTotals } from './summary.js';
export * from './types.js';
