// The diagram as SVG, drawn from the scene of diagram-scene.ts. Plain attributes rather than a
// stylesheet, so the SVG looks the same inlined in plan.html as on its own; every id starts with
// `lbd-` so it cannot clash with the document's. Meaning never rests on colour alone: tiers also
// differ by marker shape, standby by a hollow marker and the word "standby", arrows by dash and width.
import type { Plan } from '../plan/schema/plan.js';
import { buildDiagramGraph, DIAGRAM_LIMITS, type DiagramLimits } from './diagram-graph.js';
import { fitText, itemHead, M, serviceLine } from './diagram-layout.js';
import { legend } from './diagram-legend.js';
import { layoutDiagram, type Scene } from './diagram-scene.js';
import { EDGE_STYLE, escapeXml, label, marker } from './diagram-style.js';

const SITE_FILL: Record<string, string> = {
  primary: '#f6f8fa',
  offsite: '#fff8ee',
  witness: '#f5f0ff',
};

function drawBoxes(scene: Scene): string[] {
  const out: string[] = [];
  for (const b of scene.boxes) {
    const { x, y, w, h } = b.rect;
    if (b.site) {
      const s = b.site;
      out.push(
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="${SITE_FILL[s.role] ?? '#f6f8fa'}" stroke="#424a53" stroke-width="1.5"/>`,
        label(s.name, x + M.pad, y + 19, w - 2 * M.pad, '', 14, true),
        label(`${s.role} · ${s.provider}`, x + M.pad, y + 36, w - 2 * M.pad, 'fill="#424a53"'),
      );
      const hidden = [
        s.hiddenNodes > 0 ? `+${s.hiddenNodes} more nodes` : '',
        s.hiddenDomains > 0 ? `+${s.hiddenDomains} more failure domains` : '',
      ].filter(Boolean);
      if (hidden.length > 0)
        out.push(
          label(
            `${hidden.join(', ')} (not drawn)`,
            x + M.pad,
            y + h - 10,
            w - 2 * M.pad,
            'font-style="italic" fill="#57606a"',
          ),
        );
      else if (s.nodes.length === 0 && s.boxes.length === 0)
        out.push(
          label(
            'no node',
            x + M.pad,
            y + h - 10,
            w - 2 * M.pad,
            'font-style="italic" fill="#57606a"',
          ),
        );
      continue;
    }
    out.push(
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="5" fill="#ffffff" fill-opacity="0.55" stroke="#6e7781" stroke-dasharray="5 3"/>`,
      label(
        `${b.box.name} · ${b.box.kind}`,
        x + M.pad,
        y + 15,
        w - 2 * M.pad,
        'fill="#424a53"',
        11,
      ),
    );
  }
  return out;
}

function drawNodes(scene: Scene, rank: Map<string, number>): string[] {
  const out: string[] = [];
  for (const n of scene.nodes) {
    const { x, y, w, h } = n.rect;
    out.push(
      `<g><title>${escapeXml(`node ${n.node.name}`)}</title>`,
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#ffffff" stroke="#24292f" stroke-width="1.2"/>`,
      label(n.node.name, x + M.pad, y + 15, w - 2 * M.pad, '', M.font, true),
    );
    n.node.services.forEach((s, i) => {
      const cy = y + M.nodeHead + i * M.line + 8;
      out.push(
        marker(rank.get(s.tier), x + M.pad + 5, cy, s.standby),
        label(
          serviceLine(s),
          x + M.pad + 16,
          cy + 4,
          w - 2 * M.pad - 16,
          s.standby ? 'fill="#424a53" font-style="italic"' : '',
        ),
      );
    });
    if (n.node.hiddenServices > 0) {
      const cy = y + M.nodeHead + n.node.services.length * M.line + 8;
      out.push(
        label(
          `+${n.node.hiddenServices} more (not drawn)`,
          x + M.pad + 16,
          cy + 4,
          w - 2 * M.pad - 16,
          'fill="#57606a" font-style="italic"',
        ),
      );
    }
    out.push('</g>');
  }
  return out;
}

function drawItems(scene: Scene): string[] {
  return scene.items.flatMap((i) => {
    const { x, y, w, h } = i.rect;
    const head = itemHead(i.item);
    const oneLine = h === M.itemH;
    const rest = oneLine
      ? `<tspan>${escapeXml(` ${i.item.label}`)}</tspan>`
      : `<tspan x="${x + 6}" dy="${M.line - 2}">${escapeXml(fitText(i.item.label, w - 12))}</tspan>`;
    return [
      `<g><title>${escapeXml(`${head} ${i.item.label}`)}</title>`,
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#ddf4ff" stroke="${EDGE_STYLE.traffic.colour}"/>`,
      `<text x="${x + 6}" y="${y + 15}"><tspan font-weight="700">${escapeXml(fitText(head, w - 12, M.font, true))}</tspan>${rest}</text>`,
      '</g>',
    ];
  });
}

function drawEdges(scene: Scene): string[] {
  const paths = scene.edges.map((e) => {
    const style =
      e.route.spec.kind === 'replication'
        ? EDGE_STYLE.replication
        : e.route.spec.standby
          ? EDGE_STYLE.standby
          : EDGE_STYLE.traffic;
    const d = e.points.map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${px} ${py}`).join('');
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    const arrow = e.route.spec.kind === 'replication' ? 'lbd-arrow-rep' : 'lbd-arrow-traffic';
    return `<path d="${d}" fill="none" stroke="${style.colour}" stroke-width="${style.width}"${dash} marker-end="url(#${arrow})"><title>${escapeXml(e.route.spec.title)}</title></path>`;
  });
  const badges = scene.edges.map((e) => {
    const colour =
      e.route.spec.kind === 'replication'
        ? EDGE_STYLE.replication.colour
        : EDGE_STYLE.traffic.colour;
    const b = e.badge;
    return `<g><title>${escapeXml(e.route.spec.title)}</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="3" fill="#ffffff" stroke="${colour}"/><text x="${b.x + 4}" y="${b.y + 11}" font-size="10" fill="${colour}">${escapeXml(b.text)}</text></g>`;
  });
  return [...paths, ...badges];
}

function defs(): string {
  const arrow = (id: string, colour: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10Z" fill="${colour}"/></marker>`;
  return `<defs>${arrow('lbd-arrow-rep', EDGE_STYLE.replication.colour)}${arrow('lbd-arrow-traffic', EDGE_STYLE.traffic.colour)}</defs>`;
}

export function sceneToSvg(scene: Scene): string {
  const g = scene.graph;
  const rank = new Map(g.tiers.map((t, i) => [t.name, i]));
  const leg = legend(scene, rank);
  const height = scene.legendTop + leg.height + M.margin;
  const w = scene.width;
  const title = `Continuity diagram: ${g.title}`;
  const desc = `${g.sites.length} sites, ${scene.nodes.length} nodes drawn, ${g.replication.length} replication arrows, ${g.traffic.length} traffic items.`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" role="img" aria-labelledby="lbd-title lbd-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif" font-size="${M.font}" fill="#1b1f24">`,
    `<title id="lbd-title">${escapeXml(title)}</title>`,
    `<desc id="lbd-desc">${escapeXml(desc)}</desc>`,
    defs(),
    `<rect x="0" y="0" width="${w}" height="${height}" fill="#ffffff"/>`,
    label(title, M.margin, 28, w - 2 * M.margin, '', 16, true),
    ...drawBoxes(scene),
    ...drawNodes(scene, rank),
    ...drawItems(scene),
    ...drawEdges(scene),
    ...leg.parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The SVG diagram of a plan. Same plan, same bytes. */
export function renderDiagramSvg(plan: Plan, limits: DiagramLimits = DIAGRAM_LIMITS): string {
  return sceneToSvg(layoutDiagram(buildDiagramGraph(plan, limits)));
}
