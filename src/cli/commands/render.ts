// `lifeboat render <plan.yaml> --out DIR [--json]`: write the continuity-plan document (Markdown
// and HTML) and the diagram (SVG and DOT) into DIR.
// Exit 0: written, even when the plan has error findings (the document shows them); 1: a file
// could not be written; 2: the plan is invalid or unreadable (nothing is written).
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Analysis, analyzePlan } from '../../core/analysis/index.js';
import { LifeboatError } from '../../core/errors/index.js';
import {
  type Diagnostic,
  formatDiagnostic,
  type LoadedPlan,
  sortDiagnostics,
} from '../../core/plan/index.js';
import {
  renderDiagramDot,
  renderDiagramSvg,
  renderHtml,
  renderMarkdown,
} from '../../core/render/index.js';
import { displayPath, loadPlanFile } from '../plan-files.js';
import { type CommandModule, ExitCode, type Io } from '../program.js';

export interface RenderOptions {
  out: string;
  json?: boolean;
}

export interface RenderedFile {
  name: string;
  text: string;
}

/**
 * The analysis with every finding located (`file:line:col`, the file relative to the plan's
 * folder so that the document does not depend on where render was run), the loader's warnings
 * included, errors first.
 */
export function locatedAnalysis(loaded: LoadedPlan, analysis: Analysis, entry: string): Analysis {
  const base = dirname(entry);
  const rel = (d: Diagnostic): Diagnostic =>
    d.file === undefined ? d : { ...d, file: relative(base, d.file) || d.file };
  const located = analysis.findings.map((d) =>
    d.file === undefined ? { ...d, ...loaded.locate(d.path ?? []) } : d,
  );
  return { ...analysis, findings: sortDiagnostics([...loaded.diagnostics, ...located]).map(rel) };
}

/** All four outputs, rendered before anything is written. */
export function renderFiles(loaded: LoadedPlan, entry: string): RenderedFile[] {
  const plan = loaded.plan;
  if (!plan) throw new Error('renderFiles needs a valid plan');
  const analysis = locatedAnalysis(loaded, analyzePlan(plan), entry);
  const svg = renderDiagramSvg(plan);
  return [
    { name: 'plan.md', text: renderMarkdown(plan, analysis) },
    { name: 'plan.html', text: renderHtml(plan, analysis, { svg }) },
    { name: 'diagram.svg', text: svg },
    { name: 'diagram.dot', text: renderDiagramDot(plan) },
  ];
}

/**
 * Writes each file next to its destination and renames it into place, so that a reader never
 * sees half a document and a failed run leaves the previous files intact.
 */
export function writeAtomically(dir: string, files: RenderedFile[]): string[] {
  const failure = (what: string, e: unknown) =>
    new LifeboatError(
      'LB_E_CLI_FILE_WRITE',
      `${what}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw failure(`cannot create the directory ${displayPath(dir)}`, e);
  }
  const written: string[] = [];
  for (const f of files) {
    const target = join(dir, f.name);
    const temp = join(dir, `.${f.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(temp, f.text, { encoding: 'utf8', flag: 'wx' });
      renameSync(temp, target);
    } catch (e) {
      rmSync(temp, { force: true });
      throw failure(`cannot write ${displayPath(target)}`, e);
    }
    written.push(target);
  }
  return written;
}

export function renderCommand(io?: Io): CommandModule {
  return (program: Command) => {
    program
      .command('render')
      .description(
        'Write the continuity-plan document (plan.md, plan.html) and the diagram (diagram.svg, diagram.dot) into a folder.',
      )
      .argument('<plan>', 'the plan file (YAML)')
      .requiredOption('--out <dir>', 'the folder to write into (created when missing)')
      .option('--json', 'print `{ "files": [...] }` instead of one path per line')
      .action((file: string, opts: RenderOptions, cmd: Command) => {
        const out = io?.out ?? (cmd.configureOutput().writeOut as (text: string) => void);
        const err = io?.err ?? (cmd.configureOutput().writeErr as (text: string) => void);
        const entry = resolve(file);
        const loaded = loadPlanFile(entry);
        if (!loaded.plan) {
          const diags = loaded.diagnostics.map((d) =>
            d.file === undefined ? d : { ...d, file: displayPath(d.file) },
          );
          if (opts.json) out(`${JSON.stringify({ files: [], diagnostics: diags }, null, 2)}\n`);
          err(`${diags.map(formatDiagnostic).join('\n')}\nthe plan is invalid: nothing written\n`);
          throw new ExitCode(2);
        }
        let written: string[];
        try {
          written = writeAtomically(resolve(opts.out), renderFiles(loaded, entry));
        } catch (e) {
          if (!(e instanceof LifeboatError)) throw e;
          if (opts.json) out(`${JSON.stringify({ files: [], error: e.toJSON() }, null, 2)}\n`);
          err(`${e.format()}\n`);
          throw new ExitCode(1);
        }
        const shown = written.map(displayPath);
        out(opts.json ? `${JSON.stringify({ files: shown }, null, 2)}\n` : `${shown.join('\n')}\n`);
      });
  };
}
