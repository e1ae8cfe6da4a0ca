// SSH carries a command *string* that the remote login shell parses. To keep an argv as data we
// quote each element for a POSIX shell: inside single quotes nothing is special except the single
// quote itself, which is written as '\'' (close, escaped quote, reopen). Newlines, `$(...)`,
// backticks, `;` and globs all stay literal. The remote login shell must be POSIX-like (sh, dash,
// bash, zsh, ksh); csh and fish parse differently and are not supported.
import { LifeboatError } from '../../core/errors/index.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One argument, quoted so that a POSIX shell yields exactly it. NUL cannot be passed at all. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      'an argument contains a NUL character, which no command line can carry',
    );
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv as one command string for a POSIX shell: each element quoted, nothing interpreted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Refuses an argv that cannot be a command: empty, or a program name read as an option. */
export function checkArgv(argv: readonly string[], what = 'the command'): void {
  if (argv.length === 0 || argv[0] === '') {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', `${what} is empty`);
  }
  if ((argv[0] as string).startsWith('-') || (argv[0] as string).includes('=')) {
    throw new LifeboatError(
      'LB_E_DRIVER_BAD_INPUT',
      `${what}: the program name must not start with \`-\` or contain \`=\` (it would be read as an option or an assignment)`,
    );
  }
  for (const a of argv) {
    if (typeof a !== 'string' || a.includes('\0')) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `${what}: every argument must be a string without NUL`,
      );
    }
  }
}

/** Environment variables for a command: names are identifiers, values carry no NUL. */
export function checkEnv(env: Record<string, string> | undefined, what = 'the command'): void {
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `${what}: environment variable name '${k.slice(0, 40)}' is not an identifier`,
      );
    }
    if (typeof v !== 'string' || v.includes('\0')) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        `${what}: environment variable ${k} must be a string without NUL`,
      );
    }
  }
}

/**
 * The argv with its environment and user switch in front, still an argv:
 * `[runuser -u <user> --] [env -- K=V ...] program args...`.
 * `env` takes the assignments as data (no shell expands them); `--` ends its options.
 */
export function wrapArgv(
  argv: readonly string[],
  opts: { env?: Record<string, string>; switchUser?: readonly string[] },
): string[] {
  const envPart = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    ...(opts.switchUser ?? []),
    ...(envPart.length > 0 ? ['env', '--', ...envPart] : []),
    ...argv,
  ];
}
