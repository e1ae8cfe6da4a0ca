// `lifeboat audit verify|show [--state PATH] [--json]`: check the audit log's hash chain, or
// print it. Both open the state file read-only: looking at evidence must not change it.
// verify exits 0 when the chain is intact (printing the head for the operator to record), 1 at the
// first broken entry, 2 when the state file cannot be read.
import type { Command } from 'commander';
import { LifeboatError } from '../../core/errors/index.js';
import {
  type AuditEntry,
  type AuditVerification,
  canonicalJson,
  defaultStatePath,
  openSqliteStore,
  parseAnchor,
  type SqliteStateStore,
} from '../../store/index.js';
import { renderTable } from '../output/table.js';
import { type CommandModule, ExitCode, type Io } from '../program.js';

interface AuditOptions {
  state?: string;
  json?: boolean;
}

interface VerifyOptions extends AuditOptions {
  anchor?: string;
}

interface ShowOptions extends AuditOptions {
  limit?: string;
}

/** DATA column of `audit show`: enough to recognise an entry; --json has it whole. */
const DATA_WIDTH = 60;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function withStore<T>(
  opts: AuditOptions,
  f: (store: SqliteStateStore) => Promise<T>,
): Promise<T> {
  const store = openSqliteStore(opts.state ?? defaultStatePath(), { readOnly: true });
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/** `SEQ:HASH`, the form verify prints and --anchor reads. */
const anchorText = (v: AuditVerification) => `${v.head.count}:${v.head.hash}`;

function verifyText(v: AuditVerification, location: string, anchored: boolean): string {
  if (v.ok) {
    const lines = [
      `${location}: audit log intact, ${v.checked} ${v.checked === 1 ? 'entry' : 'entries'}${anchored ? ', anchor found' : ''}`,
      `head ${anchorText(v)}`,
      'Record the head elsewhere (a ticket, a log server): `lifeboat audit verify --anchor SEQ:HASH`',
      'later proves the log was not rewritten up to that entry, which the log alone cannot.',
    ];
    return `${lines.join('\n')}\n`;
  }
  const b = v.broken;
  const error = new LifeboatError(
    'LB_E_STORE_AUDIT_BROKEN',
    `audit log broken at entry ${b?.seq} (${b?.reason}): ${b?.message}`,
  );
  const lines = [
    error.format(),
    `${location}: entries 1 to ${v.checked} verify; the head recorded beside the log is ${v.recorded.count}:${v.recorded.hash}`,
  ];
  return `${lines.join('\n')}\n`;
}

function verifyJson(v: AuditVerification, location: string): unknown {
  return {
    ok: v.ok,
    state: location,
    count: v.checked,
    head: { seq: v.head.count, hash: v.head.hash, anchor: anchorText(v) },
    recorded: { seq: v.recorded.count, hash: v.recorded.hash },
    broken: v.broken ? { code: 'LB_E_STORE_AUDIT_BROKEN', ...v.broken } : null,
  };
}

function showText(entries: readonly AuditEntry[], count: number, location: string): string {
  if (entries.length === 0) return `${location}: the audit log is empty\n`;
  const rows = entries.map((e) => {
    const data = canonicalJson(e.data);
    return [
      String(e.seq),
      new Date(e.at).toISOString(),
      e.actor,
      e.action,
      e.subject ?? '-',
      data.length > DATA_WIDTH ? `${data.slice(0, DATA_WIDTH - 1)}…` : data,
    ];
  });
  const table = renderTable(
    [
      { header: 'SEQ', align: 'right' },
      { header: 'TIME (UTC)' },
      { header: 'ACTOR' },
      { header: 'ACTION' },
      { header: 'SUBJECT' },
      { header: 'DATA' },
    ],
    rows,
  );
  const shown =
    entries.length === count ? `${count} entries` : `${entries.length} of ${count} entries`;
  return `${table}${shown}; \`lifeboat audit verify\` checks them\n`;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw new LifeboatError('LB_E_CLI_USAGE', `--limit must be a whole number, not ${text}`);
  }
  return Number(text);
}

/**
 * Without an injected `io`, output goes where the program's is configured (`runCli` points it at
 * its own `io`): subcommands are created before that, so the parent hands its settings down.
 */
export function auditCommand(io?: Io): CommandModule {
  const out = (cmd: Command) =>
    io?.out ?? (cmd.parent?.configureOutput().writeOut as (text: string) => void);
  return (program: Command) => {
    const audit = program
      .command('audit')
      .description('Check or print the hash-chained audit log of the state file.')
      .hook('preSubcommand', (parent, sub) => {
        sub.configureOutput(io ? { writeOut: io.out, writeErr: io.err } : parent.configureOutput());
      });
    const stateOption = (cmd: Command) =>
      cmd
        .option(
          '--state <path>',
          'the state file (default $LIFEBOAT_STATE or ./.lifeboat/state.db)',
        )
        .option('--json', 'print one JSON object instead of text');

    stateOption(audit.command('verify'))
      .description(
        'Walk the hash chain: exit 0 and print the head when intact, 1 at the first broken entry.',
      )
      .option('--anchor <seq:hash>', 'a head recorded earlier, which the chain must still hold')
      .action(async (opts: VerifyOptions, cmd: Command) => {
        const anchor = opts.anchor === undefined ? undefined : parseAnchor(opts.anchor);
        if (opts.anchor !== undefined && !anchor) {
          throw new LifeboatError(
            'LB_E_CLI_USAGE',
            `--anchor must be SEQ:HASH as verify prints it (a number, a colon, 64 hex digits), not ${opts.anchor}`,
          );
        }
        const [v, location] = await withStore(
          opts,
          async (store) => [await store.audit.verify({ anchor }), store.location] as const,
        );
        out(cmd)(opts.json ? json(verifyJson(v, location)) : verifyText(v, location, !!anchor));
        if (!v.ok) throw new ExitCode(1);
      });

    stateOption(audit.command('show'))
      .description('Print the audit log: sequence, time, actor, action, subject and data.')
      .option('--limit <n>', 'only the last n entries')
      .action(async (opts: ShowOptions, cmd: Command) => {
        const limit = parseLimit(opts.limit);
        const [entries, head, location] = await withStore(opts, async (store) => {
          const h = await store.audit.head();
          const afterSeq = limit === undefined ? 0 : Math.max(0, h.count - limit);
          return [await store.audit.read({ afterSeq }), h, store.location] as const;
        });
        out(cmd)(
          opts.json
            ? json({ state: location, head: { seq: head.count, hash: head.hash }, entries })
            : showText(entries, head.count, location),
        );
      });
  };
}
