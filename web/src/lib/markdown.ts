// Pure: a small Markdown reader for the plan document (headings, paragraphs, lists, tables,
// code blocks, block quotes, rules; inline code, bold, emphasis, links). It builds a tree of
// plain text nodes that the page renders with React, which escapes every string: raw HTML in
// the Markdown is shown as text, never interpreted. Links keep only http(s), mailto, relative
// and #fragment targets.

export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'strong'; children: Inline[] }
  | { t: 'em'; children: Inline[] }
  | { t: 'link'; href: string; children: Inline[] };

export type Block =
  | { t: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; id: string; children: Inline[] }
  | { t: 'paragraph'; children: Inline[] }
  | { t: 'code'; lang: string; text: string }
  | { t: 'list'; ordered: boolean; items: Inline[][] }
  | {
      t: 'table';
      head: Inline[][];
      align: ('left' | 'right' | 'center' | undefined)[];
      rows: Inline[][][];
    }
  | { t: 'quote'; children: Block[] }
  | { t: 'rule' };

/** Only these link targets survive; anything else (javascript:, data:, vbscript:) is dropped. */
export function safeHref(href: string): string | undefined {
  const h = href.trim();
  if (/^(https?:|mailto:)/i.test(h)) return h;
  if (/^[a-z][a-z0-9+.-]*:/i.test(h)) return undefined;
  if (h.startsWith('//')) return undefined;
  return h;
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-');
}

function inlineText(nodes: Inline[]): string {
  return nodes
    .map((n) => (n.t === 'text' || n.t === 'code' ? n.text : inlineText(n.children)))
    .join('');
}

/** Inline Markdown → nodes. Backslash escapes a punctuation character. */
export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\' && i + 1 < src.length && /[\\`*_[\]()#+\-.!|<>]/.test(src[i + 1] as string)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > i) {
        flush();
        out.push({ t: 'code', text: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && src[i + 1] === c) {
      const end = src.indexOf(c + c, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: 'strong', children: parseInline(src.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (c === '*' || (c === '_' && (i === 0 || /\W/.test(src[i - 1] as string)))) {
      const end = src.indexOf(c, i + 1);
      if (end > i + 1 && src[i + 1] !== ' ') {
        flush();
        out.push({ t: 'em', children: parseInline(src.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const m = /^\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/.exec(src.slice(i));
      if (m) {
        flush();
        const children = parseInline(m[1] as string);
        const href = safeHref(m[2] as string);
        if (href !== undefined) out.push({ t: 'link', href, children });
        else out.push(...children);
        i += m[0].length;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  flush();
  return out;
}

function splitRow(line: string): string[] {
  let l = line.trim();
  if (l.startsWith('|')) l = l.slice(1);
  if (l.endsWith('|') && !l.endsWith('\\|')) l = l.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  for (let i = 0; i < l.length; i++) {
    const ch = l[i] as string;
    if (ch === '\\' && l[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (ch === '`') {
      inCode = !inCode;
      cur += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;

/** Block Markdown → blocks. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  const ids = new Map<string, number>();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string)) {
        body.push(lines[i] as string);
        i++;
      }
      i++;
      blocks.push({ t: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const children = parseInline(h[2] as string);
      let id = slug(inlineText(children)) || 'section';
      const n = ids.get(id) ?? 0;
      ids.set(id, n + 1);
      if (n > 0) id = `${id}-${n}`;
      blocks.push({ t: 'heading', level: (h[1] as string).length as 1, id, children });
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ t: 'rule' });
      i++;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1] as string)) {
      const head = splitRow(line).map(parseInline);
      const align = splitRow(lines[i + 1] as string).map((c) =>
        c.startsWith(':') && c.endsWith(':')
          ? ('center' as const)
          : c.endsWith(':')
            ? ('right' as const)
            : c.startsWith(':')
              ? ('left' as const)
              : undefined,
      );
      i += 2;
      const rows: Inline[][][] = [];
      while (
        i < lines.length &&
        (lines[i] as string).includes('|') &&
        (lines[i] as string).trim()
      ) {
        rows.push(splitRow(lines[i] as string).map(parseInline));
        i++;
      }
      blocks.push({ t: 'table', head, align, rows });
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i] as string)) {
        body.push((lines[i] as string).replace(/^\s{0,3}>\s?/, ''));
        i++;
      }
      blocks.push({ t: 'quote', children: parseMarkdown(body.join('\n')) });
      continue;
    }
    const li = LIST_ITEM.exec(line);
    if (li) {
      const ordered = /\d/.test(li[1] as string);
      const items: string[] = [];
      while (i < lines.length) {
        const l = lines[i] as string;
        const m = LIST_ITEM.exec(l);
        if (m && /\d/.test(m[1] as string) === ordered) items.push(m[2] as string);
        else if (l.trim() !== '' && /^\s+/.test(l) && items.length > 0) {
          items[items.length - 1] += ` ${l.trim()}`;
        } else break;
        i++;
      }
      blocks.push({ t: 'list', ordered, items: items.map(parseInline) });
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      (lines[i] as string).trim() !== '' &&
      !/^(#{1,6}\s|\s*```|\s*~~~|\s{0,3}>)/.test(lines[i] as string) &&
      !LIST_ITEM.test(lines[i] as string)
    ) {
      para.push((lines[i] as string).trim());
      i++;
    }
    if (para.length === 0) {
      para.push(line.trim());
      i++;
    }
    blocks.push({ t: 'paragraph', children: parseInline(para.join(' ')) });
  }
  return blocks;
}

/** The headings, for a table of contents. */
export function outline(blocks: readonly Block[]): { level: number; id: string; text: string }[] {
  return blocks
    .filter((b): b is Extract<Block, { t: 'heading' }> => b.t === 'heading')
    .map((b) => ({ level: b.level, id: b.id, text: inlineText(b.children) }));
}
