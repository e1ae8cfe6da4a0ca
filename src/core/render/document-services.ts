// One section per service: where it runs, how its data and traffic move, how an outage is seen,
// what it needs, and the recovery path step by step with where each duration comes from.
import type { Analysis, EstimateSource, ServiceAssessment } from '../analysis/types.js';
import { formatDuration } from '../plan/duration.js';
import type { Plan, Service } from '../plan/schema/plan.js';
import {
  type Block,
  code,
  type Inlines,
  linkOrText,
  paragraph,
  richText,
  type Section,
} from './document-model.js';
import { domainChain, planned, verdictMark } from './document-overview.js';
import {
  dataCopyText,
  dependencyText,
  nodeWithSite,
  probeText,
  replicationText,
  trafficText,
} from './service-text.js';

const SOURCE_TEXT: Record<EstimateSource, string> = {
  plan: 'plan',
  default: 'Lifeboat default',
  ttl: 'DNS TTL',
  probe: 'health probes',
  measured: 'measured in a drill',
  unknown: 'unknown: a guess',
};

function placementText(plan: Plan, nodes: readonly string[] | undefined): Inlines {
  if (!nodes || nodes.length === 0) return ['none'];
  return [nodes.map((n) => `${nodeWithSite(plan, n)} [${domainChain(plan, n)}]`).join('; ')];
}

function headerFields(plan: Plan, svc: Service): Block {
  const tier = plan.tiers?.[svc.tier];
  const items: [string, Inlines][] = [
    [
      'Tier',
      [
        tier
          ? `${svc.tier} (RTO ${formatDuration(tier.rto)}, RPO ${formatDuration(tier.rpo)})`
          : svc.tier,
      ],
    ],
    ['Strategy', [svc.strategy]],
  ];
  if (svc.description !== undefined) items.push(['Description', [svc.description]]);
  if (svc.owner !== undefined) items.push(['Owner', [svc.owner]]);
  if (svc.details !== undefined) items.push(['Details', [linkOrText(svc.details)]]);
  items.push(['Active on', placementText(plan, svc.placement.active)]);
  items.push(['Standby on', placementText(plan, svc.placement.standby)]);
  items.push(['On a confirmed outage', [svc.onOutage]]);
  if (svc.justification !== undefined) items.push(['Offsite justification', [svc.justification]]);
  if (svc.notes !== undefined) items.push(['Notes', [svc.notes]]);
  return { kind: 'fields', items };
}

function dataBlocks(plan: Plan, name: string, svc: Service, a?: ServiceAssessment): Block[] {
  const data = svc.data ?? [];
  const blocks: Block[] = [];
  if (data.length === 0) {
    blocks.push(paragraph('Data and replication: the service keeps no data of its own.'));
  } else {
    blocks.push({
      kind: 'table',
      caption: `Data and replication of ${name}`,
      head: ['Data set', 'Kind', 'Source', 'Copies', 'Replication', 'Size', 'Restore time'],
      rows: data.map((d): Inlines[] => [
        [d.name],
        [d.kind],
        [d.source === undefined ? '—' : nodeWithSite(plan, d.source)],
        [dataCopyText(plan, d)],
        [replicationText(d)],
        [d.size ?? '—'],
        [d.restoreDuration === undefined ? '—' : formatDuration(d.restoreDuration)],
      ]),
      rowHeader: true,
    });
  }
  if (a) {
    blocks.push(
      paragraph(
        `Planned RPO ${planned(a.plannedRpoMs, 'no copy of the data')} against a target of ${formatDuration(a.targetRpoMs)}: `,
        ...richText(a.rpoBasis),
        ' — ',
        verdictMark(a.rpoVerdict),
      ),
    );
  }
  return blocks;
}

function trafficAndProbes(plan: Plan, name: string, svc: Service): Block[] {
  const blocks: Block[] = [];
  const traffic = svc.traffic ?? [];
  blocks.push(
    traffic.length === 0
      ? paragraph('Traffic switching: none declared.')
      : paragraph('Traffic switching:'),
  );
  if (traffic.length > 0)
    blocks.push({
      kind: 'list',
      ordered: false,
      items: traffic.map((t) => [trafficText(plan, t)]),
    });
  const probes = svc.health ?? [];
  if (probes.length === 0) {
    blocks.push(
      paragraph(
        `Health probes: none; an outage is noticed when a person does (detection ${formatDuration(plan.detection.manual)}).`,
      ),
    );
  } else {
    blocks.push({
      kind: 'table',
      caption: `Health probes of ${name}`,
      head: ['Probe', 'Kind', 'What it checks', 'Runs from'],
      rows: probes.map((p): Inlines[] => [
        [p.name],
        [p.kind],
        [probeText(p)],
        [p.from ?? 'controller'],
      ]),
      rowHeader: true,
    });
  }
  const deps = svc.dependsOn ?? [];
  blocks.push(deps.length === 0 ? paragraph('Dependencies: none.') : paragraph('Dependencies:'));
  if (deps.length > 0)
    blocks.push({ kind: 'list', ordered: false, items: deps.map((d) => [dependencyText(d)]) });
  return blocks;
}

function rtoPathBlocks(name: string, a: ServiceAssessment | undefined): Block[] {
  if (!a) return [paragraph('Recovery path: not analysed.')];
  const scenario = paragraph('Recovery path for the failure: ', ...richText(a.scenario), '.');
  const rows = a.rtoPath.map((s, i): Inlines[] => [
    [String(i + 1)],
    [code(s.step)],
    richText(s.description),
    [formatDuration(s.ms)],
    [SOURCE_TEXT[s.source]],
  ]);
  rows.push([
    ['Σ'],
    ['total'],
    [`planned RTO against a target of ${formatDuration(a.targetRtoMs)}`],
    [planned(a.plannedRtoMs, 'cannot be restored')],
    [verdictMark(a.rtoVerdict)],
  ]);
  return [
    scenario,
    {
      kind: 'table',
      caption: `Recovery path of ${name}, from detection to service restored`,
      head: ['#', 'Step', 'What happens', 'Duration', 'Source of the duration'],
      rows,
      rowHeader: false,
    },
  ];
}

export function serviceSections(plan: Plan, analysis: Analysis): Section {
  const byName = new Map(analysis.services.map((a) => [a.service, a]));
  const subsections = Object.entries(plan.services ?? {}).map(([name, svc]): Section => {
    const a = byName.get(name);
    const blocks: Block[] = [
      headerFields(plan, svc),
      ...dataBlocks(plan, name, svc, a),
      ...trafficAndProbes(plan, name, svc),
      ...rtoPathBlocks(name, a),
    ];
    const questions = svc.openQuestions ?? [];
    blocks.push(
      questions.length === 0 ? paragraph('Open questions: none.') : paragraph('Open questions:'),
    );
    if (questions.length > 0)
      blocks.push({ kind: 'list', ordered: false, items: questions.map((q) => [q]) });
    return { id: `svc-${name}`, title: name, blocks };
  });
  return {
    id: 'service-details',
    title: 'Service details',
    blocks: subsections.length === 0 ? [paragraph('The plan has no services.')] : [],
    subsections,
  };
}
