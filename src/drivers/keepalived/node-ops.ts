// What the keepalived driver does on one node, through its NodeRunner: read the interfaces, read
// and replace the config file, reload keepalived by SIGHUP. argv arrays only; the config text
// travels on stdin. Exit 255 is how both `ssh` and `ip netns exec` say "could not reach the node".
import { LifeboatError } from '../../core/errors/index.js';
import type { OperationContext } from '../driver.js';
import type { NodeRunner, NodeRunResult } from '../node-runner.js';
import { safeAbsolutePath, safeArg } from '../safe-values.js';
import type { PriorityEdit } from './config-edit.js';

/** Paths reach argv: absolute, no `..`, and only letters, digits, `.`, `_`, `-`, `/`. */
function path(value: string, what: string): string {
  safeArg(safeAbsolutePath(value, what), what);
  if (!/^\/[A-Za-z0-9._/-]{0,1023}$/.test(value)) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what} may hold only letters, digits, \`.\`, \`_\`, \`-\` and \`/\``,
    );
  }
  return value;
}

/** The addresses in `ip -o addr show` output (`... inet 10.77.0.100/24 ...`), lower-case. */
export function addressesIn(output: string): string[] {
  const out: string[] = [];
  for (const line of output.split('\n')) {
    const words = line.trim().split(/\s+/);
    words.forEach((word, i) => {
      if ((word === 'inet' || word === 'inet6') && words[i + 1]) {
        out.push((words[i + 1] as string).split('/')[0]?.toLowerCase() ?? '');
      }
    });
  }
  return out;
}

export class KeepalivedNodeOps {
  readonly configFile: string;
  private readonly pidFile: string;
  private readonly runner: NodeRunner;

  constructor(
    readonly name: string,
    n: { runner: NodeRunner; configFile: string; pidFile: string },
    private readonly iface: string | undefined,
  ) {
    this.configFile = path(n.configFile, `the keepalived config file of ${name}`);
    this.pidFile = path(n.pidFile, `the keepalived PID file of ${name}`);
    this.runner = n.runner;
  }

  private async run(
    ctx: OperationContext,
    argv: string[],
    what: string,
    input?: string,
  ): Promise<NodeRunResult> {
    const r = await this.runner.run(argv, {
      signal: ctx.signal,
      ...(input === undefined ? {} : { input }),
    });
    return this.check(r, what);
  }

  private check(r: NodeRunResult, what: string): NodeRunResult {
    if (r.code === 255) {
      throw new LifeboatError(
        'LB_E_DRIVER_UNREACHABLE',
        `node ${this.name} (${this.runner.where ?? 'runner'}) cannot be reached to ${what}: ${r.stderr.trim().slice(0, 160)}`,
      );
    }
    if (r.code !== 0) {
      throw new LifeboatError(
        'LB_E_DRIVER_COMMAND_FAILED',
        `node ${this.name}: ${what} failed (exit ${r.code}): ${r.stderr.trim().slice(0, 160)}`,
      );
    }
    return r;
  }

  async hasAddress(ctx: OperationContext, vip: string): Promise<boolean> {
    const family = vip.includes(':') ? '-6' : '-4';
    const dev = this.iface ? ['dev', this.iface] : [];
    const r = await this.run(
      ctx,
      ['ip', '-o', family, 'addr', 'show', ...dev],
      'list its addresses',
    );
    return addressesIn(r.stdout).includes(vip);
  }

  async readConfig(ctx: OperationContext): Promise<string> {
    return (await this.run(ctx, ['cat', '--', this.configFile], `read ${this.configFile}`)).stdout;
  }

  /** One `sed -i` (new file + rename); it prints the changed line, or nothing if the file moved on. */
  async editConfig(ctx: OperationContext, edit: PriorityEdit): Promise<void> {
    const argv = ['sed', '-i', '-E', '-e', edit.sedScript, '--', this.configFile];
    const r = await this.run(ctx, argv, `edit ${this.configFile}`);
    if (r.stdout.trim() === '') {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `node ${this.name}: line ${edit.line} of ${this.configFile} no longer reads priority ${edit.from}; it changed while Lifeboat edited it`,
        { hint: 'Something else edits this file: observe again, then switch again.' },
      );
    }
  }

  /**
   * SIGHUP to the keepalived parent, only if the PID its PID file names is a process called
   * exactly `keepalived` (PIDs are reused): `pkill --pidfile` checks and signals in one step.
   */
  async reload(ctx: OperationContext): Promise<void> {
    const argv = ['pkill', '--signal', 'HUP', '--exact', '--pidfile', this.pidFile, 'keepalived'];
    const r = await this.runner.run(argv, { signal: ctx.signal });
    if (r.code === 1) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFLICT',
        `node ${this.name}: ${this.pidFile} does not name a running keepalived`,
        {
          hint: 'keepalived is not running there, or its PID file is stale: start it, then switch again.',
        },
      );
    }
    this.check(r, 'reload keepalived (SIGHUP)');
  }
}
