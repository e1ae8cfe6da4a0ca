// Pure: sanitising the plan diagram before it is put in the page. The SVG comes from our own
// server, but it holds names taken from the plan, so it is treated as untrusted: the page parses
// it with DOMParser (as image/svg+xml, which never runs scripts) and hands the root element to
// `sanitizeSvg`, which keeps only drawing elements and drops scripts, foreignObject, event
// handlers (on*), and links that are not fragments or http(s). The interfaces below are the
// part of the DOM it needs, so that it is tested in node with a small fake tree.

export interface AttrLike {
  readonly name: string;
  readonly value: string;
}

export interface ElementLike {
  readonly localName: string;
  readonly attributes: ArrayLike<AttrLike>;
  readonly children: ArrayLike<ElementLike>;
  readonly textContent: string | null;
  removeAttribute(name: string): void;
  remove(): void;
}

/** SVG elements the diagram may use. Everything else goes, with its content. */
export const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set(
  [
    'svg',
    'g',
    'defs',
    'title',
    'desc',
    'style',
    'rect',
    'circle',
    'ellipse',
    'line',
    'polyline',
    'polygon',
    'path',
    'text',
    'tspan',
    'textPath',
    'marker',
    'linearGradient',
    'radialGradient',
    'stop',
    'clipPath',
    'mask',
    'pattern',
    'symbol',
    'use',
    'a',
    'metadata',
  ].map((n) => n.toLowerCase()),
);

const LINK_ATTRS = new Set(['href', 'xlink:href']);

export interface SanitizeReport {
  removedElements: string[];
  removedAttributes: string[];
}

function safeLink(element: string, value: string): boolean {
  const v = value.trim();
  if (v.startsWith('#')) return true;
  return element === 'a' && /^https?:\/\//i.test(v);
}

/** Sanitises `root` in place; returns false when the root itself is not an <svg>. */
export function sanitizeSvg(root: ElementLike, report?: SanitizeReport): boolean {
  if (root.localName.toLowerCase() !== 'svg') return false;
  clean(root, report);
  return true;
}

/** Lower case, without whitespace and control characters (`java\tscript:` is still a script). */
function squeeze(value: string): string {
  let out = '';
  for (const ch of value) if (ch.charCodeAt(0) > 0x20) out += ch;
  return out.toLowerCase();
}

function clean(el: ElementLike, report: SanitizeReport | undefined): void {
  const name = el.localName.toLowerCase();
  for (const attr of Array.from(el.attributes)) {
    const a = attr.name.toLowerCase();
    const v = squeeze(attr.value);
    const drop =
      a.startsWith('on') ||
      (LINK_ATTRS.has(a) && !safeLink(name, attr.value)) ||
      v.includes('javascript:') ||
      v.includes('vbscript:') ||
      (a === 'style' && (v.includes('url(') || v.includes('expression(')));
    if (drop) {
      el.removeAttribute(attr.name);
      report?.removedAttributes.push(`${name}@${attr.name}`);
    }
  }
  for (const child of Array.from(el.children)) {
    const cname = child.localName.toLowerCase();
    const text = (child.textContent ?? '').toLowerCase();
    if (
      !ALLOWED_ELEMENTS.has(cname) ||
      (cname === 'style' && (text.includes('@import') || text.includes('javascript:')))
    ) {
      child.remove();
      report?.removedElements.push(child.localName);
      continue;
    }
    clean(child, report);
  }
}
