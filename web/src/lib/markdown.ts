// Pure: a small Markdown reader for the plan document (headings, paragraphs, lists, tables,
// code blocks, block quotes, rules; inline code, bold, emphasis, links, hard breaks), enough for
// what src/core/render/markdown.ts writes: its backslash escapes, `<br>` in cells and items,
// `\` line ends, `[text](<url>)` links; an image shows its alt text. It builds a tree of
// plain text nodes that the page renders with React, which escapes every string: raw HTML in
// the Markdown is shown as text, never interpreted. Links keep only http(s), mailto, relative
// and #fragment targets.

export type Inline =
  | { t: 'text'; text: string }
  | { t: 'br' }
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
    .map((n) =>
      n.t === 'text' || n.t === 'code' ? n.text : n.t === 'br' ? '\n' : inlineText(n.children),
    )
    .join('');
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;
const BR = /^<br\s*\/?>/i;

/** Index of the next unescaped `delim` at or after `from` (outside code spans), or -1. */
function findClose(src: string, delim: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(src.slice(i))?.[0] ?? '`';
      const end = src.indexOf(run, i + run.length);
      i = end < 0 ? i + run.length : end + run.length;
      continue;
    }
    if (src.startsWith(delim, i)) return i;
    i++;
  }
  return -1;
}

/** `[text](url)`, `[text](<url>)`, with an optional title; at `i` (the `[`). */
function linkAt(
  src: string,
  i: number,
): { text: string; href: string; length: number } | undefined {
  const close = findClose(src, ']', i + 1);
  if (close < 0 || src[close + 1] !== '(') return undefined;
  const rest = src.slice(close + 2);
  const m = /^\s*(?:<([^<>\n]*)>|([^\s()<>]*))(?:\s+"[^"]*")?\s*\)/.exec(rest);
  if (!m) return undefined;
  return {
    text: src.slice(i + 1, close),
    href: m[1] ?? m[2] ?? '',
    length: close + 2 + m[0].length - i,
  };
}

/** Inline Markdown → nodes. A backslash escapes any ASCII punctuation. */
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
    const next = src[i + 1];
    if (c === '\\' && next === '\n') {
      flush();
      out.push({ t: 'br' });
      i += 2;
      continue;
    }
    if (c === '\\' && next !== undefined && PUNCTUATION.test(next)) {
      text += next;
      i += 2;
      continue;
    }
    if (c === '\n') {
      text += ' ';
      i++;
      continue;
    }
    if (c === '<') {
      const br = BR.exec(src.slice(i));
      if (br) {
        flush();
        out.push({ t: 'br' });
        i += br[0].length;
        continue;
      }
    }
    if (c === '`') {
      const run = /^`+/.exec(src.slice(i))?.[0] ?? '`';
      const end = src.indexOf(run, i + run.length);
      if (end > 0 && src[end + run.length] !== '`') {
        let body = src.slice(i + run.length, end).replace(/\n/g, ' ');
        if (body.length > 2 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') {
          body = body.slice(1, -1);
        }
        flush();
        out.push({ t: 'code', text: body });
        i = end + run.length;
        continue;
      }
      text += run;
      i += run.length;
      continue;
    }
    if ((c === '*' || c === '_') && next === c) {
      const end = findClose(src, c + c, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: 'strong', children: parseInline(src.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (
      (c === '*' || (c === '_' && (i === 0 || /\W/.test(src[i - 1] as string)))) &&
      next !== undefined &&
      next !== ' '
    ) {
      const end = findClose(src, c, i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'em', children: parseInline(src.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '!' && next === '[') {
      const img = linkAt(src, i + 1);
      if (img) {
        flush();
        out.push({
          t: 'em',
          children: [{ t: 'text', text: `[image: ${inlineText(parseInline(img.text))}]` }],
        });
        i += 1 + img.length;
        continue;
      }
    }
    if (c === '[') {
      const link = linkAt(src, i);
      if (link) {
        flush();
        const children = parseInline(link.text);
        const href = safeHref(link.href);
        if (href !== undefined && href !== '') out.push({ t: 'link', href, children });
        else out.push(...children);
        i += link.length;
        continue;
      }
    }
    text += c;
    i += 1;
  }
  flush();
  return out;
}

/** A table row's cells: split on unescaped `|` (as GitHub does, code spans included). */
function splitRow(line: string): string[] {
  let l = line.trim();
  if (l.startsWith('|')) l = l.slice(1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < l.length; i++) {
    const ch = l[i] as string;
    if (ch === '\\' && i + 1 < l.length) {
      // `\|` is a pipe in the cell; any other escape is left for the inline reader.
      cur += l[i + 1] === '|' ? '|' : `\\${l[i + 1]}`;
      i++;
    } else if (ch === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || cells.length === 0) cells.push(cur.trim());
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
    const h = /^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
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
        // As GitHub: cells beyond the header's are dropped, missing ones are empty.
        const cells = splitRow(lines[i] as string).slice(0, head.length);
        while (cells.length < head.length) cells.push('');
        rows.push(cells.map(parseInline));
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
    blocks.push({ t: 'paragraph', children: parseInline(para.join('\n')) });
  }
  return blocks;
}

/** The headings, for a table of contents. */
export function outline(blocks: readonly Block[]): { level: number; id: string; text: string }[] {
  return blocks
    .filter((b): b is Extract<Block, { t: 'heading' }> => b.t === 'heading')
    .map((b) => ({ level: b.level, id: b.id, text: inlineText(b.children) }));
}
