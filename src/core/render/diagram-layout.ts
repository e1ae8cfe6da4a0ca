// Our own small layout, so that no Graphviz is needed and the output is byte-for-byte
// deterministic: one column per site (small sites share one), failure domains as nested boxes,
// nodes inside their innermost domain, traffic items in a band above the columns. Text widths
// are estimated generously (no font metrics offline), and long text is cut with "…".
import {
  allNodes,
  type DiagramGraph,
  type GraphBox,
  type GraphNode,
  type GraphSite,
  type GraphTraffic,
} from './diagram-graph.js';

export const M = {
  margin: 16,
  titleH: 40,
  font: 12,
  line: 17,
  siteHead: 44,
  boxHead: 22,
  nodeHead: 22,
  pad: 8,
  gap: 8,
  portTop: 11,
  portGap: 15,
  itemH: 22,
  itemGap: 5,
  track: 8,
  lane: 8,
  gutterPad: 10,
  badgeH: 14,
  minCol: 250,
  maxCol: 420,
} as const;

/** Estimated width of text: 0.6em per character covers common sans-serif fonts. */
export function textWidth(text: string, size: number = M.font, bold = false): number {
  return Math.ceil(text.length * size * (bold ? 0.64 : 0.6));
}

/** Cuts text to fit a width, ending with "…". */
export function fitText(text: string, width: number, size: number = M.font, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  const chars = Math.max(1, Math.floor(width / (size * (bold ? 0.64 : 0.6))) - 1);
  return `${text.slice(0, chars)}…`;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface BoxPlace {
  box: GraphBox;
  site: GraphSite | undefined;
  rect: Rect;
  depth: number;
}
export interface NodePlace {
  node: GraphNode;
  rect: Rect;
  col: number;
  depth: number;
}
export interface ItemPlace {
  item: GraphTraffic;
  rect: Rect;
  col: number;
}

/** How many ports each side of each node needs; the router decides, the layout makes room. */
export type PortCounts = Map<string, { left: number; right: number }>;

export function serviceLine(s: { name: string; standby: boolean }): string {
  return s.standby ? `${s.name} (standby)` : s.name;
}

export function itemHead(i: GraphTraffic): string {
  return `${i.id} ${i.service}:`;
}

/** Head in bold and label on one line. */
export function itemTextWidth(i: GraphTraffic): number {
  return textWidth(itemHead(i), M.font, true) + textWidth(` ${i.label}`);
}

/** An item whose text does not fit its column gets a second line. */
export function itemHeight(i: GraphTraffic, width: number): number {
  return itemTextWidth(i) + 12 <= width ? M.itemH : M.itemH + M.line - 2;
}

function boxLabel(b: GraphBox): string {
  return `${b.name} · ${b.kind}`;
}

/** The width a column needs to show every name in full, within [minCol, maxCol]. */
export function columnWidth(sites: GraphSite[], items: GraphTraffic[]): number {
  let need = 0;
  const walk = (b: GraphBox, depth: number) => {
    const inset = 2 * M.pad * (depth + 1);
    if (depth > 0) need = Math.max(need, inset + textWidth(boxLabel(b)));
    for (const n of b.nodes) {
      need = Math.max(need, inset + 2 * M.pad + textWidth(n.name, M.font, true));
      for (const s of n.services)
        need = Math.max(need, inset + 2 * M.pad + 16 + textWidth(serviceLine(s)));
    }
    for (const c of b.boxes) walk(c, depth + 1);
  };
  for (const site of sites) {
    walk(site, 0);
    need = Math.max(need, textWidth(site.name, 14, true) + 2 * M.pad);
    // A long provider name is cut rather than allowed to widen the whole drawing.
    need = Math.max(need, Math.min(300, 2 * M.pad + textWidth(`${site.role} · ${site.provider}`)));
  }
  for (const i of items) need = Math.max(need, itemTextWidth(i) + 12);
  return Math.min(M.maxCol, Math.max(M.minCol, need));
}

function nodeHeight(n: GraphNode, ports: PortCounts): number {
  const lines = n.services.length + (n.hiddenServices > 0 ? 1 : 0);
  const content = M.nodeHead + lines * M.line + 6;
  const p = ports.get(n.name);
  const count = Math.max(p?.left ?? 0, p?.right ?? 0);
  return Math.max(content, M.portTop + Math.max(0, count - 1) * M.portGap + 12);
}

/** Places a box's nodes, then its child boxes, from (x, y); returns the bottom. */
function placeChildren(
  b: GraphBox,
  rect: Rect,
  top: number,
  depth: number,
  col: number,
  ports: PortCounts,
  out: { boxes: BoxPlace[]; nodes: NodePlace[] },
): number {
  const x = rect.x + M.pad;
  const w = rect.w - 2 * M.pad;
  let y = top;
  for (const n of b.nodes) {
    const h = nodeHeight(n, ports);
    out.nodes.push({ node: n, rect: { x, y, w, h }, col, depth });
    y += h + M.gap;
  }
  for (const c of b.boxes) {
    const place: BoxPlace = { box: c, site: undefined, rect: { x, y, w, h: 0 }, depth: depth + 1 };
    out.boxes.push(place);
    const bottom = placeChildren(c, place.rect, y + M.boxHead, depth + 1, col, ports, out);
    place.rect.h = Math.max(M.boxHead + 6, bottom - y + M.pad - M.gap);
    y += place.rect.h + M.gap;
  }
  return y;
}

export interface ColumnsLayout {
  boxes: BoxPlace[];
  nodes: NodePlace[];
  bottom: number;
}

/** Lays out every site column at its x, from y `top`. */
export function placeColumns(
  graph: DiagramGraph,
  colX: number[],
  colW: number[],
  top: number,
  ports: PortCounts,
): ColumnsLayout {
  const out = { boxes: [] as BoxPlace[], nodes: [] as NodePlace[] };
  let bottom = top;
  graph.columns.forEach((sites, col) => {
    let y = top;
    for (const site of sites) {
      const rect: Rect = { x: colX[col] as number, y, w: colW[col] as number, h: 0 };
      out.boxes.push({ box: site, site, rect, depth: 0 });
      let inner = placeChildren(site, rect, y + M.siteHead, 0, col, ports, out);
      if (site.hiddenNodes > 0 || site.hiddenDomains > 0) inner += M.line;
      if (site.nodes.length === 0 && site.boxes.length === 0) inner += M.line;
      rect.h = inner - y + M.pad - M.gap + 4;
      y += rect.h + 2 * M.gap;
    }
    bottom = Math.max(bottom, y - 2 * M.gap);
  });
  return { ...out, bottom };
}

/** The column an item sits above: that of its first active target. */
export function itemColumns(graph: DiagramGraph): Map<string, number> {
  const colOf = new Map<string, number>();
  graph.columns.forEach((sites, i) => {
    for (const n of sites.flatMap(allNodes)) colOf.set(n.name, i);
  });
  const out = new Map<string, number>();
  for (const item of graph.traffic) {
    const first = item.targets.find((t) => !t.standby) ?? item.targets[0];
    out.set(item.id, colOf.get(first?.node ?? '') ?? 0);
  }
  return out;
}

/** Items stacked in the band above their column; returns them and the band's height. */
export function placeItems(
  graph: DiagramGraph,
  cols: Map<string, number>,
  colX: number[],
  colW: number[],
  top: number,
): { items: ItemPlace[]; height: number } {
  const bottoms = new Map<number, number>();
  const items = graph.traffic.map((item): ItemPlace => {
    const col = cols.get(item.id) ?? 0;
    const y = bottoms.get(col) ?? top;
    const w = colW[col] as number;
    const rect = { x: colX[col] as number, y, w, h: itemHeight(item, w) };
    bottoms.set(col, y + rect.h + M.itemGap);
    return { item, rect, col };
  });
  const bottom = Math.max(top, ...bottoms.values());
  return { items, height: bottom === top ? 0 : bottom - top + M.gap };
}
