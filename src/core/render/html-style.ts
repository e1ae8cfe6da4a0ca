// The stylesheet inlined into plan.html. System fonts only: the file must work offline and
// be printable by whoever opens it in a crisis. Colour repeats what the text already says.
export const HTML_STYLE = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --zebra: #f6f8fa;
  --ok: #dafbe1; --ok-ink: #116329; --bad: #ffebe9; --bad-ink: #a40e26;
  --unk: #fff8c5; --unk-ink: #6f4e00; --info: #ddf4ff; --info-ink: #0a3069; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1280px; padding: 24px 32px 64px; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.9em; margin: 0 0 .4em; line-height: 1.2; }
h2 { font-size: 1.45em; margin: 2em 0 .6em; padding-bottom: .2em; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.15em; margin: 1.8em 0 .5em; }
p { margin: .5em 0; max-width: 80ch; }
a { color: #0550ae; overflow-wrap: anywhere; }
code { font: .88em/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  background: var(--zebra); padding: 0 .25em; border-radius: 3px; overflow-wrap: break-word; }
nav.toc { border: 1px solid var(--line); border-radius: 6px; padding: .6em 1.2em; margin: 1.5em 0; max-width: 40em; }
nav.toc h2 { font-size: 1em; margin: .2em 0; border: 0; padding: 0; }
nav.toc ol { margin: .2em 0; padding-left: 1.4em; }
nav.toc ol ol { columns: 2; font-size: .92em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1.4em; font-size: .92em; }
caption { caption-side: top; text-align: left; font-weight: 600; color: var(--muted); padding: .2em 0 .4em; }
th, td { border: 1px solid var(--line); padding: .35em .5em; text-align: left; vertical-align: top; }
thead th { background: #eaeef2; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody th { font-weight: 600; }
table.wide { font-size: .85em; }
table.wide td, table.wide th { padding: .3em .4em; }
tr.pnr { outline: 2px solid var(--bad-ink); outline-offset: -2px; }
tr.after-pnr td { color: var(--muted); }
dl.fields { margin: .6em 0; }
dl.fields > div { display: grid; grid-template-columns: 13em 1fr; gap: 1em; padding: .1em 0; }
dl.fields dt { font-weight: 600; color: var(--muted); }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
ul, ol { margin: .4em 0; }
.mark { display: inline-block; padding: 0 .45em; border: 1px solid currentColor; border-radius: 3px;
  font-weight: 700; font-size: .85em; letter-spacing: .02em; white-space: nowrap; }
.mark-ok { background: var(--ok); color: var(--ok-ink); }
.mark-fails, .mark-error, .mark-over, .mark-pnr { background: var(--bad); color: var(--bad-ink); }
.mark-unknown, .mark-warning { background: var(--unk); color: var(--unk-ink); }
.mark-info { background: var(--info); color: var(--info-ink); }
figure.diagram { margin: 1em 0; }
figure.diagram svg { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figure.diagram figcaption { color: var(--muted); font-size: .9em; margin-top: .4em; }
@media print {
  @page { size: A4; margin: 12mm 11mm 14mm; }
  @page landscape { size: A4 landscape; margin: 10mm 11mm 12mm; }
  body { max-width: none; padding: 0; font-size: 9.5pt; color: #000; }
  h2 { break-before: page; margin-top: 0; }
  h2, h3, caption { break-after: avoid; }
  section.landscape { page: landscape; }
  nav.toc h2 { break-before: avoid; }
  nav.toc ol ol { columns: 3; }
  a { color: #000; }
  tr, dl.fields > div, li, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  tbody tr:nth-child(even) { background: none; }
  thead th { background: none; border-bottom: 2px solid #000; }
  th, td { border-color: #777; }
  table.wide { font-size: 8pt; }
  .mark { background: none !important; color: #000 !important; border-color: #000; }
  tr.pnr { outline: 2px solid #000; }
  tr.pnr td, tr.pnr th { font-weight: 700; }
  figure.diagram svg { border: 0; max-height: 148mm; width: 100%; }
}
`;
