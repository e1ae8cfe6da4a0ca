// MariaDB GTID positions ("0-1-42,1-2-7": domain-server-sequence, one per domain) and the
// comparisons the driver makes with them. Pure. With gtid_strict_mode the sequence numbers of a
// domain only grow, so "covers" per domain is a comparison of sequence numbers.

export interface Gtid {
  domain: number;
  server: number;
  seq: number;
}

export type GtidPos = Map<number, Gtid>;

export function parseGtidPos(text: string | null | undefined): GtidPos {
  const out: GtidPos = new Map();
  for (const part of (text ?? '').split(',')) {
    const m = /^\s*(\d+)-(\d+)-(\d+)\s*$/.exec(part);
    if (!m) continue;
    const g = { domain: Number(m[1]), server: Number(m[2]), seq: Number(m[3]) };
    const had = out.get(g.domain);
    if (!had || had.seq < g.seq) out.set(g.domain, g);
  }
  return out;
}

export function formatGtidPos(pos: GtidPos): string {
  return [...pos.values()]
    .sort((a, b) => a.domain - b.domain)
    .map((g) => `${g.domain}-${g.server}-${g.seq}`)
    .join(',');
}

/** Transactions in `ahead` that `behind` has not got, summed over domains (0 when covered). */
export function gtidDistance(behind: GtidPos, ahead: GtidPos): number {
  let n = 0;
  for (const [domain, g] of ahead) {
    const have = behind.get(domain)?.seq ?? 0;
    if (g.seq > have) n += g.seq - have;
  }
  return n;
}

/** `a` holds everything `b` holds. */
export function covers(a: GtidPos, b: GtidPos): boolean {
  return gtidDistance(a, b) === 0;
}

/**
 * Transactions of `node` its would-be source never had: a write made on the node alone
 * (an errant GTID). Such a node cannot follow that source in strict mode.
 */
export function errantAgainst(node: GtidPos, source: GtidPos): string | undefined {
  const extra: Gtid[] = [];
  for (const [domain, g] of node) {
    const s = source.get(domain);
    if (!s || g.seq > s.seq) extra.push(g);
  }
  return extra.length === 0 ? undefined : formatGtidPos(new Map(extra.map((g) => [g.domain, g])));
}
