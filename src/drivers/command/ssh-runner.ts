// Commands on a node over SSH (ssh2), with the node's host key pinned. One connection is opened on
// first use and shared by later commands (an SSH login costs 0.2-0.6 s, more than most commands);
// it is reopened after it drops. Implements NodeRunner, so server-side steps of any driver can use it.
import type { Client } from 'ssh2';
import { LifeboatError } from '../../core/errors/index.js';
import { missingHostKey, type PinnedHostKey, parseHostKey } from '../host-key.js';
import { safeArg, safeHost, safeName, safePort } from '../safe-values.js';
import type { Secret } from '../secrets.js';
import { checkArgv, checkEnv, wrapArgv } from './quote.js';
import { openSsh, type SshEndpoint } from './ssh-connect.js';
import { execOverSsh } from './ssh-exec.js';
import { switchUserPrefix } from './switch-user.js';
import {
  type CommandResult,
  type CommandRunner,
  type CommandRunOptions,
  DEFAULT_MAX_STDOUT,
  DEFAULT_TIMEOUT_MS,
  MAX_STDERR,
} from './types.js';

/** From the plan's node: `address` and `ssh: {user, port, hostKey, identity}`. */
export interface SshConfig {
  /** The plan's node name, for messages and the journal. */
  node: string;
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  /** The pinned public host key, `ssh-ed25519 AAAA...` (nodes.<n>.ssh.hostKey). Required. */
  hostKey?: string;
  /** The private key to log in with (nodes.<n>.ssh.identity, resolved). */
  identity: Secret;
  passphrase?: Secret;
  /** TCP connect + SSH handshake + authentication (default 10 s). */
  connectTimeoutMs?: number;
  /** SSH keepalive: a dead peer is noticed after 3 unanswered (default 5 s). */
  keepaliveIntervalMs?: number;
  /**
   * argv whose stdin/stdout carry the connection to sshd, as OpenSSH's ProxyCommand: a bastion
   * (`ssh -W host:22 bastion`), or in the lab `ip netns exec <ns> socat STDIO TCP:host:22`.
   */
  proxyCommand?: string[];
  /** Time limit of a command that gives none (default 10 min). */
  defaultTimeoutMs?: number;
  /** Stdout beyond this kills the command: LB_E_COMMAND_OUTPUT_LIMIT (default 16 MiB). */
  maxStdoutBytes?: number;
}

export class SshRunner implements CommandRunner {
  readonly where: string;
  readonly #ep: SshEndpoint;
  readonly #config: SshConfig;
  #client: Promise<Client> | undefined;
  #closed = false;

  constructor(config: SshConfig) {
    safeName(config.node, 'node');
    safeHost(config.host, `nodes.${config.node}.address`);
    safeName(config.user, `nodes.${config.node}.ssh.user`);
    const port = safePort(config.port ?? 22, `nodes.${config.node}.ssh.port`);
    if (config.proxyCommand) {
      checkArgv(config.proxyCommand, 'the SSH proxy command');
      safeArg(config.proxyCommand[0] as string, 'the SSH proxy command');
    }
    if (!config.hostKey) throw missingHostKey(config.node, config.host, port);
    const hostKey: PinnedHostKey = parseHostKey(config.hostKey, `nodes.${config.node}.ssh.hostKey`);
    this.#config = config;
    this.#ep = {
      node: config.node,
      host: config.host,
      port,
      user: config.user,
      hostKey,
      identity: config.identity,
      ...(config.passphrase ? { passphrase: config.passphrase } : {}),
      connectTimeoutMs: config.connectTimeoutMs ?? 10_000,
      keepaliveIntervalMs: config.keepaliveIntervalMs ?? 5_000,
      ...(config.proxyCommand ? { proxyCommand: [...config.proxyCommand] } : {}),
    };
    this.where = `ssh ${config.node}`;
  }

  get hostKeyFingerprint(): string {
    return this.#ep.hostKey.fingerprint;
  }

  /** The argv run on the node after the user switch and env are put in front. Pure. */
  commandLine(
    argv: readonly string[],
    opts: Pick<CommandRunOptions, 'user' | 'env'> = {},
  ): string[] {
    checkArgv(argv);
    checkEnv(opts.env);
    const switchUser = switchUserPrefix(opts.user, {
      name: this.#ep.user,
      isRoot: this.#ep.user === 'root',
    });
    // sshd accepts only the variables its AcceptEnv lists: `env -- K=V` works everywhere.
    return wrapArgv(argv, { switchUser, ...(opts.env ? { env: opts.env } : {}) });
  }

  /** Opens (or reuses) the connection; a caller's abort stops only its own wait. */
  async connect(signal: AbortSignal): Promise<Client> {
    if (this.#closed) {
      throw new LifeboatError(
        'LB_E_DRIVER_ABORTED',
        `the SSH runner of ${this.#ep.node} is closed`,
      );
    }
    if (!this.#client) {
      // Shared by every caller: bounded by its own connect timeout, not by one caller's signal.
      const attempt = openSsh(this.#ep, new AbortController().signal);
      this.#client = attempt;
      attempt.then(
        (c) => {
          const forget = () => {
            if (this.#client === attempt) this.#client = undefined;
          };
          c.on('close', forget);
          c.on('error', forget);
          if (this.#closed) c.end();
        },
        () => {
          if (this.#client === attempt) this.#client = undefined;
        },
      );
    }
    return raceAbort(this.#client, signal, `connecting to ${this.#ep.node}`);
  }

  async run(argv: string[], opts: CommandRunOptions): Promise<CommandResult> {
    const line = this.commandLine(argv, opts);
    const client = await this.connect(opts.signal);
    const r = await execOverSsh(client, {
      argv: line,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? this.#config.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxStdoutBytes: this.#config.maxStdoutBytes ?? DEFAULT_MAX_STDOUT,
      maxStderrBytes: MAX_STDERR,
      what: `\`${argv[0]}\` on ${this.#ep.node}`,
    });
    return r;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#client;
    this.#client = undefined;
    if (!pending) return;
    try {
      (await pending).end();
    } catch {
      // it never connected
    }
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted)
    return Promise.reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new LifeboatError('LB_E_DRIVER_ABORTED', `${what} was aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
