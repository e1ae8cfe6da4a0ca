// Which handler executes which action. The database and traffic actions take any driver kind
// with the capability (`postgres.promote`, `mariadb.promote`...); the rest are named exactly.
import { LifeboatError } from '../../core/errors/index.js';
import { confirm, httpGet, manual, verify } from './checks.js';
import { fence, promote, rebuild, unfence } from './database.js';
import { checkReady, waitCatchUp } from './readiness.js';
import { command, mirror, playbook } from './run.js';
import { forceReadOnly, forceReadWrite, setReadOnly, switchTraffic } from './traffic.js';
import type { ActionHandler } from './types.js';

export { mirrorVerdict, replicaVerdict, type Verdict } from './readiness.js';
export type { ActionContext, ActionHandler, ActionStep } from './types.js';

const EXACT: Record<string, ActionHandler> = {
  manual,
  'engine.confirm': confirm,
  'engine.check-ready': checkReady,
  'engine.wait-catch-up': waitCatchUp,
  'probe.verify': verify,
  'http.get': httpGet,
  'command.run': command,
  'ansible.playbook': playbook,
  'rsync.sync': mirror,
  'haproxy.read-only': setReadOnly,
  'haproxy.set-read-only': forceReadOnly,
  'haproxy.set-read-write': forceReadWrite,
};

/** `<driver kind>.<operation>` for any database or traffic driver with the capability. */
const BY_OPERATION: Record<string, ActionHandler> = {
  fence,
  unfence,
  promote,
  rebuild,
  switch: switchTraffic,
};

export const SUPPORTED_ACTIONS = [
  ...Object.keys(EXACT),
  ...Object.keys(BY_OPERATION).map((op) => `<kind>.${op}`),
];

export function handlerFor(action: string): ActionHandler {
  const exact = EXACT[action];
  if (exact) return exact;
  const op = action.split('.')[1];
  const byOp = op !== undefined ? BY_OPERATION[op] : undefined;
  if (byOp) return byOp;
  throw new LifeboatError(
    'LB_E_ENGINE_UNSUPPORTED_ACTION',
    `the engine cannot execute \`${action}\`; it executes ${SUPPORTED_ACTIONS.join(', ')}`,
  );
}
