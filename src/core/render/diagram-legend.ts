// The legend under the diagram: tier markers, active and standby, the three kinds of arrow, and,
// when the drawing was capped, exactly what was left out, so that nobody reads it as complete.
import { formatDuration } from '../plan/duration.js';
import { M, textWidth } from './diagram-layout.js';
import type { Scene } from './diagram-scene.js';
import { EDGE_STYLE, escapeXml, marker } from './diagram-style.js';

interface Entry {
  width: number;
  draw: (x: number, y: number) => string;
}

const text = (s: string, x: number, y: number, attrs = '') =>
  `<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;

function markerEntry(rank: number | undefined, hollow: boolean, caption: string): Entry {
  return {
    width: 16 + textWidth(caption) + 18,
    draw: (x, y) => `${marker(rank, x + 5, y - 4, hollow)}${text(caption, x + 14, y)}`,
  };
}

function lineEntry(
  style: (typeof EDGE_STYLE)[keyof typeof EDGE_STYLE],
  arrow: string,
  caption: string,
): Entry {
  return {
    width: 46 + textWidth(caption) + 18,
    draw: (x, y) =>
      `<path d="M${x} ${y - 4}L${x + 38} ${y - 4}" stroke="${style.colour}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} marker-end="url(#${arrow})"/>${text(caption, x + 46, y)}`,
  };
}

function heading(caption: string): Entry {
  return {
    width: textWidth(caption, M.font, true) + 12,
    draw: (x, y) => text(caption, x, y, 'font-weight="700"'),
  };
}

/** Splits a sentence into entries that wrap at the diagram's width. */
function sentence(words: string, maxWidth: number): Entry[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words.split(' ')) {
    const next = line === '' ? w : `${line} ${w}`;
    if (textWidth(next) > maxWidth && line !== '') {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.map((l) => ({
    width: maxWidth + 1,
    draw: (x, y) => text(l, x, y, 'fill="#57606a"'),
  }));
}

function omittedNote(scene: Scene): string | undefined {
  const o = scene.graph.omitted;
  const l = scene.graph.limits;
  const left = [
    o.services > 0 ? `${o.services} service placements` : '',
    o.nodes > 0 ? `${o.nodes} nodes` : '',
    o.domains > 0 ? `${o.domains} failure domains` : '',
    o.traffic > 0 ? `${o.traffic} traffic items` : '',
    o.edges > 0 ? `${o.edges} arrows` : '',
  ].filter(Boolean);
  if (left.length === 0) return undefined;
  return `Not everything is drawn: at most ${l.servicesPerNode} services per node, ${l.nodesPerSite} nodes and ${l.domainsPerSite} failure domains per site, ${l.trafficItems} traffic items and ${l.edges} arrows. Left out here: ${left.join(', ')}. The plan document (plan.md, plan.html) lists everything.`;
}

export function legend(
  scene: Scene,
  rank: Map<string, number>,
): { parts: string[]; height: number } {
  const maxWidth = scene.width - 2 * M.margin;
  const rows: Entry[][] = [
    [
      heading('Tiers:'),
      ...scene.graph.tiers.map((t) =>
        markerEntry(rank.get(t.name), false, `${t.name} (RTO ${formatDuration(t.rtoMs)})`),
      ),
    ],
    [
      heading('Services:'),
      markerEntry(0, false, 'active on the node'),
      markerEntry(0, true, 'standby on the node (hollow marker, "(standby)")'),
    ],
    [
      heading('Arrows:'),
      lineEntry(
        EDGE_STYLE.replication,
        'lbd-arrow-rep',
        'replication, source → copy (label: mode, lag or interval)',
      ),
      lineEntry(EDGE_STYLE.traffic, 'lbd-arrow-traffic', 'traffic item → active node'),
      lineEntry(EDGE_STYLE.standby, 'lbd-arrow-traffic', 'traffic item → standby node (dashed)'),
    ],
    sentence(
      'Blue boxes T1, T2…: traffic items (DNS record, HAProxy backend, VIP); the arrows they send carry the same label. Dashed boxes: failure domains.',
      maxWidth,
    ),
  ];
  // A plan without tiers has nothing to show on the tiers row.
  if (scene.graph.tiers.length === 0) rows.shift();
  const note = omittedNote(scene);
  if (note) rows.push(sentence(note, maxWidth));
  const parts: string[] = [];
  let y = scene.legendTop + 14;
  for (const row of rows) {
    let x = M.margin;
    for (const entry of row) {
      if (x > M.margin && x + entry.width > M.margin + maxWidth) {
        x = M.margin;
        y += 20;
      }
      parts.push(entry.draw(x, y));
      x += entry.width;
    }
    y += 20;
  }
  return {
    parts: [`<g font-size="${M.font}">`, ...parts, '</g>'],
    height: y - scene.legendTop,
  };
}
