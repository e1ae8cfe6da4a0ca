// What resume reads before applying again an effect that may have happened before a crash: the
// target's own account of itself, recorded in the journal. (The drivers re-check their target
// anyway, so applying again changes nothing already done; this makes it visible.)
import type { Driver, OperationContext } from '../../drivers/driver.js';
import type { StepDrivers } from '../ports.js';
import type { ActionStep } from './types.js';

function driverOf(drivers: StepDrivers, step: ActionStep): Driver | undefined {
  const op = step.action.split('.')[1] ?? '';
  const dataSet = step.args.dataSet;
  if (['fence', 'unfence', 'promote', 'rebuild'].includes(op) && typeof dataSet === 'string')
    return drivers.database(step.service, dataSet, step.target);
  if (op === 'switch' || step.action.startsWith('haproxy.')) {
    const index =
      typeof step.args.traffic === 'number'
        ? step.args.traffic
        : drivers.trafficIndex(step.service, step.target);
    return index === undefined ? undefined : drivers.traffic(step.service, index);
  }
  return undefined;
}

/** One line about the step's target now, or why it could not be read. */
export async function observeTarget(
  drivers: StepDrivers,
  step: ActionStep,
  op: OperationContext,
): Promise<string> {
  try {
    const d = driverOf(drivers, step);
    if (!d) return 'nothing to observe: the step is a check';
    return (await d.observe(op)).summary;
  } catch (e) {
    return `could not observe: ${e instanceof Error ? e.message : String(e)}`;
  }
}
