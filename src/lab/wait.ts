// Every wait of the lab is bounded twice, in attempts and in time, and ends in a coded error
// that names what did not come up and where to look.
import { setTimeout as sleep } from 'node:timers/promises';
import { LifeboatError } from '../core/errors/index.js';
import { type Exit, logTail } from './daemon.js';

export interface WaitOptions {
  /** What we wait for, as the operator would say it: "postgres-a to accept connections". */
  what: string;
  /** The log to read when it does not happen. */
  log?: string;
  timeoutMs: number;
  intervalMs?: number;
  /** A daemon's exit, which ends the wait at once. */
  exited?: Promise<Exit>;
}

/**
 * Polls `check` until it returns a value other than undefined/false. A check that throws counts
 * as "not yet" (a server not listening refuses connections) until the deadline.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 100;
  const deadline = performance.now() + opts.timeoutMs;
  const maxAttempts = Math.ceil(opts.timeoutMs / Math.max(1, interval)) + 2;
  let exit: Exit | undefined;
  void opts.exited?.then((e) => {
    exit = e;
  });
  let lastError = '';
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (exit) break;
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (performance.now() >= deadline || exit) break;
    await sleep(interval);
  }
  const where = opts.log ? `; log: ${opts.log}` : '';
  const last = opts.log ? logTail(opts.log, 6) : '';
  if (exit) {
    throw new LifeboatError(
      'LB_E_LAB_SERVER_EXITED',
      `waiting for ${opts.what}: it exited (${exit.code ?? exit.signal})${where}${last ? `\n${last}` : ''}`,
    );
  }
  throw new LifeboatError(
    'LB_E_LAB_START_TIMEOUT',
    `${opts.what}: not within ${opts.timeoutMs} ms${lastError ? ` (last: ${lastError})` : ''}${where}${last ? `\n${last}` : ''}`,
  );
}
