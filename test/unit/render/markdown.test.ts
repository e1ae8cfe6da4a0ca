// plan.md: the seed table's columns, escaping that keeps every table row intact, determinism.
import { describe, expect, it } from 'vitest';
import {
  documentToMarkdown,
  escapeMarkdown,
  renderMarkdown,
} from '../../../src/core/render/markdown.js';
import { twoSites, twoSitesAnalysis } from './fixtures.js';

const plan = twoSites();
const analysis = twoSitesAnalysis(plan);
const md = renderMarkdown(plan, analysis);

/** Splits a table row on the `|` that GitHub treats as cell separators (not `\|`). */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function tableAfter(caption: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`*${caption}*`);
  expect(start, `caption ${caption}`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i]?.startsWith('|'); i++)
    rows.push(lines[i] as string);
  return rows;
}

describe('the service table (seed 000)', () => {
  const rows = tableAfter('Service continuity plan');

  it('has the seed columns, then target and planned RTO and RPO and the verdict', () => {
    expect(cells(rows[0] as string)).toEqual([
      'Service',
      'Criticality',
      'Contingency plan',
      'Redeployment plan',
      'Details',
      'Target RTO',
      'Planned RTO',
      'Target RPO',
      'Planned RPO',
      'Verdict',
    ]);
    expect(rows[1]).toBe('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  });

  it('keeps ten cells per row although the notes contain a pipe and line breaks', () => {
    for (const row of rows.slice(2)) expect(cells(row)).toHaveLength(10);
    const db = cells(rows[2] as string);
    expect(db[0]).toBe('dlrn-db');
    expect(db[1]).toBe('High');
    expect(db[2]).toBe(
      'MariaDB async replica on dlrn-db-b (offsite); promote it, switch DNS trunk.rdoproject.org (TTL 5m)<br>DB is synced to a slave \\| replica in the offsite cloud.<br># Not a heading: set the slave as master.',
    );
    expect(db[3]).toBe('none (manual rebuild)');
    expect(db[4]).toBe(
      '[https://review.rdoproject.org/etherpad/p/mariadb-replication-procedures](<https://review.rdoproject.org/etherpad/p/mariadb-replication-procedures>)',
    );
    expect(db.slice(5)).toEqual(['4h', '40m', '1h', '5s', '**OK**']);
  });

  it('says when a service cannot be restored', () => {
    const ara = cells(rows[5] as string);
    expect(ara[0]).toBe('ara');
    expect(ara[6]).toBe('∞ (cannot be restored)');
    expect(ara[9]).toBe('**FAILS**');
  });
});

describe('escapeMarkdown', () => {
  it('escapes inline syntax and line-start markers, and keeps separators', () => {
    expect(escapeMarkdown('a*b_c `d` [e](f) <g> | ~h & i')).toBe(
      'a\\*b\\_c \\`d\\` \\[e\\](f) \\<g\\> \\| \\~h \\& i',
    );
    expect(escapeMarkdown('# title\n- item\n1. one\n===')).toBe(
      '\\# title\\\n\\- item\\\n1\\. one\\\n\\===',
    );
    expect(escapeMarkdown(', ')).toBe(', ');
  });

  it('turns line breaks into <br> inside table cells, where no line starts', () => {
    expect(escapeMarkdown('one\n\n# two | three', 'cell')).toBe('one<br># two \\| three');
    expect(escapeMarkdown('1. one', 'cell')).toBe('1. one');
    expect(escapeMarkdown('1. one', 'item')).toBe('1\\. one');
  });

  it('escapes line-start markers only where a line starts', () => {
    const out = documentToMarkdown({
      title: 't',
      intro: [
        {
          kind: 'paragraph',
          content: ['- not a list', { br: true }, '# not a heading ', '# mid-line'],
        },
        { kind: 'list', ordered: false, items: [['1. not nested'], ['a', '- b']] },
      ],
      sections: [],
    });
    expect(out).toBe(
      '# t\n\n\\- not a list\\\n\\# not a heading # mid-line\n\n- 1\\. not nested\n- a- b\n',
    );
  });

  it('neutralises HTML in plan text', () => {
    expect(escapeMarkdown('<script>alert(1)</script>')).toBe('\\<script\\>alert(1)\\</script\\>');
  });
});

describe('the document', () => {
  it('has every section, in the reading order', () => {
    const headings = md.split('\n').filter((l) => /^##? /.test(l));
    expect(headings).toEqual([
      '# Service continuity plan: two-sites',
      '## Criticality tiers',
      '## Sites and failure domains',
      '## Diagram',
      '## Services',
      '## Service details',
      '## Blast radius',
      '## Recovery order',
      '## Cost per tier',
      '## Runbooks',
      '## Drills',
      '## Findings',
    ]);
    expect(md).toContain(
      '![Diagram of sites, failure domains, nodes, services, replication and traffic](<diagram.svg>)',
    );
  });

  it('shows the recovery path with each duration and its source', () => {
    const rows = tableAfter('Recovery path of dlrn-db, from detection to service restored');
    expect(cells(rows[2] as string)).toEqual([
      '1',
      '`detect`',
      'probe `db`: 3 × 10s + 2s timeout',
      '32s',
      'health probes',
    ]);
    expect(cells(rows[4] as string)).toEqual([
      '3',
      '`switch-traffic`',
      'DNS TTL of trunk.rdoproject.org',
      '5m',
      'DNS TTL',
    ]);
    expect(cells(rows[5] as string)).toEqual([
      'Σ',
      'total',
      'planned RTO against a target of 4h',
      '40m',
      '**OK**',
    ]);
  });

  it('marks the point of no return and lists findings errors first with their location', () => {
    const steps = tableAfter('Steps of runbook db-switchover');
    expect(cells(steps[3] as string)[8]).toBe('**POINT OF NO RETURN**');
    expect(cells(steps[4] as string)[8]).toBe('after: forward only');
    const findings = tableAfter('Findings of the analysis, errors first');
    expect(cells(findings[2] as string).slice(0, 3)).toEqual([
      '**ERROR**',
      '`LB_E_CHECK_RTO_EXCEEDED`',
      '`plan.yaml:104:3`',
    ]);
    expect(cells(findings[3] as string).slice(0, 4)).toEqual([
      '**WARNING**',
      '`LB_E_CHECK_OPEN_QUESTION`',
      '`services.trunk.openQuestions.0`',
      '`trunk`: open question: Is a vhost needed \\| on the builder?',
    ]);
  });

  it('is byte-identical for the same input', () => {
    expect(renderMarkdown(twoSites(), twoSitesAnalysis(twoSites()))).toBe(md);
  });

  it('escapes a code span that contains a backtick', () => {
    const out = documentToMarkdown({
      title: 't',
      intro: [{ kind: 'paragraph', content: [{ code: 'a`b' }] }],
      sections: [],
    });
    expect(out).toBe('# t\n\n``a`b``\n');
  });
});
