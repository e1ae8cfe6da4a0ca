// `lifeboat serve --plan plan.yaml [--listen 127.0.0.1:8480] [--state PATH] [--lab NAME]`: the
// controller (probes, RPO, policies, plan reload) behind the HTTP API and the dashboard. SIGHUP
// reloads the plan (an invalid one never replaces the running one); SIGINT and SIGTERM close the
// API (open event streams end: clients resume with Last-Event-ID), then stop the controller and
// close the state file. Listens on 127.0.0.1 unless told otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isLifeboatError, LifeboatError } from '../../core/errors/index.js';
import { defaultStatePath } from '../../store/index.js';
import type { ComposedController } from '../compose/controller.js';
import type { CommandModule, Io } from '../program.js';
import { defaultWebRoot } from '../web-root.js';

interface Opts {
  plan: string;
  listen: string;
  state?: string;
  lab?: string;
  web?: string;
  tlsCert?: string;
  tlsKey?: string;
  allowOrigin?: string[];
  trustProxy?: boolean;
  logLevel: string;
  watch: boolean;
}

export const DEFAULT_LISTEN = '127.0.0.1:8480';

/** `HOST:PORT` or `[IPv6]:PORT`. Throws LB_E_SERVER_LISTEN for anything else. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65_535) {
    throw new LifeboatError(
      'LB_E_SERVER_LISTEN',
      `--listen ${JSON.stringify(text)} is not HOST:PORT (e.g. ${DEFAULT_LISTEN}, [::1]:8480)`,
    );
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LifeboatError(
      'LB_E_CLI_FILE_READ',
      `cannot read the TLS ${what} ${path}: ${(e as Error).message}`,
    );
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Where SIGHUP, SIGINT and SIGTERM come from: the process, or a test's emitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export function serveCommand(io?: Io, signals: SignalSource = process): CommandModule {
  return (program: Command) => {
    program
      .command('serve')
      .description(
        'Run the controller with its HTTP API and dashboard: probes, RPO, outage policies, plan reload on change and SIGHUP.',
      )
      .requiredOption('--plan <file>', 'the plan file')
      .option('--listen <host:port>', 'where the API listens', DEFAULT_LISTEN)
      .option('--state <path>', 'the state file (default $LIFEBOAT_STATE or ./.lifeboat/state.db)')
      .option('--lab <name>', 'reach the nodes through this lab’s network namespaces')
      .option('--web <dir>', 'the built dashboard (default dist/web when it exists)')
      .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
      .option('--tls-key <file>', 'the PEM private key of --tls-cert')
      .option(
        '--allow-origin <url>',
        'an origin besides the server’s own allowed to make unsafe requests (repeatable)',
        collect,
      )
      .option('--trust-proxy', 'take the client address from X-Forwarded-For (behind your proxy)')
      .option('--log-level <level>', 'fatal, error, warn, info (every request), debug', 'warn')
      .option('--no-watch', 'do not reload the plan when its files change (SIGHUP still does)')
      .action(async (opts: Opts, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (t: string) => void);
        const err = io?.err ?? (cmd.configureOutput().writeErr as (t: string) => void);
        const { host, port } = parseListen(opts.listen);
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
          throw new LifeboatError('LB_E_CLI_USAGE', '--tls-cert and --tls-key go together');
        }
        const tls =
          opts.tlsCert !== undefined && opts.tlsKey !== undefined
            ? { cert: readPem(opts.tlsCert, 'certificate'), key: readPem(opts.tlsKey, 'key') }
            : undefined;
        const webRoot =
          opts.web !== undefined ? resolve(opts.web) : defaultWebRoot(import.meta.url);
        const hasWeb = webRoot !== undefined && existsSync(join(webRoot, 'index.html'));
        if (opts.web !== undefined && !hasWeb) {
          err(`lifeboat: --web ${opts.web} has no index.html: the dashboard is not served\n`);
        }
        const state = opts.state ?? defaultStatePath();

        // Loaded here, not at the top: every other command starts without the controller and Fastify.
        const { createController } = await import('../compose/controller.js');
        let composed: ComposedController;
        try {
          composed = createController({
            plan: opts.plan,
            state,
            ...(opts.lab !== undefined ? { lab: opts.lab } : {}),
            watch: opts.watch,
            log: (line) => err(`lifeboat: ${line}\n`),
          });
        } catch (e) {
          if (isLifeboatError(e)) throw e;
          throw new LifeboatError(
            'LB_E_SERVER_NO_CONTROLLER',
            `cannot build the controller for ${opts.plan}: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        }
        const { createServer } = await import('../../server/index.js');
        const app = await createServer({
          controller: composed.controller,
          tokens: composed.store.tokens,
          notifications: () => composed.notifier.stats(),
          leases: composed.leases,
          ...(webRoot !== undefined ? { webRoot } : {}),
          ...(tls ? { tls } : {}),
          ...(opts.allowOrigin ? { allowedOrigins: opts.allowOrigin } : {}),
          trustProxy: opts.trustProxy === true,
          logger: { level: opts.logLevel },
        });
        try {
          await composed.start();
          await app.listen({ host, port });
        } catch (e) {
          await app.close().catch(() => undefined);
          await composed.stop().catch(() => undefined);
          if (isLifeboatError(e)) throw e;
          throw new LifeboatError(
            'LB_E_SERVER_LISTEN',
            `cannot listen on ${opts.listen}: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        }
        const scheme = tls ? 'https' : 'http';
        const shownHost = host.includes(':') ? `[${host}]` : host;
        // The port bound (it differs from --listen's for port 0).
        const bound = app.server.address();
        const boundPort = typeof bound === 'object' && bound ? bound.port : port;
        out(
          `lifeboat serve: ${composed.controller.services().length} services from ${resolve(opts.plan)}, state ${composed.store.location}\n` +
            `API ${scheme}://${shownHost}:${boundPort}/api/v1 (docs: /api/v1/openapi.json, metrics: /metrics)` +
            `${hasWeb ? `, dashboard ${scheme}://${shownHost}:${boundPort}/` : ', no dashboard (build it with `npm run build:web`)'}\n`,
        );
        if ((await composed.store.tokens.list()).length === 0) {
          err(
            `lifeboat: no API token yet: create one with \`lifeboat token create --role admin --name NAME --state ${state}\`\n`,
          );
        }

        await new Promise<void>((done) => {
          let closing = false;
          const onHup = () => {
            const status = composed.reload();
            err(
              status.lastError
                ? `lifeboat: SIGHUP: the plan was not reloaded (the running one stays): ${status.lastError.message}\n`
                : `lifeboat: SIGHUP: plan read again; running ${status.hash} (${status.reloads} reloads)\n`,
            );
          };
          const onStop = (signal: string) => {
            if (closing) return;
            closing = true;
            err(`lifeboat: ${signal}: closing\n`);
            signals.off('SIGHUP', onHup);
            void (async () => {
              try {
                await app.close();
              } finally {
                await composed.stop();
                signals.off('SIGINT', onInt);
                signals.off('SIGTERM', onTerm);
                done();
              }
            })();
          };
          const onInt = () => onStop('SIGINT');
          const onTerm = () => onStop('SIGTERM');
          signals.on('SIGHUP', onHup);
          signals.on('SIGINT', onInt);
          signals.on('SIGTERM', onTerm);
        });
      });
  };
}
