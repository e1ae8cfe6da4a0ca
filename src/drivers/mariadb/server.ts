// The MariaDB server process on its node, through the node's runner: is it alive (mariadb-admin
// ping over the local socket, which answers even without a login), stop it, start it with the
// node's own start command. Used by fence 'stop' and by unfence after it.
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil } from '../context.js';
import type { OperationContext } from '../driver.js';
import { boundedSignal, type NodeRunner, type NodeRunResult } from '../node-runner.js';

export interface MyServerConfig {
  runner: NodeRunner;
  socket: string;
  startArgv: string[];
  /** The server's pid file on the node: a stop waits until it is gone (shutdown finished). */
  pidFile?: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export class MyServer {
  constructor(
    private readonly s: MyServerConfig,
    private readonly label: string,
  ) {}

  async #run(ctx: OperationContext, argv: string[], timeoutMs = 15_000): Promise<NodeRunResult> {
    try {
      return await this.s.runner.run(argv, { signal: boundedSignal(ctx.signal, timeoutMs) });
    } catch (e) {
      if (e instanceof LifeboatError && e.code === 'LB_E_DRIVER_ABORTED' && !ctx.signal.aborted) {
        throw new LifeboatError(
          'LB_E_DRIVER_TIMEOUT',
          `${argv[0]} on ${this.label} took more than ${timeoutMs} ms`,
        );
      }
      throw e;
    }
  }

  #admin(command: 'ping' | 'shutdown'): string[] {
    return [
      'mariadb-admin',
      '--no-defaults',
      '--protocol=socket',
      `--socket=${this.s.socket}`,
      '--connect-timeout=2',
      command,
    ];
  }

  async isAlive(ctx: OperationContext): Promise<boolean> {
    const r = await this.#run(ctx, this.#admin('ping'), 10_000);
    return r.code === 0;
  }

  /** Waits until the server no longer answers; `shutdownBySql` already asked it to stop. */
  async stop(ctx: OperationContext, askedAlready: boolean): Promise<void> {
    if (!askedAlready) {
      const r = await this.#run(ctx, this.#admin('shutdown'), this.s.stopTimeoutMs ?? 60_000);
      if (r.code !== 0 && (await this.isAlive(ctx))) {
        throw new LifeboatError(
          'LB_E_DRIVER_COMMAND_FAILED',
          `mariadb-admin shutdown on ${this.label} exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`,
        );
      }
    }
    await pollUntil(
      ctx,
      `${this.label} to stop`,
      async () => ((await this.isAlive(ctx)) ? undefined : true),
      {
        timeoutMs: this.s.stopTimeoutMs ?? 60_000,
        intervalMs: 100,
      },
    );
  }

  async start(ctx: OperationContext): Promise<void> {
    const r = await this.#run(ctx, this.s.startArgv, this.s.startTimeoutMs ?? 120_000);
    if (r.code !== 0) {
      throw new LifeboatError(
        'LB_E_DRIVER_COMMAND_FAILED',
        `starting ${this.label} (${this.s.startArgv[0]}) exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`,
      );
    }
    await pollUntil(
      ctx,
      `${this.label} to accept connections`,
      async () => ((await this.isAlive(ctx)) ? true : undefined),
      {
        timeoutMs: this.s.startTimeoutMs ?? 120_000,
        intervalMs: 100,
      },
    );
  }
}
