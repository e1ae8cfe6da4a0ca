// diagram.svg and diagram.dot: well-formed, complete for a small plan, deterministic, and bounded
// for a large one (capped, and saying so).
import { describe, expect, it } from 'vitest';
import { renderDiagramSvg } from '../../../src/core/render/diagram.js';
import { renderDiagramDot } from '../../../src/core/render/diagram-dot.js';
import { buildDiagramGraph } from '../../../src/core/render/diagram-graph.js';
import { bigPlan, twoSites } from './fixtures.js';
import { checkWellFormed } from './xml-check.js';

/** Every text the SVG shows or gives as a tooltip, entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<(text|title|tspan)[^>]*>([^<]*)/g)].map((m) =>
    (m[2] as string).replace(/&#([0-9]+);/g, (_, n: string) => String.fromCharCode(Number(n))),
  );
}

describe('the SVG of a two-site plan', () => {
  const plan = twoSites();
  const svg = renderDiagramSvg(plan);
  const shown = texts(svg).join('\n');

  it('is well-formed XML', () => {
    expect(checkWellFormed(svg)).toEqual([]);
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
  });

  it('names every site with its role and provider, every node and every service', () => {
    expect(shown).toContain('main-cloud');
    expect(shown).toContain('primary · RDO Cloud');
    expect(shown).toContain('offsite · Public cloud <offsite> & co');
    for (const node of Object.keys(plan.nodes ?? {})) expect(texts(svg)).toContain(node);
    for (const svc of [
      'dlrn-db (standby)',
      'trunk',
      'trunk (standby)',
      'www',
      'www (standby)',
      'ara',
    ])
      expect(texts(svg)).toContain(svc);
    expect(shown).toContain('dc1 · region');
    expect(shown).toContain('rack-a · rack');
  });

  it('draws replication labelled with its mode and traffic from DNS, HAProxy and VIP items', () => {
    expect(shown).toContain('dlrn-db: dlrn copied from dlrn-db-a to dlrn-db-b (async ~5s)');
    expect(shown).toContain('trunk: repos copied from builder to trunk (rsync every 15m)');
    expect(texts(svg)).toContain(' DNS trunk.rdoproject.org · TTL 5m');
    expect(texts(svg)).toContain(' HAProxy trunk on lb');
    expect(texts(svg)).toContain(' VIP 192.0.2.100/24');
    // Standby targets are dashed, active ones are not: one of each per traffic item here.
    expect(
      svg.match(
        /<path d="[^"]*" fill="none" stroke="#0550ae" stroke-width="1.5" stroke-dasharray="6 4"/g,
      ),
    ).toHaveLength(3);
    expect(
      svg.match(/<path d="[^"]*" fill="none" stroke="#0550ae" stroke-width="1.5" marker-end/g),
    ).toHaveLength(3);
    expect(svg.match(/<path d="[^"]*" fill="none" stroke="#953800"/g)).toHaveLength(2);
  });

  it('puts one column per site, the primary first', () => {
    const graph = buildDiagramGraph(plan);
    expect(graph.columns.map((c) => c.map((s) => s.name))).toEqual([['main-cloud'], ['offsite']]);
  });

  it('has a legend of the tiers, most critical first, and no note about caps', () => {
    expect(shown).toMatch(/High \(RTO 4h\)[\s\S]*Medium \(RTO 1d\)[\s\S]*Low \(RTO 5d\)/);
    expect(shown).not.toContain('Not everything is drawn');
  });

  it('is byte-identical for the same input', () => {
    expect(renderDiagramSvg(twoSites())).toBe(svg);
  });
});

describe('the SVG of 1,000 services', () => {
  const plan = bigPlan(1000, 50);
  const svg = renderDiagramSvg(plan);

  it('stays bounded and well-formed', () => {
    expect(checkWellFormed(svg)).toEqual([]);
    expect(svg.length).toBeLessThan(300_000);
    const [, w, h] = /<svg [^>]*width="([0-9]+)" height="([0-9]+)"/.exec(svg) ?? [];
    expect(Number(w)).toBeLessThan(2500);
    expect(Number(h)).toBeLessThan(7000);
  });

  it('draws at most 8 services per node and 24 nodes per site, and says what it left out', () => {
    // Node a-1 holds 20 services: 8 are drawn.
    expect(svg).toContain('+12 more (not drawn)');
    expect(svg).toContain('+26 more nodes (not drawn)');
    const shown = texts(svg).join(' ');
    expect(shown).toContain(
      'Not everything is drawn: at most 8 services per node, 24 nodes and 40 failure domains per site, 24 traffic items and 60 arrows.',
    );
    const graph = buildDiagramGraph(plan);
    // Each service brings three arrows (one replication, two traffic): the 60-arrow cap is
    // reached after 20 services, before the 24-item cap.
    expect(graph.traffic).toHaveLength(20);
    expect(graph.replication).toHaveLength(20);
    expect(graph.replication.length + graph.traffic.reduce((n, t) => n + t.targets.length, 0)).toBe(
      60,
    );
    expect(graph.omitted.nodes).toBe(52);
  });

  it('is byte-identical for the same input', () => {
    expect(renderDiagramSvg(bigPlan(1000, 50))).toBe(svg);
  });
});

describe('the DOT text', () => {
  it('has a cluster per site and domain, quoted ids, and the same edges', () => {
    const dot = renderDiagramDot(twoSites());
    expect(dot.startsWith('digraph "two-sites" {')).toBe(true);
    expect(dot).toContain('subgraph "cluster:main-cloud:main-cloud" {');
    expect(dot).toContain('subgraph "cluster:main-cloud:rack-a" {');
    expect(dot).toContain('label="offsite\\noffsite · Public cloud <offsite> & co";');
    expect(dot).toContain(
      '"node:dlrn-db-a" -> "node:dlrn-db-b" [color="#953800", penwidth=2, label="dlrn-db/dlrn\\nasync ~5s"];',
    );
    expect(dot).toContain('"traffic:T1" -> "node:dlrn-db-b" [style=dashed');
    const open = (dot.match(/\{/g) ?? []).length;
    expect((dot.match(/\}/g) ?? []).length).toBe(open);
    expect(renderDiagramDot(twoSites())).toBe(dot);
  });

  it('escapes quotes and backslashes so plan text cannot end a string', () => {
    const plan = twoSites();
    if (!plan.sites?.offsite) throw new Error('fixture changed');
    plan.sites.offsite.provider = 'a "quoted" \\ name\nnext';
    const dot = renderDiagramDot(plan);
    expect(dot).toContain('offsite · a \\"quoted\\" \\\\ name\\nnext"');
  });
});
