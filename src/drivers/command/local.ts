// Commands on the machine Lifeboat runs on (or inside a network namespace of it): spawn with an
// argv, no shell; the whole process group is stopped on abort, timeout or too much output.
import { userInfo } from 'node:os';
import { safeName } from '../safe-values.js';
import { runProcess } from '../subprocess.js';
import { checkArgv, checkEnv, wrapArgv } from './quote.js';
import { switchUserPrefix } from './switch-user.js';
import {
  type CommandResult,
  type CommandRunner,
  type CommandRunOptions,
  DEFAULT_MAX_STDOUT,
  DEFAULT_TIMEOUT_MS,
  MAX_STDERR,
} from './types.js';

export interface LocalCommandConfig {
  /** Run inside this network namespace (`ip netns exec <namespace>`), e.g. a lab site. */
  namespace?: string;
  /** Time limit of a command that gives none (default 10 min). */
  defaultTimeoutMs?: number;
  /** Stdout beyond this stops the command: LB_E_COMMAND_OUTPUT_LIMIT (default 16 MiB). */
  maxStdoutBytes?: number;
  /** Pass Lifeboat's own environment to commands (default false: PATH, HOME, LC_ALL=C only). */
  inheritEnv?: boolean;
}

export class LocalCommandRunner implements CommandRunner {
  readonly where: string;
  readonly #config: LocalCommandConfig;
  readonly #self: { name?: string; isRoot: boolean };

  constructor(config: LocalCommandConfig = {}) {
    if (config.namespace !== undefined) safeName(config.namespace, 'namespace');
    this.#config = config;
    this.where = config.namespace ? `ns ${config.namespace}` : 'local';
    const uid = process.getuid?.() ?? -1;
    this.#self = { name: safeUserName(), isRoot: uid === 0 };
  }

  /** The argv as spawned: namespace, user switch, env, command. Pure; exported for tests. */
  commandLine(
    argv: readonly string[],
    opts: Pick<CommandRunOptions, 'user' | 'env'> = {},
  ): string[] {
    checkArgv(argv);
    checkEnv(opts.env);
    const ns = this.#config.namespace ? ['ip', 'netns', 'exec', this.#config.namespace] : [];
    // env goes in argv only as `env -- K=V` when switching user (runuser resets the environment);
    // otherwise it is passed through spawn's environment and never appears in `ps`.
    const switchUser = switchUserPrefix(opts.user, this.#self);
    return [...ns, ...wrapArgv(argv, switchUser.length > 0 ? { switchUser, env: opts.env } : {})];
  }

  async run(argv: string[], opts: CommandRunOptions): Promise<CommandResult> {
    const line = this.commandLine(argv, opts);
    const r = await runProcess(line, {
      signal: opts.signal,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      inheritEnv: this.#config.inheritEnv ?? false,
      timeoutMs: opts.timeoutMs ?? this.#config.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxStdoutBytes: this.#config.maxStdoutBytes ?? DEFAULT_MAX_STDOUT,
      maxStderrBytes: MAX_STDERR,
      what: `\`${argv[0]}\` on ${this.where}`,
      cwd: '/',
    });
    return {
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      ms: r.ms,
      ...(r.signal ? { signal: r.signal } : {}),
    };
  }

  async close(): Promise<void> {}
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
