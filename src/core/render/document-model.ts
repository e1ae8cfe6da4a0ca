// The continuity-plan document as data. It is built once from the plan and its analysis and then
// written out as Markdown or HTML, so that both files always carry exactly the same content and
// each writer only has to get its own escaping right.

/** Text whose meaning must survive without colour: verdicts, severities, the point of no return. */
export type Mark = 'ok' | 'fails' | 'unknown' | 'error' | 'warning' | 'info' | 'pnr' | 'over';

export type Inline =
  | string
  | { code: string }
  | { strong: string }
  | { link: string; text: string }
  | { mark: Mark; text: string }
  | { br: true };

export type Inlines = Inline[];

export interface TableBlock {
  kind: 'table';
  caption: string;
  head: string[];
  rows: Inlines[][];
  /** The first cell of each row names the row (`<th scope="row">`). */
  rowHeader: boolean;
  /** Many columns: HTML prints it on a landscape page. */
  wide?: boolean;
  /** A CSS class per row (e.g. the point-of-no-return step); only HTML uses it. */
  rowClasses?: (string | undefined)[];
}

export type Block =
  | { kind: 'paragraph'; content: Inlines }
  | { kind: 'list'; ordered: boolean; items: Inlines[] }
  | { kind: 'fields'; items: [label: string, value: Inlines][] }
  | TableBlock
  /** Where the topology diagram goes: inlined SVG in HTML, an image link in Markdown. */
  | { kind: 'diagram' };

export interface Section {
  /** A fragment id: only letters, digits, `.`, `_`, `-` (plan names already are). */
  id: string;
  title: string;
  blocks: Block[];
  subsections?: Section[];
}

export interface RenderedDocument {
  title: string;
  intro: Block[];
  sections: Section[];
}

export const code = (text: string): Inline => ({ code: text });
export const strong = (text: string): Inline => ({ strong: text });
export const mark = (kind: Mark, text: string): Inline => ({ mark: kind, text });
export const BR: Inline = { br: true };

export function paragraph(...content: Inline[]): Block {
  return { kind: 'paragraph', content };
}

const URL_RE = /^https?:\/\/[^\s<>"'`]+$/;

/** A link when the whole text is an http(s) URL (never any other scheme), else the text. */
export function linkOrText(text: string): Inline {
  const trimmed = text.trim();
  return URL_RE.test(trimmed) ? { link: trimmed, text: trimmed } : text;
}

/**
 * Text written by Lifeboat itself (finding messages, fixes, step descriptions) marks names with
 * backticks; they become code. Plan text written by people is never interpreted this way.
 */
export function richText(text: string): Inlines {
  const out: Inlines = [];
  const re = /`([^`\n]+)`/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ code: m[1] as string });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Items separated by `sep`, for cells that list names. */
export function joined(items: Inline[], sep = ', '): Inlines {
  const out: Inlines = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(sep);
    out.push(item);
  });
  return out;
}

/** Flattens inlines to plain text (for tests, titles and the diagram). */
export function plainText(content: Inlines): string {
  return content
    .map((i) => {
      if (typeof i === 'string') return i;
      if ('code' in i) return i.code;
      if ('strong' in i) return i.strong;
      if ('br' in i) return '\n';
      return i.text;
    })
    .join('');
}
