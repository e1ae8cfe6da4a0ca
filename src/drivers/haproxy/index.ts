// HAProxy traffic switching and read-only mode through the runtime API.
export { type HaproxyConfig, HaproxyDriver, type HaproxyTiming } from './haproxy-driver.js';
export {
  type AdminState,
  type OpState,
  parseMap,
  parseServersState,
  parseStat,
  readiness,
  type ServerStat,
  type ServerState,
} from './parse.js';
export { mapFileWith, ReadOnlyMap } from './read-only.js';
export {
  checkAnswer,
  commandLine,
  netTransport,
  RuntimeApi,
  type RuntimeEndpoint,
  type RuntimeTransport,
} from './runtime-api.js';
export { currentDestination, planSwitch, type SwitchPlan } from './switch-plan.js';
