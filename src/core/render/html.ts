// The document as one self-contained HTML file: inline CSS, the diagram inlined as SVG, no
// script, no font or image fetched from anywhere. Every plan string goes through escapeHtml.
import type { Analysis } from '../analysis/types.js';
import type { Plan } from '../plan/schema/plan.js';
import { renderDiagramSvg } from './diagram.js';
import { buildDocument } from './document.js';
import type {
  Block,
  Inline,
  Inlines,
  RenderedDocument,
  Section,
  TableBlock,
} from './document-model.js';
import { HTML_STYLE } from './html-style.js';

export interface HtmlOptions {
  /** The diagram to inline; default: drawn from the same plan and analysis. */
  svg?: string;
}

export function renderHtml(plan: Plan, analysis: Analysis, options: HtmlOptions = {}): string {
  const svg = options.svg ?? renderDiagramSvg(plan);
  return documentToHtml(buildDocument(plan, analysis), svg);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in text and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** Line breaks in plan text (YAML block scalars) are kept; the ones at either end are not. */
function textWithBreaks(text: string): string {
  return escapeHtml(text)
    .replace(/^[\r\n]+|[\r\n]+$/g, '')
    .replace(/[\r\n]+/g, '<br>');
}

function inline(i: Inline): string {
  if (typeof i === 'string') return textWithBreaks(i);
  // Long names and codes may wrap after `_`, `.`, `/` or `-`, never in the middle of a word.
  if ('code' in i) return `<code>${escapeHtml(i.code).replace(/([_./-])/g, '$1<wbr>')}</code>`;
  if ('strong' in i) return `<strong>${textWithBreaks(i.strong)}</strong>`;
  if ('br' in i) return '<br>';
  if ('mark' in i) return `<span class="mark mark-${i.mark}">${escapeHtml(i.text)}</span>`;
  return `<a href="${escapeHtml(i.link)}">${escapeHtml(i.text)}</a>`;
}

const inlines = (content: Inlines): string => content.map(inline).join('');

function table(t: TableBlock): string {
  const head = t.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const rows = t.rows.map((row, r) => {
    const cells = row
      .map((c, i) =>
        i === 0 && t.rowHeader ? `<th scope="row">${inlines(c)}</th>` : `<td>${inlines(c)}</td>`,
      )
      .join('');
    const cls = t.rowClasses?.[r];
    return `<tr${cls ? ` class="${escapeHtml(cls)}"` : ''}>${cells}</tr>`;
  });
  return [
    `<table${t.wide ? ' class="wide"' : ''}>`,
    `<caption>${escapeHtml(t.caption)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}

function block(b: Block, svg: string): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${inlines(b.content)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${inlines(i)}</li>`).join('')}</${tag}>`;
    }
    case 'fields':
      return `<dl class="fields">${b.items
        .map(
          ([label, value]) => `<div><dt>${escapeHtml(label)}</dt><dd>${inlines(value)}</dd></div>`,
        )
        .join('')}</dl>`;
    case 'table':
      return table(b);
    case 'diagram':
      return `<figure class="diagram">\n${svg.replace(/^<\?xml[^>]*\?>\s*/, '')}\n<figcaption>The same drawing is in diagram.svg; its Graphviz source in diagram.dot.</figcaption>\n</figure>`;
  }
}

/** Sections with many columns or the drawing print on landscape pages. */
function isLandscape(s: Section): boolean {
  const wide = (blocks: Block[]) =>
    blocks.some((b) => b.kind === 'diagram' || (b.kind === 'table' && b.wide === true));
  return wide(s.blocks) || (s.subsections ?? []).some((sub) => wide(sub.blocks));
}

function section(s: Section, level: 2 | 3, svg: string): string {
  const cls = level === 2 ? ` class="major${isLandscape(s) ? ' landscape' : ''}"` : '';
  const id = escapeHtml(s.id);
  return [
    `<section id="${id}"${cls} aria-labelledby="${id}-h">`,
    `<h${level} id="${id}-h">${escapeHtml(s.title)}</h${level}>`,
    ...s.blocks.map((b) => block(b, svg)),
    ...(s.subsections ?? []).map((sub) => section(sub, 3, svg)),
    '</section>',
  ].join('\n');
}

function toc(doc: RenderedDocument): string {
  const item = (s: Section): string => {
    const subs = s.subsections ?? [];
    const nested = subs.length
      ? `<ol>${subs.map((sub) => `<li><a href="#${escapeHtml(sub.id)}">${escapeHtml(sub.title)}</a></li>`).join('')}</ol>`
      : '';
    return `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>${nested}</li>`;
  };
  return `<nav class="toc" aria-labelledby="toc-h"><h2 id="toc-h">Contents</h2><ol>${doc.sections.map(item).join('')}</ol></nav>`;
}

export function documentToHtml(doc: RenderedDocument, svg: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="lifeboat render">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    ...doc.intro.map((b) => block(b, svg)),
    '</header>',
    toc(doc),
    '<main>',
    ...doc.sections.map((s) => section(s, 2, svg)),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
