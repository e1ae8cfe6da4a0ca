// The shape every action handler has. An action is what a step's `action` names
// (`postgres.promote`, `dns.switch`, `engine.check-ready`, `manual`...); the handler turns the
// step's target and args into driver calls, with the engine's safety interlocks around them.
import type { EffectResult, OperationContext } from '../../drivers/driver.js';
import type { JsonValue } from '../../store/index.js';
import type { StepDrivers } from '../ports.js';

/** The part of a planned step (or of an undo) a handler acts on. */
export interface ActionStep {
  id: string;
  service: string;
  action: string;
  target: string;
  args: Record<string, unknown>;
}

export interface ActionContext {
  step: ActionStep;
  drivers: StepDrivers;
  op: OperationContext;
  /** The run was started with --accept-data-loss (and a reason). */
  acceptDataLoss: boolean;
  /** Records a fact in the step's journal (a verdict, an override, an observation). */
  note(data: Record<string, JsonValue>): Promise<void>;
  /** How a node was fenced earlier in this run: fenced, or approved while unreachable. */
  fencedInRun(service: string, node: string): 'fenced' | 'unfenced-approved' | undefined;
  /** This run's check-ready step of the service succeeded: the readiness decision is made. */
  readinessChecked(service: string): boolean;
  /** How long traffic waits for the destination site's probes to pass. */
  siteGateMs: number;
  /** Waits, or rejects when `op.signal` aborts. */
  sleep(ms: number): Promise<void>;
}

export interface ActionHandler {
  /**
   * Applying it again is safe: it re-checks its target first (every driver effect, the checks).
   * After a crash between intent and effect, an idempotent step is observed and applied again;
   * any other (a command, a playbook) waits for an operator's approval.
   */
  idempotent: boolean;
  /** The step is the operator's own act (manual, confirm): its approval is the step. */
  human?: boolean;
  apply(ctx: ActionContext): Promise<EffectResult>;
}
