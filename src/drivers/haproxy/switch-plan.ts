// The pure part of moving a backend's traffic: given the servers' states, what must change so
// that the destination's server takes the traffic and the others none. Tested exhaustively.
import { LifeboatError } from '../../core/errors/index.js';
import { safeName } from '../safe-values.js';
import type { ServerState } from './parse.js';

export interface SwitchPlan {
  /** Nothing to do: the target is ready with weight, every other configured server in maint. */
  already: boolean;
  target: ServerState;
  /** The target is in maint: it goes to drain first, so that its health check runs. */
  leaveMaint: boolean;
  /** The target's weight is 0: restore this weight. */
  restoreWeight: number | undefined;
  setReady: boolean;
  /** Configured servers other than the target that still take traffic: to maint, sessions shut. */
  toMaint: string[];
}

/**
 * `servers` maps destination → server name (from the plan). Refuses with LB_E_DRIVER_CONFLICT
 * when a configured server is missing from the backend (the plan and HAProxy disagree).
 */
export function planSwitch(
  states: readonly ServerState[],
  servers: ReadonlyMap<string, string>,
  destination: string,
  backend: string,
): SwitchPlan {
  const byName = new Map(states.map((s) => [s.name, s]));
  for (const [dest, name] of servers) {
    if (!byName.has(name)) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `server ${name} (of ${dest}) is not in HAProxy backend ${backend}`,
        { hint: `The backend has: ${states.map((s) => s.name).join(', ') || 'no server'}.` },
      );
    }
  }
  const targetName = servers.get(safeName(destination, 'the destination'));
  if (targetName === undefined) {
    throw new LifeboatError(
      'LB_E_DRIVER_CONFIG',
      `no HAProxy server is configured for destination ${JSON.stringify(destination.slice(0, 64))}`,
      { hint: `Known destinations: ${[...servers.keys()].join(', ')}.` },
    );
  }
  const target = byName.get(targetName) as ServerState;
  const toMaint = [...servers.values()].filter(
    (name) => name !== targetName && byName.get(name)?.admin !== 'maint',
  );
  const restoreWeight = target.weight === 0 ? Math.max(1, target.initialWeight) : undefined;
  const setReady = target.admin !== 'ready';
  return {
    already: !setReady && restoreWeight === undefined && toMaint.length === 0,
    target,
    leaveMaint: target.admin === 'maint',
    restoreWeight,
    setReady,
    toMaint,
  };
}

/** The destination whose server is the only configured one taking traffic (ready, weight > 0). */
export function currentDestination(
  states: readonly ServerState[],
  servers: ReadonlyMap<string, string>,
): string | undefined {
  const byName = new Map(states.map((s) => [s.name, s]));
  const live = [...servers].filter(([, name]) => {
    const s = byName.get(name);
    return s?.admin === 'ready' && s.weight > 0;
  });
  return live.length === 1 ? live[0]?.[0] : undefined;
}
