// The text and JSON forms of `lifeboat check`'s result. Both carry the same content; the text is
// for a terminal or a CI log, the JSON for tools (Infinity, "cannot be restored", becomes null).
import type { Analysis, BlastRadius, ServiceAssessment } from '../../core/analysis/index.js';
import {
  type Diagnostic,
  formatDiagnostic,
  humanDuration,
  type LoadedPlan,
  type Plan,
  sortDiagnostics,
} from '../../core/plan/index.js';
import { count, type Palette, palette, renderTable, shortList } from './table.js';

export interface CheckResult {
  loaded: LoadedPlan;
  analysis: Analysis | undefined;
  /** The analysis' findings, located and sorted by severity. */
  findings: Diagnostic[];
  exitCode: 0 | 1 | 2;
}

type Display = (file: string) => string;

export function formatCheckText(result: CheckResult, display: Display, colour: boolean): string {
  const p = palette(colour);
  const { loaded, analysis } = result;
  const where = (d: Diagnostic) => (d.file ? { ...d, file: display(d.file) } : d);
  if (!loaded.plan || !analysis) {
    const lines = loaded.diagnostics.map((d) => formatDiagnostic(where(d)));
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error').length;
    return `${lines.join('\n')}\n${p.red(`the plan is invalid: ${count(errors, 'error')}`)}\n`;
  }
  const plan = loaded.plan;
  // The loader's warnings (a valid plan has no error) are findings like the analysis' own.
  const all = sortDiagnostics([...loaded.diagnostics, ...result.findings]);
  const parts = [
    `${p.bold(`Plan ${plan.name}`)} (${loaded.files.map(display).join(', ')}): ${count(analysis.services.length, 'service')}\n`,
    serviceTable(analysis.services, p),
    `\n${p.bold('Blast radius')} (what falls with each site and failure domain; "down": no standby outside)\n`,
    blastRadiusText(analysis.blastRadius, plan, analysis.tierOrder),
    `\n${p.bold('Recovery order')} (dependencies first; a wave recovers in parallel)\n`,
    recoveryOrderText(analysis),
    `\n${p.bold(`Offsite standby cost (${analysis.currency} per month)`)}\n`,
    costTable(analysis),
    `\n${p.bold('Findings')}\n`,
    all.map((d) => `${findingLine(where(d), p)}\n`).join('') || 'none\n',
    `\n${summaryLine(all, p)}\n`,
  ];
  return parts.join('');
}

function serviceTable(services: ServiceAssessment[], p: Palette): string {
  const verdict = (s: ServiceAssessment) => {
    if (s.verdict === 'ok') return { text: 'ok', paint: p.green };
    const which = [s.rtoVerdict === s.verdict ? 'RTO' : '', s.rpoVerdict === s.verdict ? 'RPO' : '']
      .filter(Boolean)
      .join(', ');
    return {
      text: `${s.verdict} (${which})`,
      paint: s.verdict === 'fails' ? p.red : p.yellow,
    };
  };
  return renderTable(
    [
      { header: 'TIER' },
      { header: 'SERVICE' },
      { header: 'TARGET RTO', align: 'right' },
      { header: 'PLANNED RTO', align: 'right' },
      { header: 'TARGET RPO', align: 'right' },
      { header: 'PLANNED RPO', align: 'right' },
      { header: 'VERDICT' },
    ],
    services.map((s) => [
      s.tier,
      s.service,
      duration(s.targetRtoMs),
      duration(s.plannedRtoMs),
      duration(s.targetRpoMs),
      Number.isNaN(s.plannedRpoMs) ? '?' : duration(s.plannedRpoMs),
      verdict(s),
    ]),
  );
}

/** `0` reads better than `0ms` for a stateless service or a sync replica. */
function duration(ms: number): string {
  return ms === 0 ? '0' : humanDuration(ms);
}

/** Sites in plan order, each followed by its failure domains as an indented tree. */
function blastRadiusText(entries: BlastRadius[], plan: Plan, tierOrder: readonly string[]): string {
  const byKey = new Map(entries.map((e) => [`${e.kind}\0${e.site}\0${e.name}`, e]));
  const lines: string[] = [];
  for (const [siteName, site] of Object.entries(plan.sites ?? {})) {
    const e = byKey.get(`site\0${siteName}\0${siteName}`);
    if (e) lines.push(`site ${siteName} (${site.role}): ${radius(e, tierOrder)}`);
    const domains = site.domains ?? {};
    const children = new Map<string | undefined, string[]>();
    for (const [name, d] of Object.entries(domains)) {
      const parent =
        d.parent !== undefined && Object.hasOwn(domains, d.parent) ? d.parent : undefined;
      const list = children.get(parent);
      if (list) list.push(name);
      else children.set(parent, [name]);
    }
    const seen = new Set<string>();
    const walk = (parent: string | undefined, depth: number) => {
      for (const name of children.get(parent) ?? []) {
        if (seen.has(name)) continue;
        seen.add(name);
        const d = byKey.get(`domain\0${siteName}\0${name}`);
        if (d)
          lines.push(
            `${'  '.repeat(depth)}${domains[name]?.kind} ${name}: ${radius(d, tierOrder)}`,
          );
        walk(name, depth + 1);
      }
    };
    walk(undefined, 1);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : 'no sites\n';
}

function radius(e: BlastRadius, tierOrder: readonly string[]): string {
  if (e.services.length === 0) return 'no service';
  const tiers = tierOrder
    .filter((t) => e.tiers[t] !== undefined)
    .map((t) => `${t} ${e.tiers[t]}`)
    .join(', ');
  const down =
    e.servicesDown.length === 0
      ? 'none down'
      : `${e.servicesDown.length} down: ${shortList(e.servicesDown)}`;
  return `${count(e.services.length, 'service')} (${tiers}); ${down}`;
}

function recoveryOrderText(analysis: Analysis): string {
  const lines = analysis.recoveryOrder.map((wave, i) => `  ${i + 1}. ${shortList(wave, 12)}`);
  const placed = new Set(analysis.recoveryOrder.flat());
  const left = analysis.services.map((s) => s.service).filter((s) => !placed.has(s));
  if (left.length > 0)
    lines.push(`  left out (a dependency cycle blocks them): ${shortList(left.sort(), 12)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '  no services\n';
}

function costTable(analysis: Analysis): string {
  return renderTable(
    [
      { header: 'TIER' },
      { header: 'MONTHLY', align: 'right' },
      { header: 'BUDGET', align: 'right' },
      { header: 'NODES', align: 'right' },
    ],
    analysis.cost.map((c) => [
      c.tier,
      c.monthly.toFixed(2),
      c.budget === undefined ? '-' : c.budget.toFixed(2),
      String(c.nodes.length),
    ]),
  );
}

/** `file:line:col CODE severity message (hint)` */
export function findingLine(d: Diagnostic, p: Palette = palette(false)): string {
  const where = d.file ? `${d.file}:${d.line ?? 1}:${d.col ?? 1} ` : '';
  const paint = d.severity === 'error' ? p.red : d.severity === 'warning' ? p.yellow : p.dim;
  return `${where}${d.code} ${paint(d.severity)} ${d.message} (${d.hint})`;
}

export function summaryLine(findings: readonly Diagnostic[], p: Palette = palette(false)): string {
  let errors = 0;
  let warnings = 0;
  let info = 0;
  for (const d of findings) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else info++;
  }
  const text = `${count(errors, 'error')}, ${count(warnings, 'warning')}, ${info} info`;
  return errors > 0 ? p.red(text) : warnings > 0 ? p.yellow(text) : p.green(text);
}

export const JSON_NOTE =
  'Durations are milliseconds. null in place of a duration means infinite: the service cannot be restored, or its data has no copy (plannedRpoMs), or cannot be told.';

export function formatCheckJson(result: CheckResult, display: Display): string {
  const where = (d: Diagnostic) => (d.file ? { ...d, file: display(d.file) } : d);
  const { loaded, analysis } = result;
  const value = {
    ok: result.exitCode === 0,
    exitCode: result.exitCode,
    plan: { name: loaded.plan?.name ?? null, files: loaded.files.map(display) },
    diagnostics: loaded.diagnostics.map(where),
    analysis: analysis ? { ...analysis, findings: result.findings.map(where) } : null,
    note: JSON_NOTE,
  };
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
