import { useEffect, useMemo, useRef, useState } from 'react';
import type { PlanStatus } from '../../../src/server/api-types.js';
import { ErrorBox, Loading } from '../components/common.js';
import { formatTime, shortHash } from '../lib/format.js';
import { type Block, type Inline, outline, parseMarkdown } from '../lib/markdown.js';
import { sanitizeSvg } from '../lib/svg.js';
import { useLive } from '../live.js';
import { useApi } from '../use-api.js';

interface PlanDocument {
  markdown: string;
  svg?: string;
}

export function PlanPage() {
  const doc = useApi<PlanDocument>('plan/document');
  const status = useApi<PlanStatus>('plan/status');
  useLive((m) => {
    if (m.kind === 'gap' || m.event.event.type === 'plan') {
      doc.reload();
      status.reload();
    }
  });
  const blocks = useMemo(() => parseMarkdown(doc.data?.markdown ?? ''), [doc.data]);
  const toc = useMemo(() => outline(blocks).filter((h) => h.level <= 2), [blocks]);
  const [view, setView] = useState<'document' | 'source'>('document');

  return (
    <article className="plan-page" data-testid="plan-page">
      <h1>Continuity plan</h1>
      {status.data ? (
        <p>
          <code>{status.data.file}</code>, hash <code>{shortHash(status.data.hash)}</code>, loaded{' '}
          {formatTime(status.data.loadedAt)}; {status.data.reloads} reload(s),{' '}
          {status.data.failedReloads} failed.
        </p>
      ) : null}
      {doc.error ? <ErrorBox error={doc.error} title="Plan document" /> : null}
      {!doc.data && !doc.error ? <Loading what="plan document" /> : null}
      {doc.data?.svg ? (
        <section aria-labelledby="diagram-h">
          <h2 id="diagram-h">Diagram</h2>
          <SafeSvg svg={doc.data.svg} />
        </section>
      ) : null}
      {doc.data ? (
        <section aria-labelledby="doc-h">
          <h2 id="doc-h">Document</h2>
          <fieldset className="view-toggle">
            <legend className="sr-only">Show</legend>
            <label>
              <input
                type="radio"
                name="plan-view"
                checked={view === 'document'}
                onChange={() => setView('document')}
              />{' '}
              Rendered
            </label>
            <label>
              <input
                type="radio"
                name="plan-view"
                checked={view === 'source'}
                onChange={() => setView('source')}
              />{' '}
              Markdown source
            </label>
          </fieldset>
          {view === 'source' ? (
            <pre className="md-source">{doc.data.markdown}</pre>
          ) : (
            <>
              {toc.length > 2 ? (
                <nav aria-label="Plan contents" className="toc">
                  <ul>
                    {toc.map((h) => (
                      <li key={h.id} className={`toc-${h.level}`}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => {
                            const target = document.getElementById(`md-${h.id}`);
                            target?.scrollIntoView();
                            target?.focus();
                          }}
                        >
                          {h.text}
                        </button>
                      </li>
                    ))}
                  </ul>
                </nav>
              ) : null}
              <div className="markdown" data-testid="plan-markdown">
                {keyed(blocks).map(([ki, b]) => (
                  <MdBlock key={ki} b={b} />
                ))}
              </div>
            </>
          )}
        </section>
      ) : null}
    </article>
  );
}

/** Parses the diagram as SVG (never as HTML), sanitises it, and adopts the clean tree. */
function SafeSvg({ svg }: { svg: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const root = parsed.documentElement;
    if (parsed.getElementsByTagName('parsererror').length > 0 || !sanitizeSvg(root)) {
      setFailed(true);
      el.replaceChildren();
      return;
    }
    setFailed(false);
    root.setAttribute('role', 'img');
    if (!root.getAttribute('aria-label'))
      root.setAttribute('aria-label', 'Continuity plan diagram');
    el.replaceChildren(document.importNode(root, true));
  }, [svg]);
  return (
    <>
      {failed ? <p role="alert">The diagram could not be read as SVG.</p> : null}
      <div ref={host} className="diagram" data-testid="plan-diagram" />
    </>
  );
}

/** Items with a position key: Markdown nodes have no identity, and each list is rebuilt whole. */
function keyed<T>(items: readonly T[]): [string, T, number][] {
  return items.map((item, index) => [String(index), item, index]);
}

function MdInline({ nodes }: { nodes: Inline[] }) {
  return (
    <>
      {keyed(nodes).map(([ki, n]) => {
        switch (n.t) {
          case 'text':
            return n.text;
          case 'br':
            return <br key={ki} />;
          case 'code':
            return <code key={ki}>{n.text}</code>;
          case 'strong':
            return (
              <strong key={ki}>
                <MdInline nodes={n.children} />
              </strong>
            );
          case 'em':
            return (
              <em key={ki}>
                <MdInline nodes={n.children} />
              </em>
            );
          case 'link':
            if (n.href.startsWith('#')) {
              // The hash is the router's: a fragment link scrolls to its heading instead.
              const target = `md-${n.href.slice(1)}`;
              return (
                <a
                  key={ki}
                  href={n.href}
                  onClick={(e) => {
                    e.preventDefault();
                    document.getElementById(target)?.scrollIntoView();
                  }}
                >
                  <MdInline nodes={n.children} />
                </a>
              );
            }
            return (
              <a key={ki} href={n.href} rel="noopener noreferrer" target="_blank">
                <MdInline nodes={n.children} />
              </a>
            );
          default:
            return null;
        }
      })}
    </>
  );
}

function MdBlock({ b }: { b: Block }) {
  switch (b.t) {
    case 'heading': {
      const H = `h${Math.min(6, b.level + 1)}` as 'h2';
      return (
        <H id={`md-${b.id}`} tabIndex={-1}>
          <MdInline nodes={b.children} />
        </H>
      );
    }
    case 'paragraph':
      return (
        <p>
          <MdInline nodes={b.children} />
        </p>
      );
    case 'code':
      return (
        <pre>
          <code>{b.text}</code>
        </pre>
      );
    case 'list': {
      const L = b.ordered ? 'ol' : 'ul';
      return (
        <L>
          {keyed(b.items).map(([ki, item]) => (
            <li key={ki}>
              <MdInline nodes={item} />
            </li>
          ))}
        </L>
      );
    }
    case 'table':
      return (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                {keyed(b.head).map(([ki, c, i]) => (
                  <th
                    key={ki}
                    scope="col"
                    style={b.align[i] ? { textAlign: b.align[i] } : undefined}
                  >
                    <MdInline nodes={c} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {keyed(b.rows).map(([kr, row]) => (
                <tr key={kr}>
                  {keyed(row).map(([ki, c, i]) => (
                    <td key={ki} style={b.align[i] ? { textAlign: b.align[i] } : undefined}>
                      <MdInline nodes={c} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'quote':
      return (
        <blockquote>
          {keyed(b.children).map(([ki, c]) => (
            <MdBlock key={ki} b={c} />
          ))}
        </blockquote>
      );
    case 'rule':
      return <hr />;
  }
}
