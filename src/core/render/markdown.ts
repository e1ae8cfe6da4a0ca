// The document as CommonMark with GitHub tables. Every plan string is escaped: a description may
// contain `|`, `*`, `<script>` or a line starting with `#`, and none of it may change the layout.
import type { Analysis } from '../analysis/types.js';
import type { Plan } from '../plan/schema/plan.js';
import { buildDocument } from './document.js';
import type { Block, Inline, Inlines, RenderedDocument, Section } from './document-model.js';

export interface MarkdownOptions {
  /** Where the diagram is, relative to the Markdown file. */
  diagramHref?: string;
  /** Where its Graphviz source is. */
  dotHref?: string;
}

export function renderMarkdown(
  plan: Plan,
  analysis: Analysis,
  options: MarkdownOptions = {},
): string {
  return documentToMarkdown(buildDocument(plan, analysis), options);
}

/** Where the text is written: a table cell cannot hold a line break, a paragraph can. */
type Context = 'paragraph' | 'cell';

const INLINE_SPECIALS = /[\\`*_[\]<>|~&]/g;
/** Markers that only mean something at the start of a line: headings, lists, setext underlines. */
const LINE_START_SPECIAL = /^(\s*)(#|-|\+|=|[0-9]+(?=[.)]))/;

/** Escapes one line of plain text. */
function escapeLine(line: string): string {
  const escaped = line.replace(INLINE_SPECIALS, (c) => `\\${c}`);
  return escaped.replace(LINE_START_SPECIAL, (_m, space: string, marker: string) =>
    /^[0-9]/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`,
  );
}

/** Plain text to Markdown; newlines become hard breaks (`<br>` inside table cells). */
export function escapeMarkdown(text: string, ctx: Context = 'paragraph'): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  // Separators such as `, ` are inlines too: their spaces must survive.
  if (!normalized.includes('\n')) return escapeLine(normalized);
  const lines = normalized
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map(escapeLine);
  return lines.join(ctx === 'cell' ? '<br>' : '\\\n');
}

function codeSpan(text: string, ctx: Context): string {
  let body = text.replace(/[\r\n]+/g, ' ');
  // GitHub tables split on `|` even inside code spans unless it is escaped.
  if (ctx === 'cell') body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

function inline(i: Inline, ctx: Context): string {
  if (typeof i === 'string') return escapeMarkdown(i, ctx);
  if ('code' in i) return codeSpan(i.code, ctx);
  if ('strong' in i) return `**${escapeMarkdown(i.strong, ctx)}**`;
  if ('br' in i) return ctx === 'cell' ? '<br>' : '\\\n';
  if ('mark' in i) return `**${escapeMarkdown(i.text, ctx)}**`;
  // URLs are already restricted to http(s) without spaces or quotes; `|` would end a table cell.
  return `[${escapeMarkdown(i.text, ctx)}](<${i.link.replace(/\|/g, '%7C')}>)`;
}

export function inlinesToMarkdown(content: Inlines, ctx: Context = 'paragraph'): string {
  return content.map((i) => inline(i, ctx)).join('');
}

function cell(content: Inlines): string {
  const text = inlinesToMarkdown(content, 'cell');
  return text === '' ? ' ' : text;
}

function block(b: Block, options: MarkdownOptions): string {
  switch (b.kind) {
    case 'paragraph':
      return inlinesToMarkdown(b.content);
    case 'list':
      return b.items
        .map((item, n) => `${b.ordered ? `${n + 1}.` : '-'} ${inlinesToMarkdown(item, 'cell')}`)
        .join('\n');
    case 'fields':
      return b.items
        .map(
          ([label, value]) => `- **${escapeMarkdown(label)}:** ${inlinesToMarkdown(value, 'cell')}`,
        )
        .join('\n');
    case 'table': {
      const head = `| ${b.head.map((h) => escapeMarkdown(h, 'cell')).join(' | ')} |`;
      const rule = `| ${b.head.map(() => '---').join(' | ')} |`;
      const rows = b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
      return [`*${escapeMarkdown(b.caption)}*`, '', head, rule, ...rows].join('\n');
    }
    case 'diagram': {
      const svg = options.diagramHref ?? 'diagram.svg';
      const dot = options.dotHref ?? 'diagram.dot';
      return `![Diagram of sites, failure domains, nodes, services, replication and traffic](<${svg}>)\n\nGraphviz source: [${escapeMarkdown(dot)}](<${dot}>)`;
    }
  }
}

function section(s: Section, level: number, options: MarkdownOptions): string[] {
  const out = [`${'#'.repeat(level)} ${escapeMarkdown(s.title.replace(/\s+/g, ' '))}`];
  for (const b of s.blocks) out.push(block(b, options));
  for (const sub of s.subsections ?? []) out.push(...section(sub, level + 1, options));
  return out;
}

export function documentToMarkdown(doc: RenderedDocument, options: MarkdownOptions = {}): string {
  const parts = [`# ${escapeMarkdown(doc.title.replace(/\s+/g, ' '))}`];
  for (const b of doc.intro) parts.push(block(b, options));
  for (const s of doc.sections) parts.push(...section(s, 2, options));
  return `${parts.join('\n\n')}\n`;
}
