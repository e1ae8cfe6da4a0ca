// `lifeboat lab ...`: the two-site test lab (network namespaces, real servers, partitions).
import { type Command, Option } from 'commander';
import { isLifeboatError } from '../../core/errors/index.js';
import {
  assertRoot,
  COMPONENTS,
  installPackages,
  Lab,
  type LabStatus,
  PLACES,
  parseComponents,
  parsePlace,
  parseSite,
  SERVERS,
  SITES,
  type UpReport,
} from '../../lab/index.js';
import { type CommandModule, ExitCode, type Io, processIo } from '../program.js';

export interface LabCliDeps {
  /** The effective uid (tests pass a non-root one to see the refusal). */
  uid?: () => number | undefined;
}

interface Common {
  name?: string;
  dir?: string;
  json?: boolean;
}

const USAGE_CODES = new Set(['LB_E_LAB_USAGE']);

function common(cmd: Command, io: Io): Command {
  return (
    cmd
      // runCli routes the output of top-level commands only; these are one level down.
      .configureOutput({ writeOut: io.out, writeErr: io.err })
      .option('--name <name>', 'lab name, the prefix of its namespaces', 'lb')
      .option('--dir <dir>', 'lab directory (default /tmp/lifeboat-lab/<name>)')
      .option('--json', 'print the result as JSON on stdout')
  );
}

export function labCommand(io: Io = processIo, deps: LabCliDeps = {}): CommandModule {
  const open = (o: Common) =>
    Lab.open({
      name: o.name,
      dir: o.dir,
      uid: deps.uid?.(),
      progress: o.json ? undefined : (line) => io.err(`lab: ${line}\n`),
    });
  const print = (o: Common, value: unknown, text: () => string) =>
    io.out(o.json ? `${JSON.stringify(value, null, 2)}\n` : text());
  const action =
    <A extends unknown[]>(f: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await f(...args);
      } catch (e) {
        if (!isLifeboatError(e)) throw e;
        const opts = args.find(
          (a): a is Common => typeof a === 'object' && a !== null && 'name' in a,
        );
        if (opts?.json) io.out(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
        io.err(`${e.format()}\n`);
        throw new ExitCode(USAGE_CODES.has(e.code) ? 2 : 1);
      }
    };

  return (program) => {
    const lab = program
      .command('lab')
      .description(
        'Run the two-site test lab: sites a, b and a witness in network namespaces, with real servers.',
      );

    common(lab.command('up'), io)
      .description('Start the lab (or only some components); starts only what is not running.')
      .addOption(new Option('--only <components>', `comma-separated: ${COMPONENTS.join(', ')}`))
      .addOption(
        new Option('--pg-mode <mode>', 'PostgreSQL replication').choices(['sync', 'async']),
      )
      .action(
        action(async (o: Common & { only?: string; pgMode?: 'sync' | 'async' }) => {
          const components = parseComponents(o.only);
          const report = await open(o).up(components, { pgMode: o.pgMode });
          print(o, report, () => formatUp(report));
        }),
      );

    common(lab.command('down'), io)
      .description('Stop everything of the lab; remove its namespaces and directory.')
      .action(
        action(async (o: Common) => {
          const r = await open(o).down();
          print(
            o,
            r,
            () =>
              `stopped ${Object.keys(r.stopped).length} server(s)${r.killedLeftovers.length ? `, killed ${r.killedLeftovers.length} leftover process(es)` : ''}, removed ${r.namespacesRemoved.length} namespace(s) in ${Math.round(r.ms)} ms\n`,
          );
        }),
      );

    common(lab.command('status'), io)
      .description('Per component: up/down, PIDs, addresses; the network and its partitions.')
      .action(
        action(async (o: Common) => {
          const s = await open(o).status();
          print(o, s, () => formatStatus(s));
        }),
      );

    common(lab.command('install'), io)
      .description('Install the Debian packages the lab needs (apt-get; services are not started).')
      .option('--dry-run', 'only list what is missing')
      .action(
        action(async (o: Common & { dryRun?: boolean }) => {
          assertRoot(deps.uid ? deps.uid() : process.getuid?.());
          const r = await installPackages({ dryRun: o.dryRun });
          print(o, r, () =>
            r.missing.length === 0
              ? 'lab packages: all installed\n'
              : `${r.dryRun ? 'missing' : 'installed'}: ${r.missing.join(' ')}\n`,
          );
        }),
      );

    common(lab.command('partition <site>'), io)
      .description(`Cut a site (${SITES.join(', ')}) off: a silent blackhole in the wan bridge.`)
      .addOption(
        new Option('--one-way <dir>', 'cut only traffic into or out of the site').choices([
          'in',
          'out',
        ]),
      )
      .addOption(
        new Option('--link <link>', 'all traffic, or only database replication between a and b')
          .choices(['all', 'replication'])
          .default('all'),
      )
      .action(
        action(
          async (
            site: string,
            o: Common & { oneWay?: 'in' | 'out'; link: 'all' | 'replication' },
          ) => {
            const r = await open(o).partition(parseSite(site), { oneWay: o.oneWay, link: o.link });
            print(
              o,
              { site, ...o, ms: r.ms },
              () =>
                `partitioned ${site} (${o.link}${o.oneWay ? `, ${o.oneWay} only` : ''}) in ${r.ms.toFixed(1)} ms\n`,
            );
          },
        ),
      );

    common(lab.command('heal <site>'), io)
      .description('Remove the partition of a site.')
      .action(
        action(async (site: string, o: Common) => {
          const r = await open(o).heal(parseSite(site));
          print(o, { site, ms: r.ms }, () => `healed ${site} in ${r.ms.toFixed(1)} ms\n`);
        }),
      );

    const signals = [
      ['kill', 'SIGKILL the server (its recorded PID, start time checked)'],
      ['pause', 'SIGSTOP the server: it hangs with its sockets open'],
      ['resume', 'SIGCONT a paused server'],
    ] as const;
    for (const [verb, what] of signals) {
      common(lab.command(`${verb} <server>`), io)
        .description(`${what}.`)
        .addHelpText('after', `\nServers: ${SERVERS.map((s) => s.name).join(', ')}`)
        .action(
          action(async (server: string, o: Common) => {
            const lab = open(o);
            await lab[verb](server);
            print(o, { server, action: verb }, () => `${verb}: ${server}\n`);
          }),
        );
    }

    common(lab.command('exec <place> <argv...>'), io)
      .description(
        `Run a command inside a namespace (${PLACES.join(', ')}); put -- before its options.`,
      )
      .action(
        action(async (place: string, argv: string[], o: Common) => {
          const r = await open(o).exec(parsePlace(place), argv, { timeoutMs: 10 * 60_000 });
          if (o.json) {
            const { code, signal, stdout, stderr, timedOut } = r;
            print(o, { code, signal, stdout, stderr, timedOut, ms: Math.round(r.ms) }, () => '');
          } else {
            io.out(r.stdout);
            io.err(r.stderr);
          }
          if (r.code !== 0) throw new ExitCode(1);
        }),
      );
  };
}

function formatUp(r: UpReport): string {
  const lines = [`network: ${r.network.created ? 'created' : 'already up'} (${r.network.ms} ms)`];
  for (const c of r.components) {
    const parts = [];
    if (c.started.length) parts.push(`started ${c.started.join(', ')}`);
    if (c.alreadyUp.length) parts.push(`already up: ${c.alreadyUp.join(', ')}`);
    lines.push(`${c.component}: ${parts.join('; ') || 'nothing to do'} (${c.ms} ms)`);
  }
  lines.push(`total ${r.ms} ms`);
  return `${lines.join('\n')}\n`;
}

function formatStatus(s: LabStatus): string {
  const lines = [
    `lab ${s.name} (${s.dir}): network ${s.network}, partitions: ${s.partitions.join(', ') || 'none'}`,
  ];
  for (const c of s.components) {
    for (const [i, v] of c.servers.entries()) {
      const col1 = i === 0 ? `${c.component} ${c.state}` : '';
      lines.push(
        `${col1.padEnd(20)} ${v.name.padEnd(14)} ${v.state.padEnd(8)} ${String(v.pid ?? '-').padEnd(8)} ${v.namespace.padEnd(14)} ${v.listen.join(' ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
