// Loading a plan: read the entry file and its includes (through an injected PlanSource, since
// core does no I/O), parse each safely, merge their sections, validate the merged object once,
// and report every problem at once with file:line:col. The object validated is the one used.

import type { z } from 'zod';
import { type Diagnostic, diagnostic, type PlanPath, sortDiagnostics } from './diagnostic.js';
import { checkReferences } from './references.js';
import { compiledEntrySchema } from './schema/compiled.js';
import {
  ENTRY_SCHEMAS,
  envelopeSchema,
  type Plan,
  SECTION_NAMES,
  type SectionName,
} from './schema/plan.js';
import { scanForSecrets } from './secrets-scan.js';
import { LIMITS, type ParsedFile, parsePlanFile } from './yaml-source.js';
import { mapIssue } from './zod-issues.js';

/** What the loader needs from the outside world; the CLI implements it on node:fs. */
export interface PlanSource {
  /** The file's text; throws when it cannot be read. */
  read(file: string): string;
  /** Files matching a glob pattern relative to `fromFile`'s folder, sorted. */
  expand(pattern: string, fromFile: string): string[];
}

export interface LoadedPlan {
  /** Present only when there is no error diagnostic. */
  plan: Plan | undefined;
  diagnostics: Diagnostic[];
  files: string[];
  /** Finds `file:line:col` for a path in the merged plan (for findings of later analyses). */
  locate: (path: PlanPath, key?: string) => { file: string; line: number; col: number };
}

export function loadPlan(entry: string, source: PlanSource): LoadedPlan {
  const parsed: ParsedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const owners = new Owners();
  // With `key`, the diagnostic's path ends at that key: look it up in its parent mapping.
  const located = (d: Diagnostic, file: ParsedFile, key?: string): Diagnostic => {
    const path = d.path ?? [];
    const pos = key === undefined ? file.locate(path) : file.locate(path.slice(0, -1), key);
    return { ...d, file: file.file, line: pos.line, col: pos.col };
  };

  const root = readAndParse(entry, source, diagnostics);
  const result: LoadedPlan = {
    plan: undefined,
    diagnostics,
    files: [entry],
    locate: (path, key) => {
      const file = ownerOf(path, owners) ?? root;
      const pos = file ? file.locate(path, key) : { line: 1, col: 1 };
      return { file: file?.file ?? entry, line: pos.line, col: pos.col };
    },
  };
  if (!root || root.value === undefined) return finish(result);
  parsed.push(root);
  const merged = { ...(root.value as Record<string, unknown>) };
  for (const section of SECTION_NAMES) {
    for (const name of Object.keys((merged[section] as object | undefined) ?? {}))
      owners.set(section, name, root);
  }

  // Each file's entries are validated as soon as they are merged, while the values parsed from
  // it are young: the merged plan keeps the validated entry, and the parsed one is let go at
  // once instead of living (and being copied by every scavenge) until the last file is read.
  // Their issues are reported below, after the envelope's, in the order they always were.
  const checked = {} as Record<SectionName, Map<string, Checked>>;
  for (const section of SECTION_NAMES) checked[section] = new Map();
  const validate = (section: SectionName, entries: Record<string, unknown>, name: string) => {
    const c = checkEntry(section, entries[name]);
    checked[section].set(name, c);
    if (c.issues === undefined) entries[name] = c.data;
  };
  for (const section of SECTION_NAMES) {
    const entries = merged[section];
    if (isRecord(entries))
      for (const name of Object.keys(entries)) validate(section, entries, name);
  }
  root.value = undefined;

  // Includes: each file contributes whole named entries to the sections; a name defined twice is an error.
  const includes = Array.isArray(merged.include) ? merged.include : [];
  const seen = new Set([entry]);
  let totalChars = 0;
  includes.forEach((pattern: unknown, i: number) => {
    if (typeof pattern !== 'string') return; // the schema reports it
    let files: string[] = [];
    try {
      files = source.expand(pattern, entry);
    } catch (e) {
      diagnostics.push(
        located(
          diagnostic('LB_E_PLAN_INCLUDE', `\`${pattern}\` could not be expanded: ${message(e)}`, {
            path: ['include', i],
          }),
          root,
        ),
      );
      return;
    }
    if (files.length === 0) {
      diagnostics.push(
        located(
          diagnostic('LB_E_PLAN_INCLUDE', `\`${pattern}\` matches no file`, {
            path: ['include', i],
          }),
          root,
        ),
      );
    }
    for (const file of files) {
      if (seen.has(file)) {
        if (file === entry)
          diagnostics.push(
            located(
              diagnostic('LB_E_PLAN_INCLUDE', `\`${pattern}\` includes the plan itself`, {
                path: ['include', i],
              }),
              root,
            ),
          );
        continue;
      }
      seen.add(file);
      if (seen.size > LIMITS.files) {
        diagnostics.push(
          located(
            diagnostic('LB_E_PLAN_INCLUDE', `more than ${LIMITS.files} files included`, {
              path: ['include', i],
            }),
            root,
          ),
        );
        return;
      }
      const frag = readAndParse(file, source, diagnostics);
      result.files.push(file);
      if (!frag || frag.value === undefined) continue;
      totalChars += frag.chars;
      if (totalChars > LIMITS.totalChars) {
        diagnostics.push({
          ...diagnostic(
            'LB_E_PLAN_TOO_LARGE',
            `the included files exceed ${LIMITS.totalChars} characters in all`,
          ),
          file,
          line: 1,
          col: 1,
        });
        return;
      }
      parsed.push(frag);
      mergeFragment(frag, merged, owners, diagnostics, located, validate);
      frag.value = undefined;
    }
  });
  if (diagnostics.length > 0) return finish(result);

  const report = (issues: readonly z.core.$ZodIssue[], prefix: PlanPath) => {
    for (const issue of issues) {
      const prefixed = { ...issue, path: [...prefix, ...issue.path] } as z.core.$ZodIssue;
      for (const m of mapIssue(prefixed)) {
        const full = m.diagnostic.path ?? [];
        const file = ownerOf(full, owners) ?? root;
        const parent = m.key === undefined ? full : full.slice(0, -1);
        const pos = file.locate(parent, m.key);
        diagnostics.push({ ...m.diagnostic, file: file.file, line: pos.line, col: pos.col });
      }
    }
  };
  // Without `reportInput`, zod 4 leaves `input` out of issues, and a value of the wrong type
  // would be reported as a missing field.
  const envelope = envelopeSchema.safeParse(merged, { reportInput: true });
  if (!envelope.success) report(envelope.error.issues, []);
  // Each entry on its own: one broken service must not hide the problems of the others.
  const plan: Record<string, unknown> = { ...(envelope.success ? envelope.data : {}) };
  const names = {} as Record<SectionName, Set<string>>;
  for (const section of SECTION_NAMES) {
    const entries = merged[section];
    names[section] = new Set(isRecord(entries) ? Object.keys(entries) : []);
    if (!isRecord(entries)) continue;
    const valid: Record<string, unknown> = {};
    for (const name of Object.keys(entries)) {
      const c = checked[section].get(name) ?? checkEntry(section, entries[name]);
      if (c.issues === undefined) valid[name] = c.data;
      else report(c.issues, [section, name]);
    }
    plan[section] = valid;
  }
  if (envelope.success) {
    for (const d of [...checkReferences(plan as Plan, names), ...scanForSecrets(plan)]) {
      const pos = result.locate(d.path ?? []);
      diagnostics.push({ ...d, ...pos });
    }
  }
  if (!diagnostics.some((d) => d.severity === 'error')) result.plan = plan as Plan;
  return finish(result);
}

/** An entry validated: its data, or the issues the plan's schema gives it. */
type Checked =
  | { data: unknown; issues?: undefined }
  | { data?: undefined; issues: readonly z.core.$ZodIssue[] };

/**
 * The compiled schema checks a valid entry; a rejected one is reported by the plan's own
 * schema, with the issues it has always given.
 */
function checkEntry(section: SectionName, value: unknown): Checked {
  const compiled = compiledEntrySchema(section).safeParse(value);
  if (compiled.success) return { data: compiled.data };
  const entry = ENTRY_SCHEMAS[section].safeParse(value, { reportInput: true });
  return entry.success ? { data: entry.data } : { issues: entry.error.issues };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readAndParse(
  file: string,
  source: PlanSource,
  diagnostics: Diagnostic[],
): ParsedFile | undefined {
  let text: string;
  try {
    text = source.read(file);
  } catch (e) {
    diagnostics.push({
      ...diagnostic('LB_E_CLI_FILE_READ', `cannot read ${file}: ${message(e)}`),
      file,
      line: 1,
      col: 1,
    });
    return undefined;
  }
  const parsed = parsePlanFile(file, text);
  diagnostics.push(...parsed.diagnostics);
  return parsed;
}

function mergeFragment(
  frag: ParsedFile,
  merged: Record<string, unknown>,
  owners: Owners,
  diagnostics: Diagnostic[],
  located: (d: Diagnostic, f: ParsedFile, key?: string) => Diagnostic,
  validate: (section: SectionName, entries: Record<string, unknown>, name: string) => void,
): void {
  for (const [section, entries] of Object.entries(frag.value as Record<string, unknown>)) {
    if (!(SECTION_NAMES as string[]).includes(section)) {
      diagnostics.push(
        located(
          diagnostic('LB_E_PLAN_UNKNOWN_KEY', `unknown key \`${section}\` in an included file`, {
            path: [section],
            hint: `An included file may hold only: ${SECTION_NAMES.join(', ')}.`,
          }),
          frag,
          section,
        ),
      );
      continue;
    }
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      diagnostics.push(
        located(
          diagnostic('LB_E_PLAN_WRONG_TYPE', `\`${section}\` must be a mapping of names`, {
            path: [section],
          }),
          frag,
        ),
      );
      continue;
    }
    if (!isRecord(merged[section])) merged[section] = {};
    const target = merged[section] as Record<string, unknown>;
    for (const [name, value] of Object.entries(entries)) {
      const first = owners.get(section, name);
      if (first) {
        const firstPos = first.locate([section, name]);
        diagnostics.push(
          located(
            diagnostic(
              'LB_E_PLAN_DUPLICATE_NAME',
              `\`${section}.${name}\` is already defined in ${first.file}:${firstPos.line}`,
              {
                path: [section, name],
              },
            ),
            frag,
          ),
        );
        continue;
      }
      owners.set(section, name, frag);
      target[name] = value;
      validate(section as SectionName, target, name);
    }
  }
}

/** Which file defines each entry, by section and name. */
class Owners {
  private readonly bySection = new Map<string, Map<string, ParsedFile>>();

  get(section: string, name: string): ParsedFile | undefined {
    return this.bySection.get(section)?.get(name);
  }

  set(section: string, name: string, file: ParsedFile): void {
    let names = this.bySection.get(section);
    if (!names) {
      names = new Map();
      this.bySection.set(section, names);
    }
    names.set(name, file);
  }
}

function ownerOf(path: PlanPath, owners: Owners): ParsedFile | undefined {
  if (path.length < 2) return undefined;
  return owners.get(String(path[0]), String(path[1]));
}

function finish(result: LoadedPlan): LoadedPlan {
  sortDiagnostics(result.diagnostics);
  return result;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
