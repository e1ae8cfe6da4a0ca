// Moves a keepalived (VRRP) VIP to a chosen node. Where the VIP is comes from the nodes'
// interfaces (`ip -o addr show`), the only truth clients meet; priorities come from the config
// files this driver edits. A move rewrites the instance's priority on each node (destination
// highest) and reloads keepalived with SIGHUP, so that both daemons keep running and the pair can
// still fail over afterwards; then it polls until the VIP is on the destination and on no other.
import { isIP } from 'node:net';
import { LifeboatError } from '../../core/errors/index.js';
import { pollUntil, throwIfAborted } from '../context.js';
import type { EffectResult, Observation, OperationContext, Switchable } from '../driver.js';
import type { NodeRunner } from '../node-runner.js';
import { safeName } from '../safe-values.js';
import { type InstanceFacts, priorityEdit, priorityPlan, readInstance } from './config-edit.js';
import { KeepalivedNodeOps } from './node-ops.js';

export interface KeepalivedNode {
  /** Destination name: the plan's node. */
  name: string;
  /** Runs commands on that node (SSH in production; `ip netns exec <site>` in the lab). */
  runner: NodeRunner;
  /** keepalived's configuration file on the node (the driver edits the instance's priority). */
  configFile: string;
  /** keepalived's parent PID file (`-p`), for the SIGHUP that reloads it. */
  pidFile: string;
}

export interface KeepalivedConfig {
  /** The VIP, bare or with its prefix length (`10.77.0.100/24`). */
  vip: string;
  /** The interface that carries it; default: any interface of the node. */
  interface?: string;
  /** The `vrrp_instance` name in the config files. */
  instance: string;
  nodes: readonly KeepalivedNode[];
  timing?: { moveTimeoutMs?: number; pollIntervalMs?: number };
}

export class KeepalivedDriver implements Switchable {
  readonly kind = 'keepalived';
  readonly target: string;
  private readonly vip: string;
  private readonly instance: string;
  private readonly nodes: ReadonlyMap<string, KeepalivedNodeOps>;
  private readonly moveTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(cfg: KeepalivedConfig) {
    const address = cfg.vip.split('/')[0] ?? '';
    if (!isIP(address) || !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(cfg.vip)) {
      throw new LifeboatError(
        'LB_E_DRIVER_BAD_INPUT',
        'the VIP must be an IP address, optionally with /prefix',
      );
    }
    this.vip = address.toLowerCase();
    this.instance = safeName(cfg.instance, 'the vrrp_instance name');
    const iface =
      cfg.interface === undefined ? undefined : safeName(cfg.interface, 'the VIP interface');
    const nodes = new Map<string, KeepalivedNodeOps>();
    for (const n of cfg.nodes) {
      const name = safeName(n.name, 'a keepalived node name');
      if (nodes.has(name))
        throw new LifeboatError('LB_E_DRIVER_CONFIG', `node ${name} is listed twice`);
      nodes.set(name, new KeepalivedNodeOps(name, n, iface));
    }
    if (nodes.size < 2)
      throw new LifeboatError('LB_E_DRIVER_CONFIG', 'a VIP needs at least two keepalived nodes');
    this.nodes = nodes;
    this.moveTimeoutMs = cfg.timing?.moveTimeoutMs ?? 15_000;
    this.pollIntervalMs = cfg.timing?.pollIntervalMs ?? 50;
    this.target = `VIP ${this.vip}`;
  }

  /** Nodes whose interfaces carry the VIP now, asked in parallel. */
  private async holders(ctx: OperationContext): Promise<string[]> {
    const all = await Promise.all(
      [...this.nodes.values()].map(async (n) =>
        (await n.hasAddress(ctx, this.vip)) ? n.name : undefined,
      ),
    );
    return all.filter((x): x is string => x !== undefined);
  }

  private async instances(
    ctx: OperationContext,
  ): Promise<Map<string, { text: string; facts: InstanceFacts }>> {
    const texts = await Promise.all([...this.nodes.values()].map((n) => n.readConfig(ctx)));
    const out = new Map<string, { text: string; facts: InstanceFacts }>();
    [...this.nodes.values()].forEach((n, i) => {
      const text = texts[i] as string;
      out.set(n.name, {
        text,
        facts: readInstance(text, this.instance, `${n.name}:${n.configFile}`),
      });
    });
    return out;
  }

  async observe(ctx: OperationContext): Promise<Observation> {
    throwIfAborted(ctx, `observe ${this.target}`);
    const [holders, inst] = await Promise.all([this.holders(ctx), this.instances(ctx)]);
    const priorities = Object.fromEntries([...inst].map(([name, i]) => [name, i.facts.priority]));
    const nopreempt = [...inst.values()].some((i) => i.facts.nopreempt);
    return {
      healthy: holders.length === 1,
      summary: `${this.target} is on ${holders.length === 0 ? 'no node' : holders.join(' and ')} (priorities ${Object.entries(
        priorities,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${nopreempt ? ', nopreempt' : ''})${holders.length > 1 ? ': DUPLICATE' : ''}`,
      facts: {
        vip: this.vip,
        holders,
        holder: holders.length === 1 ? holders[0] : undefined,
        priorities,
        nopreempt,
      },
    };
  }

  async current(ctx: OperationContext): Promise<string | undefined> {
    throwIfAborted(ctx, `read ${this.target}`);
    const holders = await this.holders(ctx);
    return holders.length === 1 ? holders[0] : undefined;
  }

  async switchTo(ctx: OperationContext, destination: string): Promise<EffectResult> {
    const dest = this.nodes.get(safeName(destination, 'the destination'));
    if (!dest) {
      throw new LifeboatError(
        'LB_E_DRIVER_CONFIG',
        `${JSON.stringify(destination.slice(0, 64))} is not a keepalived node of ${this.target}`,
        {
          hint: `Known nodes: ${[...this.nodes.keys()].join(', ')}.`,
        },
      );
    }
    throwIfAborted(ctx, `switch ${this.target}`);
    const t0 = performance.now();
    const [before, inst] = await Promise.all([this.holders(ctx), this.instances(ctx)]);
    const current = new Map([...inst].map(([name, i]) => [name, i.facts.priority]));
    const plan = priorityPlan(current, destination);
    const edits = [...plan].filter(([name, p]) => current.get(name) !== p);
    const onlyDest = before.length === 1 && before[0] === destination;
    if (onlyDest && edits.length === 0) {
      return {
        changed: false,
        detail: `${this.target} is already on ${destination}`,
        data: { destination, priorities: Object.fromEntries(current) },
      };
    }
    if (!onlyDest && [...inst.values()].some((i) => i.facts.nopreempt)) {
      throw new LifeboatError(
        'LB_E_KEEPALIVED_NOPREEMPT',
        `${this.target}: vrrp_instance ${this.instance} has nopreempt; a priority change would not move the VIP from ${before.join(', ') || 'its holder'}`,
      );
    }
    // Every node at once: the VRRP election only starts once the destination is reloaded, and
    // the order does not matter to it (an equal or lower advert is ignored by a preempting
    // backup until its master-down timer fires). Each node's edit is idempotent if one fails.
    const results = await Promise.allSettled(
      edits.map(async ([name, priority]) => {
        const node = this.nodes.get(name) as KeepalivedNodeOps;
        const text = (inst.get(name) as { text: string }).text;
        await node.editConfig(
          ctx,
          priorityEdit(text, this.instance, priority, `${name}:${node.configFile}`),
        );
        await node.reload(ctx);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    let overlap = before.length > 1;
    let gap = false;
    const seen = await pollUntil(
      ctx,
      `${this.target} to be on ${destination} only`,
      async () => {
        const h = await this.holders(ctx);
        if (h.length > 1) overlap = true;
        if (h.length === 0) gap = true;
        return h.length === 1 && h[0] === destination ? h : undefined;
      },
      { timeoutMs: this.moveTimeoutMs, intervalMs: this.pollIntervalMs },
    );
    const ms = Math.round(performance.now() - t0);
    const prio = Object.fromEntries(plan);
    return {
      changed: true,
      detail: onlyDest
        ? `${this.target} was already on ${destination}; priorities rewritten so that it stays (${fmt(prio)})`
        : `${this.target} moved ${before.join('+') || '(nowhere)'} → ${seen[0]} in ${ms} ms (priorities ${fmt(prio)}, keepalived reloaded by SIGHUP)${overlap ? '; two nodes held it for a moment' : ''}${gap ? '; no node held it for a moment' : ''}`,
      data: {
        from: before,
        destination,
        priorities: prio,
        previousPriorities: Object.fromEntries(current),
        ms,
        overlapSeen: overlap,
        gapSeen: gap,
      },
    };
  }
}

function fmt(p: Record<string, number>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
