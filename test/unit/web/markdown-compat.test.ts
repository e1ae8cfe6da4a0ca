// The dashboard's Markdown reader against what the server actually sends: the document written
// by src/core/render/markdown.ts. Whatever a plan string holds, escaping it and reading it back
// gives the same text, and no escape, `<br>` or table separator shows through.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../../src/core/render/markdown.js';
import {
  type Block,
  type Inline,
  parseInline,
  parseMarkdown,
} from '../../../web/src/lib/markdown.js';
import { twoSites, twoSitesAnalysis } from '../render/fixtures.js';

function text(nodes: Inline[]): string {
  return nodes
    .map((n) =>
      n.t === 'text' || n.t === 'code' ? n.text : n.t === 'br' ? '\n' : text(n.children),
    )
    .join('');
}

/** Printable text with every character the escaper treats specially, and some HTML. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\\',
        '`',
        '*',
        '_',
        '[',
        ']',
        '<',
        '>',
        '|',
        '~',
        '&',
        '#',
        '-',
        '+',
        '=',
        '1.',
        '(',
        ')',
        '!',
      ),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '<br>',
        '**bold**',
        '[x](javascript:y)',
        '&amp;',
        ' ',
      ),
      fc
        .string({ minLength: 1, maxLength: 6 })
        .filter((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join('').trim())
  .filter((s) => s !== '');

describe("reading the server's Markdown", () => {
  it('gives back any plan string escaped for a cell', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const md = escapeMarkdown(s, 'cell');
        expect(text(parseInline(md))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('gives back any plan string escaped for a paragraph, as one paragraph', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const blocks = parseMarkdown(escapeMarkdown(s, 'paragraph'));
        expect(blocks).toHaveLength(1);
        expect(blocks[0]?.t).toBe('paragraph');
        expect(
          text((blocks[0] as Extract<Block, { t: 'paragraph' }>).children).replace(/\s+/g, ' '),
        ).toBe(s.replace(/\s+/g, ' '));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a table row whole, whatever its cells hold', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 2, maxLength: 4 }), (cells) => {
        const md = [
          `| ${cells.map((_, i) => `h${i}`).join(' | ')} |`,
          `| ${cells.map(() => '---').join(' | ')} |`,
          `| ${cells.map((c) => escapeMarkdown(c, 'cell')).join(' | ')} |`,
        ].join('\n');
        const [table] = parseMarkdown(md);
        expect(table?.t).toBe('table');
        const row = (table as Extract<Block, { t: 'table' }>).rows[0] ?? [];
        expect(row.map(text)).toEqual(cells);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a whole rendered plan: headings, tables and lists, no escape or <br> left as text', () => {
    const plan = twoSites();
    const md = renderMarkdown(plan, twoSitesAnalysis(plan));
    const blocks = parseMarkdown(md);
    const headings = md.split('\n').filter((l) => /^#{1,6} /.test(l)).length;
    expect(blocks.filter((b) => b.t === 'heading')).toHaveLength(headings);
    const tables = blocks.filter((b): b is Extract<Block, { t: 'table' }> => b.t === 'table');
    expect(tables.length).toBeGreaterThan(0);
    const all: Inline[][] = [];
    for (const t of tables) {
      for (const r of t.rows) {
        expect(r).toHaveLength(t.head.length);
        all.push(...r);
      }
    }
    for (const b of blocks) {
      if (b.t === 'paragraph') all.push(b.children);
      if (b.t === 'list') all.push(...b.items);
    }
    const words = all.map(text).join('\n');
    expect(words).not.toMatch(/<br>/i);
    expect(words).not.toMatch(/\\[\\`*_[\]<>|~&#+\-=.!]/);
  });
});
