// Orthogonal edge routing in the gutters between site columns. Every edge leaves its source
// sideways into a gutter, runs down (or up) its own lane there, and enters its target sideways;
// edges between columns that are not neighbours cross over in the channel above the columns,
// each on its own track. Separate lanes, tracks and ports mean no two edges ever overlap.
import { allNodes, type DiagramGraph } from './diagram-graph.js';
import { M, type PortCounts, textWidth } from './diagram-layout.js';

export type Side = 'left' | 'right';

export interface EdgeSpec {
  kind: 'replication' | 'traffic';
  standby: boolean;
  /** A node name, or a traffic item id. */
  from: { node: string } | { item: string };
  to: string;
  badge: string;
  title: string;
}

export interface Route {
  spec: EdgeSpec;
  srcCol: number;
  dstCol: number;
  srcSide: Side;
  dstSide: Side;
  /** Gutter g lies left of column g; gutter n lies right of the last column. */
  srcGutter: number;
  dstGutter: number;
  /** Index of the crossing track, when the two gutters differ. */
  track: number | undefined;
  /** Port index on the source node's side (items have one port per side). */
  srcPort: number;
  dstPort: number;
}

export function edgeSpecs(graph: DiagramGraph): EdgeSpec[] {
  const specs: EdgeSpec[] = graph.replication.map((r) => ({
    kind: 'replication',
    standby: false,
    from: { node: r.from },
    to: r.to,
    badge: r.label,
    title: `${r.service}: ${r.data} copied from ${r.from} to ${r.to} (${r.label})`,
  }));
  for (const t of graph.traffic) {
    for (const target of t.targets) {
      specs.push({
        kind: 'traffic',
        standby: target.standby,
        from: { item: t.id },
        to: target.node,
        badge: t.id,
        title: `${t.id} ${t.service}: ${t.label} → ${target.node}${target.standby ? ' (standby)' : ' (active)'}`,
      });
    }
  }
  return specs;
}

export interface RoutePlan {
  routes: Route[];
  ports: PortCounts;
  tracks: number;
  /** Lanes per gutter, and the widest badge entering each column from the left and right. */
  lanes: number[];
  leftBadge: number[];
  rightBadge: number[];
}

export function badgeWidth(text: string): number {
  return textWidth(text, 10) + 8;
}

/** Decides sides, gutters, ports and tracks: everything but coordinates. */
export function planRoutes(graph: DiagramGraph, itemCol: Map<string, number>): RoutePlan {
  const colOf = new Map<string, number>();
  graph.columns.forEach((sites, i) => {
    for (const n of sites.flatMap(allNodes)) colOf.set(n.name, i);
  });
  const ncols = graph.columns.length;
  const ports: PortCounts = new Map();
  const takePort = (node: string, side: Side): number => {
    const p = ports.get(node) ?? { left: 0, right: 0 };
    ports.set(node, p);
    return p[side]++;
  };
  const lanes = new Array<number>(ncols + 1).fill(0);
  const leftBadge = new Array<number>(ncols).fill(0);
  const rightBadge = new Array<number>(ncols).fill(0);
  let tracks = 0;
  const itemTrack = new Map<string, number>();
  const routes: Route[] = [];
  for (const spec of edgeSpecs(graph)) {
    const isItem = 'item' in spec.from;
    const srcCol =
      'item' in spec.from ? (itemCol.get(spec.from.item) ?? 0) : (colOf.get(spec.from.node) ?? 0);
    const dstCol = colOf.get(spec.to) ?? 0;
    let srcSide: Side = 'left';
    let dstSide: Side = 'left';
    if (srcCol < dstCol) srcSide = 'right';
    else if (srcCol > dstCol) dstSide = 'right';
    const srcGutter = srcSide === 'left' ? srcCol : srcCol + 1;
    const dstGutter = dstSide === 'left' ? dstCol : dstCol + 1;
    let track: number | undefined;
    if (srcGutter !== dstGutter) {
      // All arrows of one traffic item share its track: they start at the same point anyway.
      const key = isItem ? `${(spec.from as { item: string }).item}:${srcSide}` : undefined;
      track = key !== undefined ? itemTrack.get(key) : undefined;
      if (track === undefined) {
        track = tracks++;
        if (key !== undefined) itemTrack.set(key, track);
      }
      lanes[srcGutter] = (lanes[srcGutter] ?? 0) + 1;
    }
    lanes[dstGutter] = (lanes[dstGutter] ?? 0) + 1;
    const bw = badgeWidth(spec.badge);
    if (dstSide === 'left') leftBadge[dstCol] = Math.max(leftBadge[dstCol] ?? 0, bw);
    else rightBadge[dstCol] = Math.max(rightBadge[dstCol] ?? 0, bw);
    routes.push({
      spec,
      srcCol,
      dstCol,
      srcSide,
      dstSide,
      srcGutter,
      dstGutter,
      track,
      srcPort: 'node' in spec.from ? takePort(spec.from.node, srcSide) : 0,
      dstPort: takePort(spec.to, dstSide),
    });
  }
  return { routes, ports, tracks, lanes, leftBadge, rightBadge };
}

/** Widths of gutters 0..n, from their lanes and the badges that sit in them. */
export function gutterWidths(plan: RoutePlan, ncols: number): number[] {
  const out: number[] = [];
  for (let g = 0; g <= ncols; g++) {
    const lanes = plan.lanes[g] ?? 0;
    const badges =
      (g > 0 ? (plan.rightBadge[g - 1] ?? 0) : 0) + (g < ncols ? (plan.leftBadge[g] ?? 0) : 0);
    out.push(
      lanes === 0 && badges === 0 ? 2 * M.gutterPad : 2 * M.gutterPad + badges + lanes * M.lane + 8,
    );
  }
  return out;
}

export interface Anchor {
  x: number;
  y: number;
}

export interface LaneSegment {
  route: number;
  gutter: number;
  /** The y where the lane turns into the column it serves, and which column that is. */
  hookY: number;
  towardsRight: boolean;
}

/**
 * Lane order inside a gutter, chosen to avoid crossings: lanes turning into the column on the
 * left are nearest to it with the shallowest first; lanes turning right are nearest to the right
 * column with the shallowest last.
 */
export function orderLanes(segments: LaneSegment[]): LaneSegment[] {
  const left = segments
    .filter((s) => !s.towardsRight)
    .sort((a, b) => a.hookY - b.hookY || a.route - b.route);
  const right = segments
    .filter((s) => s.towardsRight)
    .sort((a, b) => b.hookY - a.hookY || a.route - b.route);
  return [...left, ...right];
}
