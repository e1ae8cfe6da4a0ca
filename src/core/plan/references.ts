// Cross-references between sections: every name a plan uses must be defined, and names in a
// list must be unique. Reported all at once, each at the place that uses the name.
import { type Diagnostic, diagnostic, type PlanPath } from './diagnostic.js';
import type { Plan, SectionName, Service } from './schema/plan.js';

/**
 * `plan` holds the entries that validated; `names` every name defined, valid or not, so that a
 * reference to a broken entry is not reported as unknown on top of the entry's own problem.
 */
export function checkReferences(
  plan: Plan,
  names?: Partial<Record<SectionName, Set<string>>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const tiers = names?.tiers ?? keys(plan.tiers);
  const sites = names?.sites ?? keys(plan.sites);
  const nodes = names?.nodes ?? keys(plan.nodes);
  const services = names?.services ?? keys(plan.services);
  const runbooks = names?.runbooks ?? keys(plan.runbooks);
  // Built once: a plan has thousands of nodes, and one set per use made checking quadratic.
  const nodesOrSites = new Set([...nodes, ...sites]);
  const probePlaces = new Set(['controller', 'witness', ...sites]);
  // The path is built only for a reference that is missing: most are not.
  const ref = (what: string, value: string, known: Set<string>, path: () => PlanPath) => {
    if (!known.has(value)) out.push(unknown(what, value, known, path()));
  };

  for (const [siteName, site] of Object.entries(plan.sites ?? {})) {
    const domains = keys(site.domains);
    for (const [domainName, domain] of Object.entries(site.domains ?? {})) {
      if (domain.parent !== undefined) {
        ref(`failure domain of site \`${siteName}\``, domain.parent, domains, () => [
          'sites',
          siteName,
          'domains',
          domainName,
          'parent',
        ]);
      }
      if (parentChainLoops(site.domains ?? {}, domainName)) {
        out.push(
          diagnostic(
            'LB_E_PLAN_INVALID',
            `the failure domain \`${domainName}\` is its own ancestor`,
            {
              path: ['sites', siteName, 'domains', domainName, 'parent'],
              hint: "A domain's `parent` chain must end at a domain with no parent.",
            },
          ),
        );
      }
    }
  }
  // One set of domain names per site, not one per node.
  const domainsOf = new Map<string, Set<string>>();
  for (const [nodeName, node] of Object.entries(plan.nodes ?? {})) {
    ref('site', node.site, sites, () => ['nodes', nodeName, 'site']);
    if (node.domain !== undefined && sites.has(node.site)) {
      let domains = domainsOf.get(node.site);
      if (!domains) {
        domains = keys(plan.sites?.[node.site]?.domains);
        domainsOf.set(node.site, domains);
      }
      ref(`failure domain of site \`${node.site}\``, node.domain, domains, () => [
        'nodes',
        nodeName,
        'domain',
      ]);
    }
  }
  for (const [name, svc] of Object.entries(plan.services ?? {})) {
    const base: PlanPath = ['services', name];
    ref('tier', svc.tier, tiers, () => [...base, 'tier']);
    svc.placement.active.forEach((n, i) => {
      ref('node', n, nodes, () => [...base, 'placement', 'active', i]);
    });
    svc.placement.standby?.forEach((n, i) => {
      ref('node', n, nodes, () => [...base, 'placement', 'standby', i]);
    });
    svc.dependsOn?.forEach((dep, i) => {
      if (typeof dep === 'string') ref('service', dep, services, () => [...base, 'dependsOn', i]);
      else if (!dep.external)
        ref('service', dep.service, services, () => [...base, 'dependsOn', i, 'service']);
    });
    out.push(...checkServiceInternals(name, svc, { nodes, nodesOrSites, probePlaces, runbooks }));
  }
  for (const [name, rb] of Object.entries(plan.runbooks ?? {})) {
    if (rb.service !== undefined)
      ref('service', rb.service, services, () => ['runbooks', name, 'service']);
    out.push(
      ...duplicates(
        rb.steps.map((s) => s.id),
        ['runbooks', name, 'steps'],
        'id',
        'step id',
      ),
    );
  }
  for (const [name, drill] of Object.entries(plan.drills ?? {})) {
    const base: PlanPath = ['drills', name];
    ref('service', drill.service, services, () => [...base, 'service']);
    ref('node or site', drill.fault.target, nodesOrSites, () => [...base, 'fault', 'target']);
    if (drill.runbook !== undefined)
      ref('runbook', drill.runbook, runbooks, () => [...base, 'runbook']);
    const probes = new Set((plan.services?.[drill.service]?.health ?? []).map((p) => p.name));
    if (plan.services?.[drill.service]) {
      drill.expect.probes?.forEach((p, i) => {
        ref(`probe of service \`${drill.service}\``, p, probes, () => [
          ...base,
          'expect',
          'probes',
          i,
        ]);
      });
    }
  }
  return out;
}

function checkServiceInternals(
  name: string,
  svc: Service,
  known: {
    nodes: Set<string>;
    nodesOrSites: Set<string>;
    probePlaces: Set<string>;
    runbooks: Set<string>;
  },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base: PlanPath = ['services', name];
  const ref = (what: string, value: string, set: Set<string>, path: () => PlanPath) => {
    if (!set.has(value)) out.push(unknown(what, value, set, path()));
  };
  const dataNames = new Set((svc.data ?? []).map((d) => d.name));
  out.push(
    ...duplicates(
      (svc.data ?? []).map((d) => d.name),
      [...base, 'data'],
      'name',
      'data set name',
    ),
  );
  svc.data?.forEach((d, i) => {
    if (d.source !== undefined)
      ref('node', d.source, known.nodes, () => [...base, 'data', i, 'source']);
    d.targets?.forEach((t, j) => {
      ref('node', t, known.nodes, () => [...base, 'data', i, 'targets', j]);
    });
    if (
      d.replication.mode === 'periodic' &&
      d.replication.interval === undefined &&
      d.replication.schedule === undefined
    ) {
      out.push(
        diagnostic(
          'LB_E_PLAN_MISSING_FIELD',
          '`interval` or `schedule` is required for `periodic` replication',
          { path: [...base, 'data', i, 'replication'] },
        ),
      );
    }
  });
  svc.traffic?.forEach((t, i) => {
    if (t.kind === 'haproxy') {
      for (const n of Object.keys(t.servers))
        ref('node', n, known.nodes, () => [...base, 'traffic', i, 'servers', n]);
      if (t.node !== undefined)
        ref('node', t.node, known.nodes, () => [...base, 'traffic', i, 'node']);
    } else if (t.kind === 'vip') {
      for (const n of Object.keys(t.priorities ?? {}))
        ref('node', n, known.nodes, () => [...base, 'traffic', i, 'priorities', n]);
    } else if (t.kind === 'dns') {
      for (const n of Object.keys(t.values ?? {}))
        ref('node or site', n, known.nodesOrSites, () => [...base, 'traffic', i, 'values', n]);
    }
  });
  out.push(
    ...duplicates(
      (svc.health ?? []).map((p) => p.name),
      [...base, 'health'],
      'name',
      'probe name',
    ),
  );
  svc.health?.forEach((p, i) => {
    if (p.from !== undefined)
      ref('probe location', p.from, known.probePlaces, () => [...base, 'health', i, 'from']);
    if (p.kind === 'sql')
      ref(`data set of service \`${name}\``, p.data, dataNames, () => [
        ...base,
        'health',
        i,
        'data',
      ]);
    if ((p.kind === 'sql' || p.kind === 'command') && p.node !== undefined)
      ref('node', p.node, known.nodes, () => [...base, 'health', i, 'node']);
  });
  if (svc.migration) {
    ref('runbook', svc.migration.runbook, known.runbooks, () => [...base, 'migration', 'runbook']);
    if (svc.migration.rollback !== undefined)
      ref('runbook', svc.migration.rollback, known.runbooks, () => [
        ...base,
        'migration',
        'rollback',
      ]);
  }
  const customIds: string[] = [];
  const customPaths: PlanPath[] = [];
  for (const where of ['before', 'after'] as const) {
    for (const [anchor, steps] of Object.entries(svc.steps?.[where] ?? {})) {
      steps?.forEach((s, i) => {
        customIds.push(s.id);
        customPaths.push([...base, 'steps', where, anchor, i, 'id']);
      });
    }
  }
  const seen = new Set<string>();
  customIds.forEach((id, i) => {
    if (seen.has(id)) {
      out.push(
        diagnostic(
          'LB_E_PLAN_DUPLICATE_NAME',
          `the step id \`${id}\` is used twice in the custom steps of \`${name}\``,
          { path: customPaths[i] as PlanPath },
        ),
      );
    }
    seen.add(id);
  });
  return out;
}

function duplicates(
  names: string[],
  listPath: PlanPath,
  field: string,
  what: string,
): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  names.forEach((n, i) => {
    if (seen.has(n))
      out.push(
        diagnostic('LB_E_PLAN_DUPLICATE_NAME', `the ${what} \`${n}\` is used twice`, {
          path: [...listPath, i, field],
        }),
      );
    seen.add(n);
  });
  return out;
}

function parentChainLoops(
  domains: Record<string, { parent?: string | undefined }>,
  start: string,
): boolean {
  let current: string | undefined = domains[start]?.parent;
  for (let hops = 0; current !== undefined && hops <= Object.keys(domains).length; hops++) {
    if (current === start) return true;
    current = domains[current]?.parent;
  }
  return false;
}

function unknown(what: string, value: string, known: Set<string>, path: PlanPath): Diagnostic {
  const list = [...known]
    .slice(0, 10)
    .map((k) => `\`${k}\``)
    .join(', ');
  const more = known.size > 10 ? `, … (${known.size} in all)` : '';
  return diagnostic('LB_E_PLAN_UNKNOWN_REF', `unknown ${what} \`${value}\``, {
    path,
    hint: known.size > 0 ? `Known: ${list}${more}.` : `The plan defines no ${what} yet: add one.`,
  });
}

function keys(record: Record<string, unknown> | undefined): Set<string> {
  return new Set(Object.keys(record ?? {}));
}
