// Network partitions: an nftables table of family `bridge` in `wan`, one per site, dropping
// that site's veth port. A silent blackhole: the carrier stays up, packets just vanish, like a
// broken WAN link rather than an unplugged cable. Heal deletes the table.
import { LifeboatError } from '../core/errors/index.js';
import { inNamespace, run, runOk } from './exec.js';
import { REPLICATION_PORTS, SITES, type Site, VETHS } from './topology.js';

/** `in`: nothing reaches the site; `out`: nothing leaves it; `both`: cut off. */
export type Direction = 'both' | 'in' | 'out';
/** `all`: every peer; `replication`: only database replication between sites a and b. */
export type LinkScope = 'all' | 'replication';

export interface PartitionSpec {
  site: Site;
  direction: Direction;
  link: LinkScope;
}

export function tableName(site: Site): string {
  return `lifeboat_cut_${site}`;
}

export function parseDirection(text: string | undefined): Direction {
  if (text === undefined || text === 'both') return 'both';
  if (text === 'in' || text === 'out') return text;
  throw new LifeboatError('LB_E_LAB_USAGE', `--one-way must be in or out, not '${text}'`);
}

export function parseLink(text: string | undefined): LinkScope {
  if (text === undefined || text === 'all') return 'all';
  if (text === 'replication') return text;
  throw new LifeboatError('LB_E_LAB_USAGE', `--link must be all or replication, not '${text}'`);
}

/**
 * The nft script of a partition. It first creates and deletes the table, so that applying it
 * replaces an earlier partition of the same site atomically (one transaction). Pure.
 * Chain names avoid nft keywords (`fwd` is one: `chain fwd` does not parse).
 */
export function renderPartition(spec: PartitionSpec): string {
  const t = tableName(spec.site);
  const v = VETHS[spec.site];
  const drop = (rule: string) => `    ${rule} drop`;
  const cutIn = spec.direction !== 'out';
  const cutOut = spec.direction !== 'in';
  const forward: string[] = [];
  const input: string[] = [];
  const output: string[] = [];
  if (spec.link === 'all') {
    // A one-way cut lets ARP through: the bridge filters ARP too, and without the replies the
    // open direction could not resolve a single neighbour, which would make it a full cut.
    const arp = spec.direction === 'both' ? [] : ['    ether type arp accept'];
    if (cutOut) forward.push(...arp, drop(`iifname "${v}"`));
    if (cutIn) forward.push(...arp, drop(`oifname "${v}"`));
    if (cutOut) input.push(...arp, drop(`iifname "${v}"`));
    if (cutIn) output.push(...arp, drop(`oifname "${v}"`));
  } else {
    if (spec.site === 'witness') {
      throw new LifeboatError(
        'LB_E_LAB_USAGE',
        'the witness has no database: --link replication applies to a or b',
      );
    }
    const peer = VETHS[spec.site === 'a' ? 'b' : 'a'];
    const ports = `{ ${REPLICATION_PORTS.join(', ')} }`;
    // Either site may be the primary (after a failover): match the server port both ways.
    for (const [from, to, on] of [
      [v, peer, cutOut],
      [peer, v, cutIn],
    ] as const) {
      if (!on) continue;
      forward.push(
        drop(`iifname "${from}" oifname "${to}" tcp dport ${ports}`),
        drop(`iifname "${from}" oifname "${to}" tcp sport ${ports}`),
      );
    }
  }
  const chain = (name: string, hook: string, rules: string[]) =>
    rules.length === 0
      ? []
      : [
          `  chain ${name} {`,
          `    type filter hook ${hook} priority 0; policy accept;`,
          ...rules,
          '  }',
        ];
  return [
    `table bridge ${t} {}`,
    `delete table bridge ${t}`,
    `table bridge ${t} {`,
    ...chain('cut_forward', 'forward', forward),
    ...chain('cut_input', 'input', input),
    ...chain('cut_output', 'output', output),
    '}',
    '',
  ].join('\n');
}

/** The script that removes a site's partition whether or not there is one. */
export function renderHeal(site: Site): string {
  const t = tableName(site);
  return `table bridge ${t} {}\ndelete table bridge ${t}\n`;
}

/** Sites partitioned, read from the kernel (`nft list tables` in wan), not from our records. */
export function parsePartitionedSites(nftListTables: string): Site[] {
  return SITES.filter((s) => new RegExp(`^table bridge ${tableName(s)}$`, 'm').test(nftListTables));
}

export async function applyNft(wanNs: string, script: string, what: string): Promise<number> {
  const r = await runOk(what, inNamespace(wanNs, ['nft', '-f', '-']), {
    input: script,
    timeoutMs: 10_000,
  });
  return r.ms;
}

export async function partitionedSites(wanNs: string): Promise<Site[]> {
  const r = await run(inNamespace(wanNs, ['nft', 'list', 'tables', 'bridge']), { timeoutMs: 5000 });
  return r.code === 0 ? parsePartitionedSites(r.stdout) : [];
}

/**
 * Whether `site` is cut off from wan for anything but database replication now: a partition
 * table of all links (in either or both directions) is loaded. One of `--link replication` only
 * drops the database ports (its rules name a `dport`), and leaves management reachable.
 */
export async function siteCutOff(wanNs: string, site: Site): Promise<boolean> {
  const r = await run(inNamespace(wanNs, ['nft', 'list', 'table', 'bridge', tableName(site)]), {
    timeoutMs: 5000,
  });
  return r.code === 0 && !/dport/.test(r.stdout);
}
