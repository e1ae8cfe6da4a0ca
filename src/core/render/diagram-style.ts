// Colours, marker shapes and text helpers shared by the diagram and its legend.
import { fitText, M } from './diagram-layout.js';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const TIER_STYLES = [
  { colour: '#cf222e', shape: 'circle' },
  { colour: '#9a6700', shape: 'square' },
  { colour: '#1a7f37', shape: 'triangle' },
  { colour: '#8250df', shape: 'diamond' },
] as const;
const OTHER_TIER = { colour: '#57606a', shape: 'circle' } as const;
export const EDGE_STYLE = {
  replication: { colour: '#953800', width: 2, dash: '' },
  traffic: { colour: '#0550ae', width: 1.5, dash: '' },
  standby: { colour: '#0550ae', width: 1.5, dash: '6 4' },
} as const;

export function tierStyle(rank: number | undefined) {
  return rank === undefined ? OTHER_TIER : (TIER_STYLES[rank] ?? OTHER_TIER);
}

/** A tier marker centred on (cx, cy); hollow for a standby. */
export function marker(rank: number | undefined, cx: number, cy: number, hollow: boolean): string {
  const { colour, shape } = tierStyle(rank);
  const paint = `fill="${hollow ? '#ffffff' : colour}" stroke="${colour}" stroke-width="1.5"`;
  switch (shape) {
    case 'square':
      return `<rect x="${cx - 4}" y="${cy - 4}" width="8" height="8" ${paint}/>`;
    case 'triangle':
      return `<path d="M${cx} ${cy - 5}L${cx + 5} ${cy + 4}L${cx - 5} ${cy + 4}Z" ${paint}/>`;
    case 'diamond':
      return `<path d="M${cx} ${cy - 5}L${cx + 5} ${cy}L${cx} ${cy + 5}L${cx - 5} ${cy}Z" ${paint}/>`;
    default:
      return `<circle cx="${cx}" cy="${cy}" r="4.5" ${paint}/>`;
  }
}

/** A text element, cut to `width` with the full text as a tooltip when cut. */
export function label(
  text: string,
  x: number,
  y: number,
  width: number,
  attrs = '',
  size: number = M.font,
  bold = false,
): string {
  const shown = fitText(text, width, size, bold);
  const tip = shown === text ? '' : `<title>${escapeXml(text)}</title>`;
  const weight = bold ? ' font-weight="700"' : '';
  const fontSize = size === M.font ? '' : ` font-size="${size}"`;
  return `<text x="${x}" y="${y}"${fontSize}${weight}${attrs ? ` ${attrs}` : ''}>${tip}${escapeXml(shown)}</text>`;
}
