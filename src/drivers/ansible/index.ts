export { CALLBACK_SOURCE } from './callback-plugin.js';
export { type AnsibleConfig, type PinnedHost, validateAnsibleConfig } from './config.js';
export { AnsibleDriver, type PlaybookReport } from './driver.js';
export {
  type AnsibleEvent,
  applyEvent,
  newRunState,
  parseEventLine,
  type RunState,
  verdict,
} from './events.js';
export { type ExtraValue, encodeExtraVars } from './extra-vars.js';
export { playbookArgv } from './process.js';
