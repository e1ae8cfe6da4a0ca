// rsync's exit status (and, for SSH and daemon failures, its stderr) mapped to coded errors that
// say whether a retry can help. Pure, tested with the statuses listed in rsync(1).
import { type ErrorCode, LifeboatError } from '../../core/errors/index.js';
import type { Secret } from '../secrets.js';
import { tailOf } from '../subprocess.js';

interface Rule {
  code: ErrorCode;
  why: string;
}

/** SSH's own failures, recognised in stderr whatever rsync's status (usually 255 or 12). */
const SSH_PATTERNS: Array<[RegExp, Rule]> = [
  [
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i,
    { code: 'LB_E_SSH_HOST_KEY_MISMATCH', why: 'the server did not present the pinned host key' },
  ],
  [
    /Permission denied \((publickey|password|keyboard-interactive|hostbased|gssapi)|Too many authentication failures/i,
    { code: 'LB_E_DRIVER_AUTH', why: 'the SSH server refused the identity' },
  ],
  [
    /Connection refused|Connection timed out|No route to host|Network is unreachable|Could not resolve hostname|Connection reset|Connection closed by|kex_exchange_identification|Operation timed out/i,
    { code: 'LB_E_DRIVER_UNREACHABLE', why: 'the remote end cannot be reached' },
  ],
];

const DAEMON_PATTERNS: Array<[RegExp, Rule]> = [
  [
    /@ERROR: auth failed/i,
    { code: 'LB_E_DRIVER_AUTH', why: 'the rsync daemon refused the user or password' },
  ],
  [
    /@ERROR: (Unknown module|access denied|module is read only)|ERROR: module is read only/i,
    { code: 'LB_E_RSYNC_MODULE', why: 'the rsync daemon refused the module' },
  ],
  [
    /@ERROR: max connections/i,
    { code: 'LB_E_RSYNC_STREAM', why: 'the rsync daemon has no free connection' },
  ],
];

const BY_STATUS: Record<number, Rule> = {
  1: { code: 'LB_E_RSYNC_USAGE', why: 'syntax or usage error' },
  2: { code: 'LB_E_RSYNC_USAGE', why: 'protocol incompatibility' },
  3: { code: 'LB_E_RSYNC_USAGE', why: 'errors selecting input/output files or directories' },
  4: { code: 'LB_E_RSYNC_USAGE', why: 'requested action not supported' },
  5: { code: 'LB_E_RSYNC_STREAM', why: 'error starting the client-server protocol' },
  6: { code: 'LB_E_RSYNC_IO', why: 'the daemon cannot write its log' },
  10: { code: 'LB_E_RSYNC_STREAM', why: 'error in socket I/O' },
  11: { code: 'LB_E_RSYNC_IO', why: 'error in file I/O' },
  12: { code: 'LB_E_RSYNC_STREAM', why: 'error in the rsync protocol data stream' },
  13: { code: 'LB_E_RSYNC_STREAM', why: 'errors with program diagnostics' },
  14: { code: 'LB_E_RSYNC_STREAM', why: 'error in IPC code' },
  20: { code: 'LB_E_RSYNC_STREAM', why: 'rsync received SIGUSR1 or SIGINT' },
  21: { code: 'LB_E_RSYNC_STREAM', why: 'some error returned by waitpid()' },
  22: { code: 'LB_E_RSYNC_IO', why: 'error allocating core memory buffers' },
  23: { code: 'LB_E_RSYNC_PARTIAL', why: 'partial transfer due to error' },
  24: { code: 'LB_E_RSYNC_PARTIAL', why: 'partial transfer due to vanished source files' },
  25: { code: 'LB_E_RSYNC_USAGE', why: 'the --max-delete limit stopped deletions' },
  30: { code: 'LB_E_RSYNC_TIMEOUT', why: 'timeout in data send/receive' },
  35: { code: 'LB_E_RSYNC_TIMEOUT', why: 'timeout waiting for daemon connection' },
  127: { code: 'LB_E_COMMAND_NOT_FOUND', why: 'rsync is not installed here' },
};

/** The rule for a failed run: SSH and daemon causes first (they explain 255, 12 and 5). */
export function classifyExit(status: number, stderr: string): Rule {
  for (const [re, rule] of [...SSH_PATTERNS, ...DAEMON_PATTERNS]) if (re.test(stderr)) return rule;
  if (
    /rsync: (command )?not found|rsync: No such file or directory/.test(stderr) &&
    status !== 23
  ) {
    return { code: 'LB_E_COMMAND_NOT_FOUND', why: 'rsync is not installed on the remote end' };
  }
  return BY_STATUS[status] ?? { code: 'LB_E_RSYNC_STREAM', why: `exit status ${status}` };
}

export function rsyncFailure(
  what: string,
  status: number,
  stderr: string,
  secrets: readonly (Secret | undefined)[],
): LifeboatError {
  const rule = classifyExit(status, stderr);
  const tail = tailOf(stderr, secrets, 4);
  return new LifeboatError(
    rule.code,
    `${what} failed (rsync exit ${status}: ${rule.why})${tail ? `: ${tail}` : ''}`,
    {
      details: { rsyncExit: status },
    },
  );
}
