export { deriveRunbook, deriveServiceSteps, type ServiceSteps } from './derive.js';
export { canonicalJson, planHash, sha256Hex } from './plan-hash.js';
export { type RunTotals, runTotals } from './summary.js';
export * from './types.js';
