import { defineCodes } from '../code-info.js';

/** Codes of the rsync driver, from rsync's exit status and stderr. */
export const RSYNC_CODES = defineCodes({
  LB_E_RSYNC_PARTIAL: {
    summary:
      'rsync transferred only part of the files (exit 23: some files could not be read or written; exit 24: source files vanished during the transfer).',
    fix: 'Retry: a live source changes under rsync. If it repeats, read the files named in the message (permissions, a full disk on the target).',
    retryable: true,
  },
  LB_E_RSYNC_TIMEOUT: {
    summary:
      'rsync stopped because no data moved for its I/O timeout, or the daemon did not answer in time (exit 30 or 35).',
    fix: "Check the network path and the target's load; retry. Raise `ioTimeoutSec` only for links known to stall.",
    retryable: true,
  },
  LB_E_RSYNC_USAGE: {
    summary:
      'rsync refused its arguments or the two ends could not agree on a protocol (exit 1-4: syntax, protocol incompatibility, file selection, unsupported action).',
    fix: 'Check the rsync versions on both ends (3.1 or later) and the paths in the plan; this will not pass on retry.',
    retryable: false,
  },
  LB_E_RSYNC_IO: {
    summary:
      'rsync hit a file I/O error at one end (exit 11): a full disk, a read-only file system, a permission refused.',
    fix: 'Read the message for the path and fix the target (space, mount, ownership), then run the step again.',
    retryable: false,
  },
  LB_E_RSYNC_STREAM: {
    summary:
      'The rsync data stream broke (exit 10, 12, 13, 14, 20 or 255 without an SSH cause): the connection dropped or the remote rsync died.',
    fix: "Retry; if it repeats, look at the remote end's logs (sshd, rsyncd) for why the connection ended.",
    retryable: true,
  },
  LB_E_RSYNC_MODULE: {
    summary:
      'The rsync daemon refused the module (unknown module, not allowed from this host, or read-only).',
    fix: "Check the module name in the plan against the daemon's rsyncd.conf (`hosts allow`, `read only`).",
    retryable: false,
  },
});
