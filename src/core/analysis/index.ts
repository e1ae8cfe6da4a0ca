export { analyzePlan, worstVerdict } from './analyze.js';
export {
  DEFAULT_ASYNC_LAG_MS,
  DEFAULT_ESTIMATES,
  RESTORE_BYTES_PER_SECOND,
  TRAFFIC_ESTIMATES,
} from './estimates.js';
export * from './types.js';
