// keepalived VIP switching: priorities rewritten and reloaded by SIGHUP, the VIP read from the nodes' interfaces.
export {
  type InstanceFacts,
  type PriorityEdit,
  priorityEdit,
  priorityPlan,
  readInstance,
} from './config-edit.js';
export {
  type KeepalivedConfig,
  KeepalivedDriver,
  type KeepalivedNode,
} from './keepalived-driver.js';
export { addressesIn, KeepalivedNodeOps } from './node-ops.js';
