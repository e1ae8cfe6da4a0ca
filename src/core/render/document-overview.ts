// The first part of the document: the tiers, the sites with their failure domains and nodes, the
// diagram, and the service table whose columns come from the RDO plan (seed 000).
import type { Analysis, ServiceAssessment, Verdict } from '../analysis/types.js';
import { formatDuration } from '../plan/duration.js';
import type { Plan, Tier } from '../plan/schema/plan.js';
import {
  type Block,
  BR,
  code,
  type Inline,
  type Inlines,
  joined,
  linkOrText,
  mark,
  paragraph,
  type Section,
} from './document-model.js';
import { contingencyText, redeploymentText } from './service-text.js';

const VERDICT_TEXT: Record<Verdict, string> = { ok: 'OK', fails: 'FAILS', unknown: 'UNKNOWN' };

export function verdictMark(v: Verdict): Inline {
  return mark(v, VERDICT_TEXT[v]);
}

export function money(amount: number, currency: string): string {
  return `${amount.toFixed(2)} ${currency}`;
}

/** Planned durations: `∞` alone would not tell the reader what it means. */
export function planned(ms: number, infinite: string): string {
  return Number.isFinite(ms) ? formatDuration(ms) : `∞ (${infinite})`;
}

export function summaryBlocks(plan: Plan, analysis: Analysis): Block[] {
  const count = (v: Verdict) => analysis.services.filter((s) => s.verdict === v).length;
  const sev = (s: string) => analysis.findings.filter((f) => f.severity === s).length;
  return [
    paragraph(
      `${Object.keys(plan.services ?? {}).length} services on ${Object.keys(plan.nodes ?? {}).length} nodes at ${Object.keys(plan.sites ?? {}).length} sites. Recovery objectives: `,
      verdictMark('ok'),
      ` ${count('ok')}, `,
      verdictMark('fails'),
      ` ${count('fails')}, `,
      verdictMark('unknown'),
      ` ${count('unknown')}. Findings: ${sev('error')} errors, ${sev('warning')} warnings, ${sev('info')} notes.`,
    ),
  ];
}

/** Tiers from the most critical; tiers the analysis does not know keep their plan order. */
export function orderedTiers(plan: Plan, analysis: Analysis): [string, Tier][] {
  const rank = new Map(analysis.tierOrder.map((t, i) => [t, i]));
  const last = analysis.tierOrder.length;
  return Object.entries(plan.tiers ?? {}).sort(
    ([a], [b]) => (rank.get(a) ?? last) - (rank.get(b) ?? last),
  );
}

export function tiersSection(plan: Plan, analysis: Analysis): Section {
  const rows = orderedTiers(plan, analysis).map(([name, t]): Inlines[] => [
    [name],
    [formatDuration(t.rto)],
    [formatDuration(t.rpo)],
    [t.drillEvery === undefined ? '—' : formatDuration(t.drillEvery)],
    [t.offsite],
    [t.offsiteBudget === undefined ? '—' : money(t.offsiteBudget, plan.currency)],
    [t.description ?? ''],
  ]);
  return {
    id: 'tiers',
    title: 'Criticality tiers',
    blocks: [
      {
        kind: 'table',
        caption: 'Criticality tiers: recovery objectives, counted from the detection of an outage',
        head: [
          'Tier',
          'RTO',
          'RPO',
          'Drill every',
          'Offsite use',
          'Offsite budget / month',
          'Description',
        ],
        rows,
        rowHeader: true,
      },
    ],
  };
}

/** `rdu2 (region) › rack-a (rack)`: a node's failure domains, outermost first. */
export function domainChain(plan: Plan, node: string): string {
  const n = plan.nodes?.[node];
  if (!n || n.domain === undefined) return '—';
  const domains = plan.sites?.[n.site]?.domains ?? {};
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let d: string | undefined = n.domain; d !== undefined && !seen.has(d); ) {
    seen.add(d);
    chain.unshift(`${d} (${domains[d]?.kind ?? '?'})`);
    d = domains[d]?.parent;
  }
  return chain.join(' › ');
}

export function servicesOnNode(plan: Plan, node: string): { active: string[]; standby: string[] } {
  const active: string[] = [];
  const standby: string[] = [];
  for (const [name, svc] of Object.entries(plan.services ?? {})) {
    if (svc.placement.active.includes(node)) active.push(name);
    if (svc.placement.standby?.includes(node)) standby.push(name);
  }
  return { active, standby };
}

export function sitesSection(plan: Plan): Section {
  const sites = Object.entries(plan.sites ?? {}).map(([name, s]): Inlines[] => [
    [name],
    [s.role],
    [s.provider],
    [s.costPerNodeMonth === undefined ? '—' : money(s.costPerNodeMonth, plan.currency)],
    joined(
      Object.entries(s.domains ?? {}).map(
        ([d, dom]) => `${d} (${dom.kind}${dom.parent === undefined ? '' : ` in ${dom.parent}`})`,
      ),
    ),
    [s.description ?? ''],
  ]);
  const nodes = Object.entries(plan.nodes ?? {}).map(([name, n]): Inlines[] => {
    const on = servicesOnNode(plan, name);
    return [
      [name],
      [n.site],
      [domainChain(plan, name)],
      n.address === undefined ? ['—'] : [code(n.address)],
      joined([...on.active, ...on.standby.map((s) => `${s} (standby)`)]),
    ];
  });
  return {
    id: 'sites',
    title: 'Sites and failure domains',
    blocks: [
      {
        kind: 'table',
        caption: 'Sites: each can fail as a whole',
        head: [
          'Site',
          'Role',
          'Provider',
          'Cost per node / month',
          'Failure domains',
          'Description',
        ],
        rows: sites,
        rowHeader: true,
      },
      {
        kind: 'table',
        caption: 'Nodes, the failure domains that hold them, and the services on them',
        head: ['Node', 'Site', 'Failure domains', 'Address', 'Services'],
        rows: nodes,
        rowHeader: true,
      },
    ],
  };
}

export function diagramSection(): Section {
  return {
    id: 'diagram',
    title: 'Diagram',
    blocks: [
      paragraph(
        'One column per site, failure domains as nested boxes, services on their nodes; replication and traffic switching as arrows (legend below the drawing).',
      ),
      { kind: 'diagram' },
    ],
  };
}

/** The seed table: service, criticality, contingency plan, redeployment plan, details; plus RTO/RPO. */
export function serviceTableSection(plan: Plan, analysis: Analysis): Section {
  const byName = new Map<string, ServiceAssessment>(analysis.services.map((a) => [a.service, a]));
  const rows = Object.entries(plan.services ?? {}).map(([name, svc]): Inlines[] => {
    const a = byName.get(name);
    const tier = plan.tiers?.[svc.tier];
    const contingency: Inlines = [contingencyText(plan, svc)];
    if (svc.notes !== undefined && svc.notes.trim() !== '') contingency.push(BR, svc.notes.trim());
    return [
      [name],
      [svc.tier],
      contingency,
      [redeploymentText(svc)],
      svc.details === undefined ? [''] : [linkOrText(svc.details)],
      [tier ? formatDuration(tier.rto) : '—'],
      [a ? planned(a.plannedRtoMs, 'cannot be restored') : '—'],
      [tier ? formatDuration(tier.rpo) : '—'],
      [a ? planned(a.plannedRpoMs, 'no copy of the data') : '—'],
      [a ? verdictMark(a.verdict) : verdictMark('unknown')],
    ];
  });
  return {
    id: 'services',
    title: 'Services',
    blocks: [
      paragraph(
        'The plan of each service. Targets come from its tier; planned times from the structure of the plan (see each service below for the path).',
      ),
      {
        kind: 'table',
        caption: 'Service continuity plan',
        head: [
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
        ],
        rows,
        rowHeader: true,
        wide: true,
      },
    ],
  };
}
