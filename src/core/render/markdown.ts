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

/**
 * Where the text is written: a paragraph can hold hard line breaks; a list item and a table cell
 * get `<br>` instead. A cell is inline only, so only paragraphs and items have line starts where
 * `#`, `-` or `1.` would begin a heading or a list.
 */
type Context = 'paragraph' | 'item' | 'cell';

const INLINE_SPECIALS = /[\\`*_[\]<>|~&]/g;
/** Markers that only mean something at the start of a line: headings, lists, setext underlines. */
const LINE_START_SPECIAL = /^(\s*)(#|-|\+|=|[0-9]+(?=[.)]))/;

function escapeLine(line: string, atLineStart: boolean): string {
  const escaped = line.replace(INLINE_SPECIALS, (c) => `\\${c}`);
  if (!atLineStart) return escaped;
  // Four leading spaces would start a code block.
  return escaped
    .trimStart()
    .replace(LINE_START_SPECIAL, (_m, space: string, marker: string) =>
      /^[0-9]/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`,
    );
}

/**
 * Plain text to Markdown; newlines become hard breaks (`<br>` in items and cells).
 * `atLineStart`: the text begins a line of the Markdown source.
 */
export function escapeMarkdown(
  text: string,
  ctx: Context = 'paragraph',
  atLineStart = ctx !== 'cell',
): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  // Separators such as `, ` are inlines too: their spaces must survive.
  if (!normalized.includes('\n')) return escapeLine(normalized, atLineStart);
  return normalized
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l, i) => escapeLine(l, i === 0 ? atLineStart : ctx === 'paragraph'))
    .join(ctx === 'paragraph' ? '\\\n' : '<br>');
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

function inline(i: Inline, ctx: Context, atLineStart: boolean): string {
  if (typeof i === 'string') return escapeMarkdown(i, ctx, atLineStart);
  if ('code' in i) return codeSpan(i.code, ctx);
  if ('strong' in i) return `**${escapeMarkdown(i.strong, ctx, false)}**`;
  if ('br' in i) return ctx === 'paragraph' ? '\\\n' : '<br>';
  if ('mark' in i) return `**${escapeMarkdown(i.text, ctx, false)}**`;
  // URLs are already restricted to http(s) without spaces or quotes; `|` would end a table cell.
  return `[${escapeMarkdown(i.text, ctx, false)}](<${i.link.replace(/\|/g, '%7C')}>)`;
}

export function inlinesToMarkdown(content: Inlines, ctx: Context = 'paragraph'): string {
  return content
    .map((i, k) => {
      const prev = content[k - 1];
      const atLineStart =
        ctx !== 'cell' &&
        (k === 0 || (ctx === 'paragraph' && typeof prev === 'object' && 'br' in prev));
      return inline(i, ctx, atLineStart);
    })
    .join('');
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
        .map((item, n) => `${b.ordered ? `${n + 1}.` : '-'} ${inlinesToMarkdown(item, 'item')}`)
        .join('\n');
    case 'fields':
      return b.items
        .map(
          ([label, value]) =>
            `- **${escapeMarkdown(label, 'item', false)}:** ${inlinesToMarkdown(value, 'cell')}`,
        )
        .join('\n');
    case 'table': {
      const head = `| ${b.head.map((h) => escapeMarkdown(h, 'cell')).join(' | ')} |`;
      const rule = `| ${b.head.map(() => '---').join(' | ')} |`;
      const rows = b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
      return [`*${escapeMarkdown(b.caption, 'cell')}*`, '', head, rule, ...rows].join('\n');
    }
    case 'diagram': {
      const svg = options.diagramHref ?? 'diagram.svg';
      const dot = options.dotHref ?? 'diagram.dot';
      return `![Diagram of sites, failure domains, nodes, services, replication and traffic](<${svg}>)\n\nGraphviz source: [${escapeMarkdown(dot, 'cell')}](<${dot}>)`;
    }
  }
}

function section(s: Section, level: number, options: MarkdownOptions): string[] {
  const out = [`${'#'.repeat(level)} ${escapeMarkdown(s.title.replace(/\s+/g, ' '), 'cell')}`];
  for (const b of s.blocks) out.push(block(b, options));
  for (const sub of s.subsections ?? []) out.push(...section(sub, level + 1, options));
  return out;
}

export function documentToMarkdown(doc: RenderedDocument, options: MarkdownOptions = {}): string {
  const parts = [`# ${escapeMarkdown(doc.title.replace(/\s+/g, ' '), 'cell')}`];
  for (const b of doc.intro) parts.push(block(b, options));
  for (const s of doc.sections) parts.push(...section(s, 2, options));
  return `${parts.join('\n\n')}\n`;
}
