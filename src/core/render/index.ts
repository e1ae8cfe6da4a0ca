// Rendering: strings in, strings out. The CLI decides where they are written.
export { renderDiagramSvg } from './diagram.js';
export { renderDiagramDot } from './diagram-dot.js';
export { buildDiagramGraph, DIAGRAM_LIMITS, type DiagramLimits } from './diagram-graph.js';
export { buildDocument } from './document.js';
export type { RenderedDocument } from './document-model.js';
export { escapeHtml, renderHtml } from './html.js';
export { escapeMarkdown, renderMarkdown } from './markdown.js';
