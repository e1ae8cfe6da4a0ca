// `lifeboat demo`: the README's main job. As root on a fresh Debian machine: installs the lab's
// packages when missing, brings the lab up (fresh), starts the controller with its API and
// dashboard on the lab plan, prints the dashboard's URL and an approver's token, then (unless
// --no-fault) cuts site a off so that the viewer sees the outage detected and the failover
// proposed (with --auto: performed) live. Ctrl-C tears everything down and checks it.
//
// Two processes, because of the lab's network namespaces. The drivers must run inside
// `<lab>-wan` (the plan's 10.77.0.x addresses exist only there), but 127.0.0.1 there is not the
// host's: a browser on the host could not reach a server listening in it. So this process
// stays in the host's namespace (lab, partition, tokens, teardown) and starts a child inside
// `<lab>-wan` (`ip netns exec`) that runs the controller and the HTTP server, listening on a
// Unix socket in the lab directory (file-system sockets cross namespaces). This process
// listens on --listen in the host's namespace and relays each connection to that socket, byte
// for byte (Host and Origin unchanged, so the server's Origin check holds). The child tells its
// readiness and the controller's events as JSON lines on its stdout.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import {
  createConnection,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { LifeboatError } from '../../core/errors/index.js';
import { formatDuration } from '../../core/plan/index.js';
import { assertRoot, installPackages, Lab } from '../../lab/index.js';
import { newToken, tokenHash } from '../../server/auth.js';
import { openSqliteStore } from '../../store/index.js';
import {
  DEFAULT_FAULT_AFTER,
  DEMO_APPROVER,
  DEMO_SERVICE,
  DEMO_SITE,
  type DemoEvent,
  type DemoMessage,
  type DemoOptions,
  type DemoRawOptions,
  EventTeller,
  parseDemoMessage,
  parseDemoOptions,
  withOutagePolicy,
} from '../demo/options.js';
import { type CommandModule, ExitCode, type Io } from '../program.js';
import { defaultWebRoot } from '../web-root.js';
import type { SignalSource } from './serve.js';

const IN_LAB = 'LIFEBOAT_IN_LAB_NETNS';
const READY_TIMEOUT_MS = 90_000;
const CHILD_STOP_MS = 15_000;
const LAB_DOWN_MS = 90_000;

interface RawOpts extends DemoRawOptions {
  childSocket?: string;
  childState?: string;
}

const clock = () => new Date().toISOString().slice(11, 19);

/** Resolves after `ms`, or at once when `done` settles first; never rejects. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** The lab's namespaces still present (`<lab>-*`). */
export function labNamespaces(lab: string): string[] {
  let text = '';
  try {
    text = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${lab}-`));
}

/** Processes (not this one) whose command line names a path inside `dir`. */
function processesUsing(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(`${dir}/`)) out.push(`${pid} ${cmd.slice(0, 80)}`);
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Relays TCP connections on host:port to a Unix socket; closes with every connection. */
function relay(
  socketPath: string,
  host: string,
  port: number,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createNetServer((client) => {
    const upstream = createConnection(socketPath);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((ok, fail) => {
    server.once('error', (e) =>
      fail(
        new LifeboatError(
          'LB_E_SERVER_LISTEN',
          `cannot listen on ${host}:${port}: ${e.message} (another lifeboat serve or demo? use --listen)`,
        ),
      ),
    );
    server.listen({ host, port }, () => {
      const a = server.address();
      ok({
        server,
        port: typeof a === 'object' && a ? a.port : port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The child: the controller and the HTTP server inside the lab's wan namespace. */
async function runChild(o: DemoOptions, socket: string, state: string, signals: SignalSource) {
  const write = (m: DemoMessage) => process.stdout.write(`${JSON.stringify(m)}\n`);
  const log = (line: string) => process.stderr.write(`lifeboat demo (controller): ${line}\n`);
  const { createController } = await import('../compose/controller.js');
  const composed = createController({
    plan: o.plan,
    state,
    lab: o.lab,
    log,
    ...(o.auto ? { adjust: (l) => withOutagePolicy(l, DEMO_SERVICE, 'failover') } : {}),
  });
  const { createServer } = await import('../../server/index.js');
  const webRoot = defaultWebRoot(import.meta.url);
  const app = await createServer({
    controller: composed.controller,
    tokens: composed.store.tokens,
    notifications: () => composed.notifier.stats(),
    ...(webRoot !== undefined ? { webRoot } : {}),
    logger: { level: 'warn' },
  });
  const told = new Set(['outage', 'recovered', 'run', 'service', 'plan']);
  const unsubscribe = composed.controller.subscribe((e) => {
    if (told.has(e.event.type))
      write({ type: 'event', at: e.at, event: e.event as unknown as DemoEvent });
  });
  rmSync(socket, { force: true });
  await composed.start();
  await app.listen({ path: socket });
  write({ type: 'ready', services: composed.controller.services().length, stateFile: state });
  await new Promise<void>((done) => {
    let closing = false;
    const stop = () => {
      // Once: the demo process forces with SIGKILL when this takes too long.
      if (closing) return;
      closing = true;
      unsubscribe();
      void (async () => {
        await within(app.close(), 5000);
        await within(composed.stop(), 8000);
        done();
      })();
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
    // The demo process gone (killed): do not outlive it.
    process.stdin.on('end', stop);
    process.stdin.resume();
  });
  process.exit(0);
}

async function runDemo(o: DemoOptions, out: (t: string) => void, signals: SignalSource) {
  assertRoot(process.getuid?.());
  const t0 = Date.now();
  const say = (line: string) => out(`[${clock()}] ${line}\n`);
  out(
    `lifeboat demo: the two-site lab, the controller and its dashboard, on ${o.plan}\n` +
      `(Ctrl-C stops it and tears everything down)\n`,
  );

  let child: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof relay>> | undefined;
  let faultTimer: NodeJS.Timeout | undefined;
  let lab: Lab | undefined;
  let signalled = false;
  let tearingDown = false;
  let forced = false;
  let finish: (why: string) => void = () => undefined;
  const finished = new Promise<string>((r) => {
    finish = r;
  });

  const onSignal = (signal: string) => {
    if (signalled) {
      if (forced) {
        out(`\n${signal} again: exiting now; \`lifeboat lab down\` cleans up what is left\n`);
        process.exit(130);
      }
      forced = true;
      out(`\n${signal} again: forcing (the controller is killed, the lab is still taken down)\n`);
      child?.kill('SIGKILL');
      return;
    }
    signalled = true;
    out(`\n${signal}: tearing down (a second Ctrl-C forces)\n`);
    finish(signal);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);

  const teardown = async (): Promise<boolean> => {
    if (faultTimer) clearTimeout(faultTimer);
    await proxy?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(forced ? 'SIGKILL' : 'SIGTERM');
      if ((await within(exited(child), CHILD_STOP_MS)) === 'timeout') {
        out('the controller did not stop in 15 s: killed\n');
        child.kill('SIGKILL');
        await within(exited(child), 5000);
      }
    }
    if (lab) {
      const r = await within(
        lab.down().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
        LAB_DOWN_MS,
      );
      if (r === 'timeout') out('lab down did not finish in 90 s\n');
      else if (r instanceof Error) out(`lab down failed: ${r.message}\n`);
      else
        out(
          `lab down: stopped ${Object.keys(r.stopped).length} server(s), removed ${r.namespacesRemoved.length} namespace(s) in ${Math.round(r.ms)} ms\n`,
        );
    }
    // Verified, not assumed.
    const left: string[] = [];
    const ns = labNamespaces(o.lab);
    if (ns.length > 0) left.push(`namespaces ${ns.join(', ')}`);
    if (child && child.exitCode === null && child.signalCode === null)
      left.push(`the controller (pid ${child.pid})`);
    if (lab) {
      const procs = processesUsing(lab.dir);
      if (procs.length > 0) left.push(`processes ${procs.join('; ')}`);
      if (existsSync(lab.dir)) left.push(`the directory ${lab.dir}`);
    }
    out(
      left.length === 0
        ? `teardown verified: no ${o.lab}-* namespace, no lab process, no controller left (${formatDuration(Date.now() - t0)} in all)\n`
        : `teardown incomplete: left ${left.join('; ')} (\`lifeboat lab down\` again)\n`,
    );
    return left.length === 0;
  };

  let failed = false;
  const main = async (): Promise<void> => {
    // 1. The lab's packages.
    if (o.install) {
      say('checking the lab’s Debian packages (apt-get only for missing ones)');
      const r = await installPackages();
      say(r.missing.length === 0 ? 'packages: all installed' : `installed: ${r.missing.join(' ')}`);
    }
    // 2. The lab, fresh.
    const l = Lab.open({ name: o.lab, progress: (line) => out(`           lab: ${line}\n`) });
    lab = l;
    if (labNamespaces(o.lab).length > 0 || existsSync(l.dir)) {
      say(`lab ${o.lab} is up already: taking it down for a fresh start`);
      await l.down();
    }
    say(`lab ${o.lab}: starting ${o.components.join(', ')} (PostgreSQL replication: sync)`);
    const up = await l.up(o.components, { pgMode: 'sync' });
    say(`lab up in ${formatDuration(up.ms)}`);
    if (signalled) return;

    // 3. The state file and the token.
    const demoDir = join(l.dir, 'demo');
    mkdirSync(demoDir, { recursive: true, mode: 0o700 });
    const state = join(demoDir, 'state.db');
    const socket = join(demoDir, 'api.sock');
    const token = newToken();
    const store = openSqliteStore(state);
    try {
      await store.tokens.create({ name: o.tokenName, role: 'approver', hash: tokenHash(token) });
      await store.audit.append({
        actor: 'lifeboat-demo',
        action: 'token.create',
        subject: o.tokenName,
        data: { role: 'approver' },
      });
    } finally {
      await store.close();
    }

    // 4. The controller and the API, in the lab's wan namespace.
    const policyLine = o.auto
      ? `${DEMO_SERVICE}: onOutage failover (--auto: set in memory over the plan's propose; the file is unchanged)`
      : `${DEMO_SERVICE}: onOutage propose (from the plan): an outage creates a failover run that waits for an approval`;
    say(`starting the controller in ${o.lab}-wan; ${policyLine}`);
    const argv = [
      'netns',
      'exec',
      `${o.lab}-wan`,
      process.execPath,
      ...process.execArgv,
      process.argv[1] as string,
      'demo',
      '--plan',
      o.plan,
      '--lab',
      o.lab,
      '--child-socket',
      socket,
      '--child-state',
      state,
      ...(o.auto ? ['--auto'] : []),
    ];
    const c = spawn('ip', argv, {
      stdio: ['pipe', 'pipe', 'inherit'],
      // Its own process group: a Ctrl-C reaches this process only, which stops it in order.
      detached: true,
      env: { ...process.env, [IN_LAB]: o.lab },
    });
    child = c;
    const planFile = o.plan;
    const teller = new EventTeller(
      o.auto
        ? {}
        : {
            approveCommand: (run, step) =>
              `LIFEBOAT_USER=${DEMO_APPROVER} lifeboat approve ${run} ${step} --plan ${planFile} --lab ${o.lab} --state ${state}`,
          },
    );
    let ready: (m: DemoMessage & { type: 'ready' }) => void = () => undefined;
    const readyP = new Promise<DemoMessage & { type: 'ready' }>((r) => {
      ready = r;
    });
    createInterface({ input: c.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const m = parseDemoMessage(line);
      if (!m) {
        if (line.trim() !== '') out(`           ${line}\n`);
        return;
      }
      if (m.type === 'ready') ready(m);
      else for (const text of teller.tell(m.event)) out(`[${m.at.slice(11, 19)}] ${text}\n`);
    });
    c.on('exit', (code, signal) => {
      if (!tearingDown) {
        out(`the controller exited (${signal ?? `code ${code}`})\n`);
        finish('controller-exit');
      }
    });
    const first = await Promise.race([
      within(readyP, READY_TIMEOUT_MS),
      finished.then(() => 'stopped' as const),
    ]);
    if (first === 'timeout')
      throw new LifeboatError(
        'LB_E_SERVER_NO_CONTROLLER',
        'the controller did not start within 90 s',
      );
    if (first === 'stopped') {
      if ((await finished) === 'controller-exit') failed = true;
      return;
    }

    // 5. The dashboard, reachable from the host.
    proxy = await relay(socket, o.listen.host, o.listen.port);
    const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host;
    const url = `http://${host}:${proxy.port}/`;
    say(`controller: ${first.services} services, state ${state}`);
    out(
      `\nDashboard: ${url}\n` +
        `Token:     ${token}\n` +
        `           (${o.tokenName}, role approver, a member of the plan's approvers: sign in with it to approve the failover;\n` +
        `            the API: curl -H "Authorization: Bearer $TOKEN" ${url}api/v1/services)\n\n`,
    );

    // 6. The fault.
    if (o.faultAfterMs !== undefined) {
      say(
        `in ${formatDuration(o.faultAfterMs)}, site ${DEMO_SITE} is cut off (lifeboat lab partition ${DEMO_SITE}); --no-fault to do it yourself`,
      );
      faultTimer = setTimeout(() => {
        faultTimer = undefined;
        void l
          .partition(DEMO_SITE)
          .then(() =>
            say(
              `site ${DEMO_SITE} cut off from the others (the wan bridge drops its traffic): the controller's probes of ${DEMO_SERVICE} at ${DEMO_SITE} now time out`,
            ),
          )
          .catch((e: unknown) =>
            say(
              `could not partition site ${DEMO_SITE}: ${e instanceof Error ? e.message : String(e)}`,
            ),
          );
      }, o.faultAfterMs);
    } else {
      say(`no fault (--no-fault): cut site a off yourself with \`lifeboat lab partition a\``);
    }
    if ((await finished) === 'controller-exit') failed = true;
  };

  let error: unknown;
  try {
    await main();
  } catch (e) {
    error = e;
  }
  tearingDown = true;
  const ok = await teardown();
  signals.off('SIGINT', onInt);
  signals.off('SIGTERM', onTerm);
  if (error !== undefined) throw error;
  if (!ok || failed) throw new ExitCode(1);
}

export function demoCommand(io?: Io, signals: SignalSource = process): CommandModule {
  return (program: Command) => {
    program
      .command('demo')
      .description(
        'As root: the lab, the controller and its dashboard on the lab plan, then site a cut off: watch the outage and the failover live. Ctrl-C tears it all down.',
      )
      .option('--plan <file>', 'the lab plan', 'examples/lab/plan.yaml')
      .option('--listen <host:port>', 'where the dashboard listens (host side)', '127.0.0.1:8480')
      .option('--fault-after <duration>', 'pause before site a is cut off', DEFAULT_FAULT_AFTER)
      .option('--no-fault', 'do not cut site a off (do it with `lifeboat lab partition a`)')
      .option('--auto', 'app-db fails over without an approval (onOutage: failover, in memory)')
      .option(
        '--components <list>',
        'lab components to start (default: what the lab plan’s services use)',
      )
      .option('--skip-install', 'do not check the lab’s Debian packages')
      .option(
        '--token-name <name>',
        'who the printed token is (an approver of the plan)',
        DEMO_APPROVER,
      )
      .addOption(new Option('--lab <name>', 'the lab name').default('lb').hideHelp())
      .addOption(new Option('--child-socket <path>').hideHelp())
      .addOption(new Option('--child-state <path>').hideHelp())
      .action(async (raw: RawOpts, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (t: string) => void);
        const o = parseDemoOptions({ ...raw, plan: resolve(raw.plan) });
        if (raw.childSocket !== undefined && raw.childState !== undefined) {
          await runChild(o, raw.childSocket, raw.childState, signals);
          return;
        }
        await runDemo(o, out, signals);
      });
  };
}
