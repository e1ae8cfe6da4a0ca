import { defineCodes } from '../code-info.js';

/** Codes of the MariaDB driver (src/drivers/mariadb). */
export const MARIADB_CODES = defineCodes({
  LB_E_MARIADB_ERRANT_GTID: {
    summary:
      'The node holds transactions (GTIDs) its new source never had: it was written to on its own, so it cannot simply follow that source.',
    fix: 'Compare the GTID positions in the message; keep the writes you need elsewhere, then re-copy the node from its source (mariadb-backup) before pointing it there again.',
    retryable: false,
  },
  LB_E_MARIADB_REPLICATION_BROKEN: {
    summary: "The replica's SQL or IO thread stopped with an error (shown in the message).",
    fix: 'Read Last_SQL_Error / Last_IO_Error in the message, repair the replica (or re-copy it), then run the step again.',
    retryable: false,
  },
});
