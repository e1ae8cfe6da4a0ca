// Puts the pieces together: column widths and gutters first (they only depend on counts), then
// the traffic band, the crossing channel and the columns top to bottom, then every edge's points.
import type { DiagramGraph } from './diagram-graph.js';
import {
  type BoxPlace,
  columnWidth,
  type ItemPlace,
  itemColumns,
  M,
  type NodePlace,
  placeColumns,
  placeItems,
  type Rect,
} from './diagram-layout.js';
import {
  type Anchor,
  badgeWidth,
  gutterWidths,
  type LaneSegment,
  orderLanes,
  planRoutes,
  type Route,
} from './diagram-routes.js';

export interface EdgePlace {
  route: Route;
  points: [number, number][];
  badge: Rect & { text: string };
}

export interface Scene {
  graph: DiagramGraph;
  width: number;
  /** Where the legend starts; the SVG adds the legend's own height. */
  legendTop: number;
  boxes: BoxPlace[];
  nodes: NodePlace[];
  items: ItemPlace[];
  edges: EdgePlace[];
}

export function layoutDiagram(graph: DiagramGraph): Scene {
  const ncols = graph.columns.length;
  const itemCol = itemColumns(graph);
  const plan = planRoutes(graph, itemCol);
  const colW = graph.columns.map((s, i) =>
    columnWidth(
      s,
      graph.traffic.filter((t) => itemCol.get(t.id) === i),
    ),
  );
  const gutters = gutterWidths(plan, ncols);
  const gutterX: number[] = [];
  const colX: number[] = [];
  let x = M.margin;
  for (let g = 0; g <= ncols; g++) {
    gutterX.push(x);
    x += gutters[g] ?? 0;
    if (g < ncols) {
      colX.push(x);
      x += colW[g] ?? 0;
    }
  }
  const width = Math.max(x + M.margin, 560);

  const bandTop = M.titleH + M.margin;
  const band = placeItems(graph, itemCol, colX, colW, bandTop);
  const channelTop = bandTop + band.height;
  const channelH = plan.tracks > 0 ? plan.tracks * M.track + M.gap : 0;
  const cols = placeColumns(graph, colX, colW, channelTop + channelH, plan.ports);

  const nodeRect = new Map(cols.nodes.map((n) => [n.node.name, n.rect]));
  const itemRect = new Map(band.items.map((i) => [i.item.id, i.rect]));
  const anchor = (rect: Rect | undefined, side: 'left' | 'right', y: number): Anchor => ({
    x: rect ? (side === 'left' ? rect.x : rect.x + rect.w) : 0,
    y,
  });
  const src = plan.routes.map((r) => {
    if ('item' in r.spec.from) {
      const rect = itemRect.get(r.spec.from.item);
      return anchor(rect, r.srcSide, (rect?.y ?? 0) + M.itemH / 2);
    }
    const rect = nodeRect.get(r.spec.from.node);
    return anchor(rect, r.srcSide, (rect?.y ?? 0) + M.portTop + r.srcPort * M.portGap);
  });
  const dst = plan.routes.map((r) => {
    const rect = nodeRect.get(r.spec.to);
    return anchor(rect, r.dstSide, (rect?.y ?? 0) + M.portTop + r.dstPort * M.portGap);
  });

  // Lanes: one segment per gutter an edge runs through, ordered to cross as little as possible.
  const byGutter = new Map<number, LaneSegment[]>();
  const addSegment = (s: LaneSegment) =>
    byGutter.set(s.gutter, [...(byGutter.get(s.gutter) ?? []), s]);
  plan.routes.forEach((r, i) => {
    if (r.track !== undefined)
      addSegment({
        route: i,
        gutter: r.srcGutter,
        hookY: src[i]?.y ?? 0,
        towardsRight: r.srcSide === 'left',
      });
    addSegment({
      route: i,
      gutter: r.dstGutter,
      hookY: dst[i]?.y ?? 0,
      towardsRight: r.dstSide === 'left',
    });
  });
  const laneX = new Map<string, number>();
  for (const [g, segments] of byGutter) {
    const start = (gutterX[g] ?? 0) + M.gutterPad + (g > 0 ? (plan.rightBadge[g - 1] ?? 0) : 0) + 4;
    orderLanes(segments).forEach((s, k) => {
      laneX.set(`${s.route}:${g}`, start + Math.round((k + 0.5) * M.lane));
    });
  }

  const edges = plan.routes.map((r, i): EdgePlace => {
    const a = src[i] as Anchor;
    const b = dst[i] as Anchor;
    const l2 = laneX.get(`${i}:${r.dstGutter}`) ?? 0;
    let points: [number, number][];
    if (r.track === undefined) {
      points = [
        [a.x, a.y],
        [l2, a.y],
        [l2, b.y],
        [b.x, b.y],
      ];
    } else {
      const l1 = laneX.get(`${i}:${r.srcGutter}`) ?? 0;
      const ty = channelTop + M.gap / 2 + Math.round((r.track + 0.5) * M.track);
      points = [
        [a.x, a.y],
        [l1, a.y],
        [l1, ty],
        [l2, ty],
        [l2, b.y],
        [b.x, b.y],
      ];
    }
    const w = badgeWidth(r.spec.badge);
    const colLeft = colX[r.dstCol] ?? 0;
    const bx = r.dstSide === 'left' ? colLeft - 4 - w : colLeft + (colW[r.dstCol] ?? 0) + 4;
    return {
      route: r,
      points,
      badge: { text: r.spec.badge, x: bx, y: b.y - M.badgeH / 2, w, h: M.badgeH },
    };
  });

  return {
    graph,
    width,
    legendTop: Math.max(cols.bottom, channelTop + channelH) + 24,
    boxes: cols.boxes,
    nodes: cols.nodes,
    items: band.items,
    edges,
  };
}
