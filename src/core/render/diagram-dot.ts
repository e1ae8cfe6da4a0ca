// The same graph as Graphviz DOT, for people who want `dot -Tpng`. Every id and label is a
// quoted string with `"` and `\` escaped, so plan text cannot break out of it; the caps of the
// SVG apply here too.
import type { Plan } from '../plan/schema/plan.js';
import {
  buildDiagramGraph,
  DIAGRAM_LIMITS,
  type DiagramGraph,
  type DiagramLimits,
  type GraphBox,
  type GraphNode,
} from './diagram-graph.js';
import { EDGE_STYLE, TIER_STYLES } from './diagram-style.js';

/** A DOT quoted string: `\` and `"` escaped, line breaks as `\n` (centred lines). */
export function dotString(text: string): string {
  return `"${text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n?|\n/g, '\\n')}"`;
}

const nodeId = (name: string) => dotString(`node:${name}`);
const itemId = (id: string) => dotString(`traffic:${id}`);

function nodeLines(n: GraphNode): string[] {
  const lines = [n.name];
  for (const s of n.services)
    lines.push(`${s.standby ? '○' : '●'} ${s.name} [${s.tier}]${s.standby ? ' (standby)' : ''}`);
  if (n.hiddenServices > 0) lines.push(`+${n.hiddenServices} more (not drawn)`);
  return lines;
}

function nodeStatement(n: GraphNode, indent: string, rank: Map<string, number>): string {
  const top = n.services.find((s) => !s.standby) ?? n.services[0];
  const colour = top ? (TIER_STYLES[rank.get(top.tier) ?? 99]?.colour ?? '#57606a') : '#57606a';
  // `\l` ends a left-aligned line in DOT; the text itself is escaped first.
  const label = `"${nodeLines(n)
    .map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))
    .join('\\l')}\\l"`;
  return `${indent}${nodeId(n.name)} [label=${label}, color=${dotString(colour)}];`;
}

function box(
  b: GraphBox,
  site: string,
  indent: string,
  rank: Map<string, number>,
  out: string[],
  header: string,
): void {
  out.push(`${indent}subgraph ${dotString(`cluster:${site}:${b.name}`)} {`);
  out.push(`${indent}  label=${dotString(header)};`);
  for (const n of b.nodes) out.push(nodeStatement(n, `${indent}  `, rank));
  for (const c of b.boxes) box(c, site, `${indent}  `, rank, out, `${c.name} · ${c.kind}`);
  out.push(`${indent}}`);
}

export function graphToDot(g: DiagramGraph): string {
  const rank = new Map(g.tiers.map((t, i) => [t.name, i]));
  const out = [
    `digraph ${dotString(g.title)} {`,
    `  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=12, label=${dotString(`Continuity diagram: ${g.title}`)}, labelloc=t];`,
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const site of g.sites) {
    const head = `${site.name}\n${site.role} · ${site.provider}`;
    const hidden = site.hiddenNodes > 0 ? `\n+${site.hiddenNodes} more nodes (not drawn)` : '';
    box(site, site.name, '  ', rank, out, head + hidden);
  }
  for (const t of g.traffic) {
    out.push(
      `  ${itemId(t.id)} [shape=note, style="", color=${dotString(EDGE_STYLE.traffic.colour)}, label=${dotString(`${t.id} ${t.service}\n${t.label}`)}];`,
    );
    for (const target of t.targets) {
      const style = target.standby ? 'dashed' : 'solid';
      out.push(
        `  ${itemId(t.id)} -> ${nodeId(target.node)} [style=${style}, color=${dotString(EDGE_STYLE.traffic.colour)}, label=${dotString(target.standby ? 'standby' : 'active')}];`,
      );
    }
  }
  for (const r of g.replication) {
    out.push(
      `  ${nodeId(r.from)} -> ${nodeId(r.to)} [color=${dotString(EDGE_STYLE.replication.colour)}, penwidth=2, label=${dotString(`${r.service}/${r.data}\n${r.label}`)}];`,
    );
  }
  const o = g.omitted;
  if (o.services + o.nodes + o.domains + o.traffic + o.edges > 0) {
    out.push(
      `  // Not drawn (caps): ${o.services} service placements, ${o.nodes} nodes, ${o.domains} failure domains, ${o.traffic} traffic items, ${o.edges} edges.`,
    );
  }
  out.push('}', '');
  return out.join('\n');
}

export function renderDiagramDot(plan: Plan, limits: DiagramLimits = DIAGRAM_LIMITS): string {
  return graphToDot(buildDiagramGraph(plan, limits));
}
