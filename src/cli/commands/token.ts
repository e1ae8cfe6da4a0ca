// `lifeboat token create|list|revoke`: the API's tokens, in the state file that `lifeboat serve`
// uses. create prints the token once, on stdout alone (`TOKEN=$(lifeboat token create ...)`);
// the state file keeps only its SHA-256, so a lost token is revoked and created again. Creating
// and revoking are recorded in the audit log (name and role, never the token).
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { LifeboatError } from '../../core/errors/index.js';
// auth.js, not the server's index: the CLI starts without loading Fastify.
import { API_ROLES } from '../../server/api-types.js';
import { isApiRole, newToken, tokenHash } from '../../server/auth.js';
import { defaultStatePath, openSqliteStore, type SqliteStateStore } from '../../store/index.js';
import { renderTable } from '../output/table.js';
import type { CommandModule, Io } from '../program.js';

interface Opts {
  state?: string;
  json?: boolean;
  role?: string;
  name?: string;
}

/** Letters, digits and `._@-`: it names the actor in journals and the audit log. */
export const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

async function withStore<T>(
  opts: Opts,
  readOnly: boolean,
  f: (s: SqliteStateStore) => Promise<T>,
): Promise<T> {
  const store = openSqliteStore(opts.state ?? defaultStatePath(), { readOnly });
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/** Who ran the command, for the audit log. */
function operator(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): keep `unknown`
  }
  return `${user}@${hostname()}`;
}

const when = (t: number | undefined) =>
  t === undefined ? '-' : new Date(t).toISOString().replace('T', ' ').slice(0, 19);

export function tokenCommand(io?: Io): CommandModule {
  const out = (cmd: Command) =>
    io?.out ?? (cmd.parent?.configureOutput().writeOut as (text: string) => void);
  const err = (cmd: Command) =>
    io?.err ?? (cmd.parent?.configureOutput().writeErr as (text: string) => void);
  return (program: Command) => {
    const token = program
      .command('token')
      .description('Create, list and revoke the API tokens of `lifeboat serve`.')
      .hook('preSubcommand', (parent, sub) => {
        sub.configureOutput(io ? { writeOut: io.out, writeErr: io.err } : parent.configureOutput());
      });
    const state = (cmd: Command) =>
      cmd.option(
        '--state <path>',
        'the state file (default $LIFEBOAT_STATE or ./.lifeboat/state.db)',
      );

    state(token.command('create'))
      .description('Create a token and print it once (only its SHA-256 is kept).')
      .requiredOption('--name <name>', 'who holds it: recorded as the actor of what they do')
      .requiredOption('--role <role>', `one of ${API_ROLES.join(', ')}`)
      .action(async (opts: Opts, cmd: Command) => {
        const name = opts.name ?? '';
        const role = opts.role ?? '';
        if (!TOKEN_NAME_RE.test(name)) {
          throw new LifeboatError(
            'LB_E_SERVER_TOKEN_NAME',
            `token name ${JSON.stringify(name)} is not 1 to 64 letters, digits, '.', '_', '@' or '-' (starting with a letter or digit)`,
          );
        }
        if (!isApiRole(role)) {
          throw new LifeboatError(
            'LB_E_CLI_USAGE',
            `--role must be one of ${API_ROLES.join(', ')}, not ${JSON.stringify(role)}`,
          );
        }
        const secret = newToken();
        await withStore(opts, false, async (store) => {
          await store.tokens.create({ name, role, hash: tokenHash(secret) });
          await store.audit.append({
            actor: operator(),
            action: 'token.create',
            subject: name,
            data: { role },
          });
        });
        out(cmd)(`${secret}\n`);
        err(cmd)(
          `token ${name} (${role}) created: this is the only time it is shown; \`lifeboat token revoke ${name}\` ends it\n`,
        );
      });

    state(token.command('list'))
      .description('List the tokens: name, role, created, last used (never a token).')
      .option('--json', 'print JSON')
      .action(async (opts: Opts, cmd: Command) => {
        const tokens = await withStore(opts, true, (s) => s.tokens.list());
        if (opts.json) {
          out(cmd)(
            `${JSON.stringify(
              tokens.map((t) => ({
                name: t.name,
                role: t.role,
                createdAt: t.createdAt,
                lastUsedAt: t.lastUsedAt ?? null,
              })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        if (tokens.length === 0) {
          out(cmd)('no tokens: create one with `lifeboat token create --name NAME --role ROLE`\n');
          return;
        }
        out(cmd)(
          renderTable(
            ['NAME', 'ROLE', 'CREATED (UTC)', 'LAST USED (UTC)'].map((header) => ({ header })),
            tokens.map((t) => [t.name, t.role, when(t.createdAt), when(t.lastUsedAt)]),
          ),
        );
      });

    state(token.command('revoke'))
      .description('Revoke a token: it authenticates nothing from now on, sessions included.')
      .argument('<name>', 'the token name')
      .action(async (name: string, opts: Opts, cmd: Command) => {
        const revoked = await withStore(opts, false, async (store) => {
          const done = await store.tokens.revoke(name);
          if (done) {
            await store.audit.append({
              actor: operator(),
              action: 'token.revoke',
              subject: name,
              data: null,
            });
          }
          return done;
        });
        if (!revoked) {
          throw new LifeboatError('LB_E_SERVER_TOKEN_NAME', `no token named ${name}`, {
            hint: 'List the tokens with `lifeboat token list` (and check --state).',
          });
        }
        out(cmd)(`token ${name} revoked\n`);
      });
  };
}
