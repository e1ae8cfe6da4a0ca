import { describe, expect, it } from 'vitest';
import {
  type Block,
  type Inline,
  outline,
  parseInline,
  parseMarkdown,
  safeHref,
} from '../../../web/src/lib/markdown.js';
import { type ElementLike, type SanitizeReport, sanitizeSvg } from '../../../web/src/lib/svg.js';

function texts(nodes: Inline[]): string {
  return nodes
    .map((n) =>
      n.t === 'text' || n.t === 'code' ? n.text : n.t === 'br' ? '\n' : texts(n.children),
    )
    .join('');
}

describe('the plan document (Markdown)', () => {
  it('reads headings, paragraphs, lists, tables, code and quotes', () => {
    const blocks = parseMarkdown(
      [
        '# Continuity plan',
        '',
        'Services **by tier**, see [docs](https://example.org/x) and `lifeboat check`.',
        'Second line.',
        '',
        '## Services',
        '',
        '| Service | RTO | RPO |',
        '|:--|--:|:-:|',
        '| app-db | 5 min | 0 s |',
        '| a \\| b | `x\\|y` | 1 h |',
        '',
        '- one',
        '- two',
        '  continued',
        '',
        '1. first',
        '2. second',
        '',
        '```yaml',
        'a: <b>',
        '```',
        '',
        '> a note',
        '',
        '---',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.t)).toEqual([
      'heading',
      'paragraph',
      'heading',
      'table',
      'list',
      'list',
      'code',
      'quote',
      'rule',
    ]);
    const table = blocks[3] as Extract<Block, { t: 'table' }>;
    expect(table.align).toEqual(['left', 'right', 'center']);
    expect(table.rows.map((r) => r.map(texts))).toEqual([
      ['app-db', '5 min', '0 s'],
      ['a | b', 'x|y', '1 h'],
    ]);
    const list = blocks[4] as Extract<Block, { t: 'list' }>;
    expect(list.items.map(texts)).toEqual(['one', 'two continued']);
    expect((blocks[5] as Extract<Block, { t: 'list' }>).ordered).toBe(true);
    expect(blocks[6]).toEqual({ t: 'code', lang: 'yaml', text: 'a: <b>' });
    expect(outline(blocks)).toEqual([
      { level: 1, id: 'continuity-plan', text: 'Continuity plan' },
      { level: 2, id: 'services', text: 'Services' },
    ]);
    const p = blocks[1] as Extract<Block, { t: 'paragraph' }>;
    expect(p.children.map((n) => n.t)).toEqual([
      'text',
      'strong',
      'text',
      'link',
      'text',
      'code',
      'text',
    ]);
    expect(texts(p.children)).toBe('Services by tier, see docs and lifeboat check. Second line.');
  });

  it('never produces HTML: tags and entities stay text', () => {
    const blocks = parseMarkdown(
      '<script>alert(1)</script>\n\n# <img src=x onerror=alert(1)>\n\n&lt;b&gt;',
    );
    const json = JSON.stringify(blocks);
    expect(blocks.every((b) => ['paragraph', 'heading'].includes(b.t))).toBe(true);
    expect(texts((blocks[0] as Extract<Block, { t: 'paragraph' }>).children)).toBe(
      '<script>alert(1)</script>',
    );
    expect(json).not.toContain('"t":"html"');
    expect(texts((blocks[2] as Extract<Block, { t: 'paragraph' }>).children)).toBe('&lt;b&gt;');
  });

  it('drops dangerous link targets, keeping the words', () => {
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref(' JavaScript:x')).toBeUndefined();
    expect(safeHref('data:text/html,x')).toBeUndefined();
    expect(safeHref('//evil.example/x')).toBeUndefined();
    expect(safeHref('https://x.org')).toBe('https://x.org');
    expect(safeHref('#services')).toBe('#services');
    expect(safeHref('docs/a.md')).toBe('docs/a.md');
    expect(parseInline('[click](javascript:alert(1))').some((n) => n.t === 'link')).toBe(false);
    expect(parseInline('[click](javascript:void)')).toEqual([{ t: 'text', text: 'click' }]);
    expect(parseInline('[docs](<https://x.org/a b>)')).toEqual([
      { t: 'link', href: 'https://x.org/a b', children: [{ t: 'text', text: 'docs' }] },
    ]);
    expect(parseInline('\\*not em\\*')).toEqual([{ t: 'text', text: '*not em*' }]);
    expect(parseInline('snake_case_name')).toEqual([{ t: 'text', text: 'snake_case_name' }]);
  });
});

/** A minimal DOM-like tree for the sanitiser. */
class FakeEl implements ElementLike {
  parent: FakeEl | undefined;
  children: FakeEl[] = [];
  attrs: { name: string; value: string }[];
  constructor(
    readonly localName: string,
    attrs: Record<string, string> = {},
    children: FakeEl[] = [],
    readonly text = '',
  ) {
    this.attrs = Object.entries(attrs).map(([name, value]) => ({ name, value }));
    for (const c of children) {
      c.parent = this;
      this.children.push(c);
    }
  }
  get attributes() {
    return this.attrs;
  }
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  removeAttribute(name: string) {
    this.attrs = this.attrs.filter((a) => a.name !== name);
  }
  remove() {
    if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
  }
  names(): string[] {
    return [this.localName, ...this.children.flatMap((c) => c.names())];
  }
  allAttrs(): string[] {
    return [
      ...this.attrs.map((a) => `${this.localName}@${a.name}`),
      ...this.children.flatMap((c) => c.allAttrs()),
    ];
  }
}

describe('the plan diagram (SVG)', () => {
  it('drops scripts, foreignObject, handlers and unsafe links, keeping the drawing', () => {
    const svg = new FakeEl('svg', { viewBox: '0 0 10 10', onload: 'alert(1)' }, [
      new FakeEl('script', {}, [], 'alert(1)'),
      new FakeEl('foreignObject', {}, [new FakeEl('iframe', { src: 'x' })]),
      new FakeEl('g', { class: 'site', ONCLICK: 'x()' }, [
        new FakeEl('rect', { x: '1', fill: 'red' }),
        new FakeEl('text', {}, [], 'site a <b>'),
        new FakeEl('a', { href: 'java\tscript:alert(1)' }, [new FakeEl('text', {}, [], 'link')]),
        new FakeEl('a', { href: 'https://example.org' }),
        new FakeEl('use', { 'xlink:href': 'https://evil.example/x.svg#a' }),
        new FakeEl('use', { href: '#marker' }),
        new FakeEl('rect', { style: 'fill: url(https://evil.example/t)' }),
      ]),
      new FakeEl('style', {}, [], '@import url(https://evil.example/x.css);'),
      new FakeEl('style', {}, [], '.site { fill: #fff }'),
      new FakeEl('image', { href: 'https://tracker.example/p.png' }),
      new FakeEl('animate', { attributeName: 'href', to: 'javascript:alert(1)' }),
    ]);
    const report: SanitizeReport = { removedElements: [], removedAttributes: [] };
    expect(sanitizeSvg(svg, report)).toBe(true);
    expect(svg.names()).toEqual([
      'svg',
      'g',
      'rect',
      'text',
      'a',
      'text',
      'a',
      'use',
      'use',
      'rect',
      'style',
    ]);
    expect(svg.allAttrs()).toEqual([
      'svg@viewBox',
      'g@class',
      'rect@x',
      'rect@fill',
      'a@href',
      'use@href',
    ]);
    expect(report.removedElements).toEqual([
      'script',
      'foreignObject',
      'style',
      'image',
      'animate',
    ]);
    expect(report.removedAttributes).toContain('svg@onload');
    expect(report.removedAttributes).toContain('g@ONCLICK');
  });

  it('refuses a root that is not an svg element', () => {
    expect(sanitizeSvg(new FakeEl('html'))).toBe(false);
  });
});
