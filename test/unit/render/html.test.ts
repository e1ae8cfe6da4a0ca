// plan.html: self-contained, escaped, accessible and printable.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/plan/index.js';
import { escapeHtml, renderHtml } from '../../../src/core/render/html.js';
import { twoSites, twoSitesAnalysis } from './fixtures.js';
import { checkWellFormed } from './xml-check.js';

const ATTACK = '<script>alert("x")</script>';

/** The fixture with markup in every kind of free text the plan allows. */
function hostilePlan(): Plan {
  const plan = twoSites();
  plan.description = ATTACK;
  const db = plan.services?.['dlrn-db'];
  if (!db || !plan.tiers?.High || !plan.sites?.offsite) throw new Error('fixture changed');
  db.description = ATTACK;
  db.notes = `${ATTACK}\n<img src=x onerror=alert(1)>`;
  db.owner = '"quoted" & <b>bold</b>';
  db.openQuestions = [ATTACK];
  plan.tiers.High.description = ATTACK;
  plan.sites.offsite.provider = ATTACK;
  return plan;
}

describe('escaping', () => {
  const plan = hostilePlan();
  const html = renderHtml(plan, twoSitesAnalysis(plan));

  it('never lets plan text open a tag', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    // In the inlined SVG too (the provider is drawn in the site header).
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
  });

  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href='x'>"&"</a>`)).toBe(
      '&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;',
    );
  });
});

describe('a document that works offline and prints', () => {
  const plan = twoSites();
  const html = renderHtml(plan, twoSitesAnalysis(plan));

  it('is one file: inline CSS, inline SVG, nothing fetched, no script', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|<script|@import|url\(http|src="http/i);
    expect(html).toMatch(/<figure class="diagram">\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(html).not.toContain('<?xml');
    // The only absolute links are the plan's own `details` URLs.
    const hrefs = [...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([
      'https://review.rdoproject.org/etherpad/p/mariadb-replication-procedures',
      'https://review.rdoproject.org/etherpad/p/mariadb-replication-procedures',
    ]);
  });

  it('has print rules: page breaks before sections, rows kept whole, landscape for wide tables', () => {
    const print = html.slice(html.indexOf('@media print'));
    expect(print).toContain('h2 { break-before: page;');
    expect(print).toMatch(/tr, [^{]*\{ break-inside: avoid; \}/);
    expect(print).toContain('thead { display: table-header-group; }');
    expect(print).toContain('@page landscape { size: A4 landscape;');
    expect(html).toContain(
      '<section id="services" class="major landscape" aria-labelledby="services-h">',
    );
    expect(html).toContain('<section id="tiers" class="major" aria-labelledby="tiers-h">');
  });

  it('uses real headings and table headers with scope', () => {
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain('<h2 id="findings-h">Findings</h2>');
    expect(html).toContain('<h3 id="svc-dlrn-db-h">dlrn-db</h3>');
    expect(html).toContain('<th scope="col">Contingency plan</th>');
    expect(html).toContain('<th scope="row">dlrn-db</th>');
    expect(html).toContain('<caption>Service continuity plan</caption>');
  });

  it('shows verdicts and the point of no return as words, not only colour', () => {
    expect(html).toContain('<span class="mark mark-ok">OK</span>');
    expect(html).toContain('<span class="mark mark-fails">FAILS</span>');
    expect(html).toMatch(
      /<tr class="pnr">.*<span class="mark mark-pnr">POINT OF NO RETURN<\/span>/,
    );
  });

  it('is well-formed enough for an XML parser once the doctype and void tags are set aside', () => {
    const asXml = html.replace('<!doctype html>', '').replace(/<(meta|br|wbr)([^>]*)>/g, '<$1$2/>');
    expect(checkWellFormed(asXml)).toEqual([]);
  });

  it('is byte-identical for the same input', () => {
    const again = twoSites();
    expect(renderHtml(again, twoSitesAnalysis(again))).toBe(html);
  });
});
