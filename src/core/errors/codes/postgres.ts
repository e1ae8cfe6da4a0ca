import { defineCodes } from '../code-info.js';

/** Codes of the PostgreSQL driver (src/drivers/postgres). */
export const POSTGRES_CODES = defineCodes({
  LB_E_POSTGRES_SERVER_CONTROL: {
    summary:
      'pg_ctl could not stop, start or query the server on the node (the message has its output).',
    fix: "Read the message and the server log named in it (the driver's `logFile`); fix the cause (disk, permissions, a second postmaster) and run the step again.",
    retryable: false,
  },
  LB_E_POSTGRES_REBUILD_FAILED: {
    summary:
      'The node could not be made a replica: pg_rewind failed and so did pg_basebackup, or the server did not stream afterwards.',
    fix: 'Read both outputs in the message; check that the source is a reachable primary, that the replication user may connect (pg_hba.conf) and that the node has room for a copy. The old data directory is kept as `<dataDir>.lifeboat-old` when a copy was made.',
    retryable: true,
  },
});
