// Which site goes in which column: the order that keeps arrows shortest, and small sites stacked
// together. Decided on the graph, before any geometry, so the SVG and its tests agree on it.
import type {
  GraphBox,
  GraphNode,
  GraphReplication,
  GraphSite,
  GraphTraffic,
} from './diagram-graph.js';

/**
 * Columns in the order that keeps arrows shortest (sum of column distances), so that a primary
 * site and the offsite site it replicates to sit side by side. All orders are tried for up to
 * seven sites, in lexicographic order from the role order, keeping the first best: deterministic.
 */
export function orderSites(
  sites: GraphSite[],
  traffic: GraphTraffic[],
  replication: GraphReplication[],
): GraphSite[] {
  if (sites.length < 3 || sites.length > 7) return sites;
  const siteOf = new Map<string, number>();
  sites.forEach((s, i) => {
    for (const n of allNodes(s)) siteOf.set(n.name, i);
  });
  const pairs: [number, number][] = [];
  for (const r of replication) pairs.push([siteOf.get(r.from) ?? 0, siteOf.get(r.to) ?? 0]);
  for (const t of traffic) {
    const anchor = siteOf.get((t.targets.find((x) => !x.standby) ?? t.targets[0])?.node ?? '') ?? 0;
    for (const x of t.targets) pairs.push([anchor, siteOf.get(x.node) ?? 0]);
  }
  const cost = (perm: number[]) => {
    const pos = new Array<number>(perm.length);
    perm.forEach((site, col) => {
      pos[site] = col;
    });
    return pairs.reduce((sum, [a, b]) => sum + Math.abs((pos[a] ?? 0) - (pos[b] ?? 0)), 0);
  };
  let best = sites.map((_, i) => i);
  let bestCost = cost(best);
  for (const perm of permutations(best)) {
    const c = cost(perm);
    if (c < bestCost) {
      best = perm;
      bestCost = c;
    }
  }
  return best.map((i) => sites[i] as GraphSite);
}

/**
 * With more than two sites, sites of one or two nodes are stacked with their small neighbours,
 * so that a primary and its offsite site stay side by side in a drawing that fits a page.
 */
export function groupColumns(sites: GraphSite[]): GraphSite[][] {
  if (sites.length <= 2) return sites.map((s) => [s]);
  const small = (s: GraphSite) => allNodes(s).length + s.hiddenNodes <= 2;
  const columns: GraphSite[][] = [];
  for (const site of sites) {
    const last = columns[columns.length - 1];
    if (last && small(site) && last.every(small) && last.length < 4) last.push(site);
    else columns.push([site]);
  }
  return columns;
}

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) yield [items[i] as number, ...p];
  }
}

export function allNodes(box: GraphBox): GraphNode[] {
  return [...box.nodes, ...box.boxes.flatMap(allNodes)];
}
