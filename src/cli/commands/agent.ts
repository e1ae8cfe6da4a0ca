// `lifeboat agent --plan plan.yaml --node NAME --controller URL --token-file F [--lab NAME]`: runs
// on a database node and holds its fence leases (src/cli/agent/fence-agent.ts): renews them with
// the controller's API, and stops the node's server if it is a writable primary once a lease runs
// out or is revoked. With --lab it runs inside the lab node's namespace (`<lab>-<node>`), where a
// partition cuts it off from the controller as it would a real node.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LeaseAnswer, LeaseKey } from '../../controller/index.js';
import { LifeboatError } from '../../core/errors/index.js';
import { fenceLeaseTerms, type Plan } from '../../core/plan/index.js';
import { isReplicating } from '../../drivers/driver.js';
import { LocalNodeRunner } from '../../drivers/node-runner.js';
import { resolveSecret } from '../../drivers/secrets.js';
import { FenceAgent, type LeaseSpec } from '../agent/fence-agent.js';
import { DriverFactory } from '../compose/driver-factory.js';
import { enterLabNetwork } from '../compose/environment.js';
import { loadPlanFile } from '../plan-files.js';
import type { CommandModule, Io } from '../program.js';

interface Opts {
  plan: string;
  node: string;
  controller: string;
  tokenFile?: string;
  lab?: string;
}

/** The data sets of the plan with a fence lease that `node` holds a copy of. Pure. */
export function leasesOf(plan: Plan, node: string): LeaseSpec[] {
  const out: LeaseSpec[] = [];
  for (const [service, svc] of Object.entries(plan.services ?? {}))
    for (const ds of svc.data ?? []) {
      const t = fenceLeaseTerms(ds);
      if (t?.nodes.includes(node))
        out.push({ service, dataSet: ds.name, ttlMs: t.ttlMs, renewEveryMs: t.renewEveryMs });
    }
  return out;
}

function usage(message: string): LifeboatError {
  return new LifeboatError('LB_E_CLI_USAGE', message);
}

function readToken(opts: Opts): string {
  const t = opts.tokenFile
    ? readFileSync(opts.tokenFile, 'utf8').trim()
    : (process.env.LIFEBOAT_TOKEN ?? '').trim();
  if (!/^lbt_[A-Za-z0-9_-]{20,}$/.test(t))
    throw usage(
      'the agent needs an operator token: --token-file FILE, or LIFEBOAT_TOKEN (`lifeboat token create --role operator`)',
    );
  return t;
}

export function agentCommand(io?: Io): CommandModule {
  return (program: Command) => {
    program
      .command('agent')
      .description(
        "Hold this node's fence leases: renew them with the controller, and stop the node's server if it is a writable primary once a lease runs out or is revoked.",
      )
      .requiredOption('--plan <file>', 'the plan (the same as the controller)')
      .requiredOption('--node <name>', 'this node, as the plan names it')
      .requiredOption('--controller <url>', "the controller's API (e.g. http://10.0.0.5:8480)")
      .option('--token-file <file>', 'an operator token (default: $LIFEBOAT_TOKEN)')
      .option('--lab <name>', "run inside the lab node's namespace")
      .action(async (opts: Opts, cmd: Command) => {
        const err = io?.err ?? (cmd.parent?.configureOutput().writeErr as (t: string) => void);
        if (opts.lab !== undefined) enterLabNetwork(opts.lab, opts.node);
        const url = new URL(opts.controller);
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          throw usage('--controller must be an http:// or https:// URL');
        const token = readToken(opts);
        const loaded = loadPlanFile(opts.plan);
        const plan = loaded.plan;
        if (!plan || loaded.diagnostics.some((d) => d.severity === 'error'))
          throw new LifeboatError(
            'LB_E_CLI_USAGE',
            `${opts.plan} is not a valid plan: run \`lifeboat check\``,
          );
        if (!plan.nodes?.[opts.node]) throw usage(`the plan has no node \`${opts.node}\``);
        const leases = leasesOf(plan, opts.node);
        if (leases.length === 0)
          throw usage(`no data set of the plan with a fenceLease has a copy on \`${opts.node}\``);
        // This process runs on the node: its server is reached locally, not over SSH.
        const local = new LocalNodeRunner();
        const factory = new DriverFactory(plan, {
          runnerFor: () => local,
          localRunner: () => local,
          secret: (ref) => resolveSecret(ref),
        });
        const log = (line: string) => err(`${new Date().toISOString()} lifeboat agent: ${line}\n`);
        const endpoint = new URL(
          `api/v1/leases/${encodeURIComponent(opts.node)}/renew`,
          url.href.endsWith('/') ? url.href : `${url.href}/`,
        );
        const agent = new FenceAgent({
          node: opts.node,
          leases,
          log,
          async renew(keys: readonly LeaseKey[], signal: AbortSignal): Promise<LeaseAnswer[]> {
            const r = await fetch(endpoint, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ leases: keys }),
              redirect: 'error',
              signal,
            });
            if (r.status !== 200) throw new Error(`the controller answered ${r.status}`);
            return ((await r.json()) as { leases: LeaseAnswer[] }).leases;
          },
          async fence(key: LeaseKey): Promise<string> {
            const d = factory.database(key.service, key.dataSet, opts.node);
            const op = { signal: AbortSignal.timeout(10_000) };
            if (isReplicating(d)) {
              const s = await d.replicationState(op).catch(() => undefined);
              if (s && !(s.role === 'primary' && s.writable))
                return `left alone (${s.role}${s.writable ? '' : ', not writable'})`;
            }
            const r = await d.fence(op, 'stop');
            return `stopped: ${r.detail}`;
          },
        });
        log(
          `node ${opts.node}: holding ${leases.map((l) => `${l.service}/${l.dataSet} (ttl ${l.ttlMs} ms, renew every ${l.renewEveryMs} ms)`).join(', ')} with ${url.origin}`,
        );
        agent.start();
        await new Promise<void>((done) => {
          const stop = () => {
            agent.stop();
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            done();
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
      });
  };
}
