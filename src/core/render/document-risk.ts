// The second part of the document: what fails together, in which order services come back, what
// the standby costs, the explicit runbooks and drills, and every finding of the analysis.
import type { Analysis } from '../analysis/types.js';
import { pathToString } from '../plan/diagnostic.js';
import { formatDuration } from '../plan/duration.js';
import type { Plan, Runbook } from '../plan/schema/plan.js';
import {
  type Block,
  code,
  type Inlines,
  joined,
  mark,
  paragraph,
  richText,
  type Section,
} from './document-model.js';
import { money } from './document-overview.js';

export function blastRadiusSection(analysis: Analysis): Section {
  const rows = analysis.blastRadius.map((b): Inlines[] => [
    [b.name],
    [b.kind],
    [b.site],
    b.services.length === 0 ? ['none'] : joined(b.services.map((s) => s)),
    b.servicesDown.length === 0
      ? ['none']
      : [mark('fails', 'DOWN'), ' ', ...joined(b.servicesDown)],
    [
      Object.entries(b.tiers)
        .map(([t, n]) => `${t}: ${n}`)
        .join(', ') || '—',
    ],
  ]);
  return {
    id: 'blast-radius',
    title: 'Blast radius',
    blocks: [
      paragraph(
        'What stops when one site, failure domain or node fails. Services listed as down have no standby outside it: they stay down until restored or rebuilt.',
      ),
      rows.length === 0
        ? paragraph('Nothing to show: the plan places no service.')
        : {
            kind: 'table',
            caption: 'What falls together',
            head: [
              'Failure of',
              'Kind',
              'Site',
              'Services affected',
              'Down until rebuilt',
              'By tier',
            ],
            rows,
            rowHeader: true,
          },
    ],
  };
}

export function recoveryOrderSection(analysis: Analysis): Section {
  const waves = analysis.recoveryOrder;
  return {
    id: 'recovery-order',
    title: 'Recovery order',
    blocks:
      waves.length === 0
        ? [paragraph('No recovery order: the plan has no services, or they all depend on a cycle.')]
        : [
            paragraph(
              'Services come back in waves: each wave needs only services of earlier waves. Services in a dependency cycle are left out (see the findings).',
            ),
            {
              kind: 'list',
              ordered: true,
              items: waves.map((wave) => joined(wave.map((s) => code(s)))),
            },
          ],
  };
}

export function costSection(analysis: Analysis): Section {
  const rows = analysis.cost.map((c): Inlines[] => {
    const over = c.budget !== undefined && c.monthly > c.budget;
    return [
      [c.tier],
      [money(c.monthly, analysis.currency)],
      [c.budget === undefined ? 'no budget' : money(c.budget, analysis.currency)],
      [
        c.budget === undefined
          ? c.monthly === 0
            ? '—'
            : mark('unknown', 'NO BUDGET')
          : over
            ? mark('over', 'OVER BUDGET')
            : mark('ok', 'WITHIN BUDGET'),
      ],
      c.nodes.length === 0 ? ['none'] : joined(c.nodes.map((n) => n)),
    ];
  });
  return {
    id: 'cost',
    title: 'Cost per tier',
    blocks: [
      paragraph(
        `Monthly cost of standby resources on offsite sites, attributed to the tiers that use them, in ${analysis.currency}.`,
      ),
      rows.length === 0
        ? paragraph('No offsite standby resources.')
        : {
            kind: 'table',
            caption: 'Offsite standby cost per tier against its budget',
            head: ['Tier', 'Monthly cost', 'Budget', 'Verdict', 'Nodes counted'],
            rows,
            rowHeader: true,
          },
    ],
  };
}

function runbookSection(name: string, rb: Runbook): Section {
  const pnr = rb.steps.findIndex((s) => s.pointOfNoReturn);
  const rows = rb.steps.map((s, i): Inlines[] => [
    [String(i + 1)],
    [code(s.id)],
    [code(s.action)],
    [s.target ?? '—'],
    [s.description ?? ''],
    s.approval
      ? [`${s.approval.role}${s.approval.distinctFromRequester ? ' (not the requester)' : ''}`]
      : ['—'],
    [
      [
        s.estimate === undefined ? undefined : `est. ${formatDuration(s.estimate)}`,
        s.timeout === undefined ? undefined : `timeout ${formatDuration(s.timeout)}`,
        s.retries > 0 ? `${s.retries} retries` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(', ') || '—',
    ],
    s.undo ? [code(s.undo.action), s.undo.target === undefined ? '' : ` ${s.undo.target}`] : ['—'],
    [
      i === pnr
        ? mark('pnr', 'POINT OF NO RETURN')
        : pnr >= 0 && i > pnr
          ? 'after: forward only'
          : 'before: can be undone',
    ],
  ]);
  const fields: [string, Inlines][] = [['Kind', [rb.kind]]];
  if (rb.service !== undefined) fields.push(['Service', [rb.service]]);
  if (rb.description !== undefined) fields.push(['Description', [rb.description]]);
  return {
    id: `rb-${name}`,
    title: `Runbook ${name}`,
    blocks: [
      { kind: 'fields', items: fields },
      pnr >= 0
        ? paragraph(
            mark('pnr', 'POINT OF NO RETURN'),
            ` at step ${pnr + 1} (${rb.steps[pnr]?.id}): before it, an abort undoes the steps done; from it on, the run only goes forward.`,
          )
        : paragraph('No point of no return: the run can be aborted and undone at any step.'),
      {
        kind: 'table',
        caption: `Steps of runbook ${name}`,
        head: [
          '#',
          'Step',
          'Action',
          'Target',
          'What it does',
          'Approval by',
          'Time',
          'Undo',
          'Point of no return',
        ],
        rows,
        rowHeader: false,
        wide: true,
        rowClasses: rb.steps.map((_, i) =>
          i === pnr ? 'pnr' : pnr >= 0 && i > pnr ? 'after-pnr' : undefined,
        ),
      },
    ],
  };
}

export function runbooksSection(plan: Plan): Section {
  const runbooks = Object.entries(plan.runbooks ?? {});
  const roles = Object.entries(plan.roles ?? {});
  const blocks: Block[] = [
    paragraph(
      'Explicit runbooks of the plan. The failover of each service is derived from its structure; its steps and durations are the recovery path in the service details.',
    ),
  ];
  if (roles.length > 0) {
    blocks.push({
      kind: 'table',
      caption: 'Roles that approve steps',
      head: ['Role', 'Members', 'Description'],
      rows: roles.map(([name, r]): Inlines[] => [
        [name],
        r.members.length === 0 ? ['nobody'] : joined(r.members.map((m) => m)),
        [r.description ?? ''],
      ]),
      rowHeader: true,
    });
  }
  if (runbooks.length === 0) blocks.push(paragraph('The plan has no explicit runbooks.'));
  return {
    id: 'runbooks',
    title: 'Runbooks',
    blocks,
    subsections: runbooks.map(([name, rb]) => runbookSection(name, rb)),
  };
}

export function drillsSection(plan: Plan): Section {
  const drills = Object.entries(plan.drills ?? {});
  const rows = drills.map(([name, d]): Inlines[] => [
    [name],
    [d.service],
    [
      `${d.fault.kind} ${d.fault.target}${d.fault.duration === undefined ? '' : ` for ${formatDuration(d.fault.duration)}`}`,
    ],
    [d.runbook ?? 'derived failover'],
    [d.expect.rto === undefined ? "tier's RTO" : formatDuration(d.expect.rto)],
    [d.expect.dataLoss === undefined ? "tier's RPO" : formatDuration(d.expect.dataLoss)],
    [d.schedule === undefined ? 'on demand' : code(d.schedule)],
    [d.description ?? ''],
  ]);
  return {
    id: 'drills',
    title: 'Drills',
    blocks:
      rows.length === 0
        ? [paragraph('The plan declares no drills.')]
        : [
            {
              kind: 'table',
              caption: 'Drills: faults injected on purpose, with what must hold',
              head: [
                'Drill',
                'Service',
                'Fault',
                'Runbook',
                'Restored within',
                'Data lost at most',
                'Schedule',
                'Description',
              ],
              rows,
              rowHeader: true,
              wide: true,
            },
          ],
  };
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

export function findingsSection(analysis: Analysis): Section {
  // A stable sort: within a severity, the analysis's own order (by service) is kept.
  const sorted = [...analysis.findings].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
  const rows = sorted.map((f): Inlines[] => [
    [mark(f.severity, f.severity.toUpperCase())],
    [code(f.code)],
    [
      f.file === undefined
        ? code(pathToString(f.path) || '(plan)')
        : code(`${f.file}:${f.line ?? 1}:${f.col ?? 1}`),
    ],
    richText(f.message),
    richText(f.hint),
  ]);
  return {
    id: 'findings',
    title: 'Findings',
    blocks:
      rows.length === 0
        ? [paragraph('No findings: the plan meets every check.')]
        : [
            {
              kind: 'table',
              caption: 'Findings of the analysis, errors first',
              head: ['Severity', 'Code', 'Location', 'Finding', 'How to fix it'],
              rows,
              rowHeader: false,
              wide: true,
            },
          ],
  };
}
