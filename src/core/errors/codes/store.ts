import { defineCodes } from '../code-info.js';

/** The state store (src/store/): leases, runs, the journal, approvals, the audit log. */
export const STORE_CODES = defineCodes({
  LB_E_STORE_CONFLICT: {
    summary:
      'A run was changed by someone else since it was read (its revision moved on), or a run with that id already exists: the write was not made.',
    fix: 'Read the run again, decide on its current state, and write with the new revision; two Lifeboat processes acting on one run at once is a bug to report.',
    retryable: false,
  },
  LB_E_STORE_STALE_TOKEN: {
    summary:
      "A write carried a fencing token that is not the current one of the run's lease: another Lifeboat took the lease over, so this writer may no longer act for the run.",
    fix: 'Stop this process: the run belongs to the lease holder now. Look at `lifeboat audit show` and the run journal to see who took over and why (an expired lease: raise its TTL or find what stalled the renewals).',
    retryable: false,
  },
  LB_E_STORE_LEASE_LOST: {
    summary:
      'A lease could not be renewed: it expired (it was not renewed in time) or another owner holds it now.',
    fix: 'Stop acting for what the lease protected; acquire it again and resume from the journal. If it keeps happening, raise the TTL or find what delays the renewals (a stalled process, a slow disk).',
    retryable: false,
  },
  LB_E_STORE_NOT_FOUND: {
    summary: 'The run named does not exist in this state store.',
    fix: 'Check the run id and that --state (or $LIFEBOAT_STATE) points at the state file the run was made in.',
    retryable: false,
  },
  LB_E_STORE_INVALID: {
    summary:
      'A value given to the state store is not valid: not JSON, too large, an unknown run state, an empty key or owner.',
    fix: 'This is a bug in the caller: report it with the message. Journal and audit data must be plain JSON of at most 256 KiB.',
    retryable: false,
  },
  LB_E_STORE_BUSY: {
    summary:
      'The state file stayed locked by another process for longer than the busy timeout, so the write was not made.',
    fix: 'Find what holds the file (`fuser STATE.db`): another Lifeboat, or a backup or sqlite3 shell with an open transaction; retry once it is released.',
    retryable: true,
  },
  LB_E_STORE_OPEN: {
    summary:
      'The state file cannot be opened: it does not exist (for a command that only reads it), it is not a Lifeboat state database, or its directory is not writable.',
    fix: 'Check the --state path (default ./.lifeboat/state.db), that it is a file Lifeboat created, and the permissions of the file and its directory.',
    retryable: false,
  },
  LB_E_STORE_SCHEMA_NEWER: {
    summary:
      'The state file was written by a newer Lifeboat (its schema version is higher than this one knows).',
    fix: 'Use the Lifeboat version that wrote the file, or a newer one; never downgrade over a state file.',
    retryable: false,
  },
  LB_E_STORE_IO: {
    summary:
      'The state file could not be read or written: a full disk, an I/O error, a corrupt database, or a read-only file system.',
    fix: 'Check the disk (`df`, `dmesg`) and the file (`sqlite3 STATE.db "PRAGMA integrity_check"`); restore it from a backup if it is corrupt, then `lifeboat audit verify`.',
    retryable: false,
  },
  LB_E_STORE_AUDIT_BROKEN: {
    summary:
      'The audit log does not verify: an entry was edited, deleted, moved or cut off after it was written, or it does not match the recorded anchor.',
    fix: 'Treat the state file as tampered with: keep a copy for investigation, compare it with a backup and with the head hashes recorded earlier, and find who had write access to it.',
    retryable: false,
  },
});
