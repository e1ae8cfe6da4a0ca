// How a service's data is kept and copied: the source of its RPO.
import { z } from 'zod';
import { absolutePath, cronExpression, duration, name, secretRef, text } from './primitives.js';

export const DATA_KINDS = ['postgres', 'mariadb', 'files', 'backup', 'none'] as const;
export const REPLICATION_MODES = ['sync', 'async', 'periodic', 'none'] as const;

export const replicationSchema = z
  .strictObject({
    mode: z
      .enum(REPLICATION_MODES)
      .describe(
        '`sync`: a write is acknowledged once a target has it (RPO 0); `async`: streamed, targets lag; `periodic`: copied every `interval` (rsync, backups); `none`: no copy.',
      ),
    interval: duration(
      'For `periodic`: time between two copies (the RPO estimate when there is no `schedule`).',
    ).optional(),
    schedule: cronExpression(
      "For `periodic`: when `lifeboat serve` runs the copy, as a cron expression in the controller's time zone (5 fields, or 6 with seconds first). A `files` data set is copied with rsync from `source` (`path`) to every target (`targetPath`); any other data set runs `command` on `source`. `lifeboat check` judges the RPO by the longest gap between two runs.",
    ).optional(),
    command: z
      .array(z.string().min(1).max(4096))
      .min(1)
      .max(100)
      .optional()
      .describe(
        'For a scheduled `backup` (or any data set not copied by rsync): the program that makes the copy and its arguments, run on `source` without a shell (e.g. `[/usr/local/bin/backup-db, --full]`); exit 0 is success, and the RPO is the age of the last successful run (from its start).',
      ),
    timeout: duration(
      'For a scheduled copy: the longest one run may take before it is aborted (default 1h).',
    ).optional(),
    expectedLag: duration('For `async`: the lag to plan with (default 5s).').optional(),
    tool: z
      .enum(['streaming', 'gtid', 'rsync', 'backup', 's3', 'other'])
      .optional()
      .describe('What copies the data.'),
    user: name(
      'Database user the replicas replicate as (to re-point or rebuild a replica).',
    ).optional(),
    password: secretRef('Password of the replication user.').optional(),
  })
  .describe('How the data reaches its targets.');

export const dataSetSchema = z
  .strictObject({
    name: name('Name of the data set, unique within the service.'),
    kind: z
      .enum(DATA_KINDS)
      .describe('What the data is: a database, files, a backup set, or nothing.'),
    description: text('Free text.').optional(),
    source: name('The node holding the authoritative copy.').optional(),
    targets: z.array(name('Node name.')).max(20).optional().describe('Nodes that receive copies.'),
    replication: replicationSchema.default({ mode: 'none' }),
    database: name('Database (schema) name, for `postgres` and `mariadb`.').optional(),
    port: z.number().int().min(1).max(65535).optional().describe('Database port.'),
    user: name('Database user Lifeboat connects as.').optional(),
    password: secretRef('Password of that user.').optional(),
    dataDir: absolutePath(
      'For `postgres`: the data directory on the nodes (to rebuild the old primary as a replica); `{node}` stands for the node name.',
    ).optional(),
    server: z
      .strictObject({
        socket: absolutePath(
          "The server's Unix socket on each node (`{node}` stands for the node name).",
        ),
        pidFile: absolutePath(
          "The server's pid file on each node: a stop waits until it is gone.",
        ).optional(),
        start: z
          .array(z.string().min(1).max(4096))
          .min(1)
          .max(50)
          .describe(
            'How a node starts the server: a program and its arguments, without a shell (e.g. `[systemctl, start, mariadb]`); `{node}` stands for the node name.',
          ),
      })
      .optional()
      .describe(
        'For `mariadb`: how Lifeboat stops and starts the server on its node, for a fence that stops the old primary (failover) and its undo.',
      ),
    fenceLease: z
      .strictObject({
        ttl: duration(
          'How long one renewal holds. The agent on a node (`lifeboat agent`) stops its server, if it is a writable primary, once it has not renewed for this long (less a guard of a quarter, at most 500 ms); the controller takes over from a cut-off node once that time has passed since its last renewal.',
        ),
        renewEvery: duration('How often the agent renews (default: a fifth of `ttl`).').optional(),
      })
      .optional()
      .describe(
        'For `postgres` and `mariadb`: a lease the agent on each node renews with the controller, so that a primary cut off from it stops by itself — the fence that holds when the node cannot be reached.',
      ),
    keepFiles: z
      .array(z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, { message: 'must be a file name' }))
      .max(50)
      .optional()
      .describe(
        "For `postgres`: files of the data directory that belong to each node and survive a rebuild (default postgresql.conf, pg_hba.conf, pg_ident.conf); add files they include, e.g. a node's own settings.",
      ),
    path: absolutePath('For `files` and `backup`: the directory on the source node.').optional(),
    targetPath: absolutePath(
      'For `files`: the directory on the targets (default: `path`).',
    ).optional(),
    storage: text(
      'Where backups or blobs live when it is not a node (e.g. `s3://bucket/prefix`).',
    ).optional(),
    size: z
      .string()
      .regex(/^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, {
        message: 'must be a size such as `200GiB`',
      })
      .optional()
      .describe('Approximate size, for restore estimates (`200GiB`).'),
    restoreDuration: duration('How long restoring this data set takes.').optional(),
    retention: duration('For `backup`: how long backups are kept.').optional(),
  })
  .describe('A data set of the service and how it is replicated.');
