// Parses one plan file with the YAML 1.2 core schema only, refusing what makes YAML dangerous
// or ambiguous (custom tags, alias bombs, merge keys, prototype keys, duplicate keys, depth).
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  YAMLMap,
} from 'yaml';
import type { ErrorCode } from '../errors/index.js';
import { type Diagnostic, diagnostic, type PlanPath } from './diagnostic.js';
import { parseBlockSubset } from './yaml-block-subset.js';
import { LineIndex, locateInSubset } from './yaml-positions.js';

export const LIMITS = {
  fileChars: 8 * 1024 * 1024,
  totalChars: 32 * 1024 * 1024,
  depth: 64,
  aliases: 50,
  files: 200,
} as const;

export interface ParsedFile {
  file: string;
  /** The plain JavaScript value, present only when the file parsed without error. */
  value: unknown;
  diagnostics: Diagnostic[];
  /** The characters read (counted against the limit on all files together). */
  chars: number;
  /** The line and column of a path; with `key`, of that key in the path's mapping. */
  locate(path: PlanPath, key?: string): { line: number; col: number };
}

/**
 * Parses one plan file: with the fast block-subset parser when the file is written in that
 * subset, as nearly every plan is; otherwise (and always with `subset: false`) with `yaml`,
 * which reports every problem. Both give the same value and the same positions.
 */
export function parsePlanFile(
  file: string,
  text: string,
  opts: { subset?: boolean } = {},
): ParsedFile {
  const subset =
    opts.subset !== false && text.length <= LIMITS.fileChars ? parseBlockSubset(text) : undefined;
  if (!subset) return parseWithYaml(file, text);
  const lines = new LineIndex(text);
  // Only the positions: the value is the caller's, and may be let go once it is used.
  const at = { positions: subset.positions, rootOffset: subset.rootOffset };
  return {
    file,
    value: subset.value,
    diagnostics: [],
    chars: text.length,
    locate: (path, key) => lines.linePos(locateInSubset(at, path, key)),
  };
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parseWithYaml(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  let doc: Document.Parsed | undefined;
  const result: ParsedFile = {
    file,
    value: undefined,
    diagnostics: [],
    chars: text.length,
    locate: (path, key) => (doc ? locateInDoc(doc, lines, path, key) : { line: 1, col: 1 }),
  };
  const at = (code: ErrorCode, message: string, offset: number) => {
    const pos = lines.linePos(offset);
    result.diagnostics.push({ ...diagnostic(code, message), file, line: pos.line, col: pos.col });
  };
  if (text.length > LIMITS.fileChars) {
    result.diagnostics.push({
      ...diagnostic(
        'LB_E_PLAN_TOO_LARGE',
        `the file has ${text.length} characters; at most ${LIMITS.fileChars} are read`,
      ),
      file,
      line: 1,
      col: 1,
    });
    return result;
  }
  let parsedDoc: Document.Parsed;
  try {
    parsedDoc = parseDocument(text, {
      version: '1.2',
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
      lineCounter: lines,
      customTags: [],
    });
  } catch (e) {
    if (e instanceof RangeError)
      at('LB_E_PLAN_TOO_DEEP', 'the YAML is nested too deeply to parse', 0);
    else at('LB_E_PLAN_YAML_SYNTAX', e instanceof Error ? e.message : String(e), 0);
    return result;
  }
  doc = parsedDoc;
  // yaml composes nested collections recursively and reports a stack overflow as
  // RESOURCE_EXHAUSTION (once per level it unwinds through): that is nesting, not syntax.
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  for (const err of doc.errors) {
    if (err.code === 'RESOURCE_EXHAUSTION') continue;
    const code: ErrorCode =
      err.code === 'DUPLICATE_KEY' ? 'LB_E_PLAN_DUPLICATE_KEY' : 'LB_E_PLAN_YAML_SYNTAX';
    at(code, firstLine(err.message), errorOffset(doc, err));
  }
  if (exhausted) {
    // The partial tree still reaches the first level past the limit, the line to show.
    const before = result.diagnostics.length;
    checkStructure(doc, at);
    if (!result.diagnostics.slice(before).some((d) => d.code === 'LB_E_PLAN_TOO_DEEP'))
      at('LB_E_PLAN_TOO_DEEP', 'the YAML is nested too deeply to parse', exhausted.pos[0]);
  }
  for (const w of doc.warnings) {
    const code: ErrorCode =
      w.code === 'TAG_RESOLVE_FAILED' ? 'LB_E_PLAN_YAML_TAG' : 'LB_E_PLAN_YAML_SYNTAX';
    at(code, firstLine(w.message), w.pos[0]);
  }
  if (result.diagnostics.length > 0) return result;

  checkStructure(doc, at);
  if (result.diagnostics.length > 0) return result;
  if (!isMap(doc.contents)) {
    at(
      'LB_E_PLAN_NOT_MAPPING',
      'the top level of a plan file must be a mapping',
      doc.contents?.range?.[0] ?? 0,
    );
    return result;
  }
  try {
    result.value = doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(message)) at('LB_E_PLAN_ALIAS_LIMIT', 'too many alias expansions', 0);
    else if (e instanceof RangeError) at('LB_E_PLAN_TOO_DEEP', 'the YAML is nested too deeply', 0);
    else at('LB_E_PLAN_YAML_SYNTAX', firstLine(message), 0);
  }
  return result;
}

type At = (code: ErrorCode, message: string, offset: number) => void;

/**
 * Where to point for a parse error. yaml reports an unclosed quote at the end of the file (a
 * quoted scalar may span lines, so it runs on to the end); the operator needs the opening quote.
 */
function errorOffset(doc: Document.Parsed, err: Document.Parsed['errors'][number]): number {
  const offset = err.pos[0];
  if (err.code !== 'MISSING_CHAR' || !/quote/i.test(err.message)) return offset;
  let start = offset;
  visit(doc, {
    Scalar(_, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && node.range?.[1] === offset) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

/** Tags, forbidden keys, depth and alias count, found in one walk over the syntax tree. */
function checkStructure(doc: Document.Parsed, at: At): void {
  let aliases = 0;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key)) {
        const key = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        if (key === '<<') at('LB_E_PLAN_MERGE_KEY', 'the merge key `<<` is not supported', offset);
        else if (FORBIDDEN_KEYS.has(key))
          at('LB_E_PLAN_PROTO_KEY', `the key \`${key}\` is not allowed`, offset);
      } else if (pair.key !== null && !isScalar(pair.key)) {
        at(
          'LB_E_PLAN_WRONG_TYPE',
          'keys must be plain strings, not lists or mappings',
          (pair.key as Node).range?.[0] ?? 0,
        );
      }
    },
    Node(_, node, path) {
      if (node.tag && !isDefaultTag(node.tag)) {
        at('LB_E_PLAN_YAML_TAG', `the tag \`${node.tag}\` is not allowed`, node.range?.[0] ?? 0);
      }
      if (isAlias(node) && ++aliases > LIMITS.aliases) {
        at(
          'LB_E_PLAN_ALIAS_LIMIT',
          `more than ${LIMITS.aliases} aliases in one file`,
          node.range?.[0] ?? 0,
        );
        return visit.BREAK;
      }
      // The path holds every ancestor (pairs too), so it is never shorter than the nesting:
      // counting collections only on long paths keeps this walk linear in practice.
      const depth =
        path.length > LIMITS.depth ? path.filter((p) => isMap(p) || isSeq(p)).length : 0;
      if (depth > LIMITS.depth) {
        at('LB_E_PLAN_TOO_DEEP', `nested more than ${LIMITS.depth} levels`, node.range?.[0] ?? 0);
        return visit.BREAK;
      }
      return undefined;
    },
  });
}

const DEFAULT_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

function isDefaultTag(tag: string): boolean {
  return DEFAULT_TAGS.has(tag);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The line and column of a path in a `yaml` document; `key` points at a key rather than its value. */
function locateInDoc(
  doc: Document.Parsed,
  lines: LineCounter,
  path: PlanPath,
  key: string | undefined,
): { line: number; col: number } {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  const segments = key === undefined ? path : [...path, key];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const isLastKey = key !== undefined && i === segments.length - 1;
    let next: unknown;
    if (node instanceof YAMLMap) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      if (isLastKey) {
        offset = (pair.key as Node).range?.[0] ?? offset;
        break;
      }
      next = pair.value;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    } else {
      break;
    }
    if (!next) break;
    // A scalar is pointed at itself; a block collection at its key, the line an operator looks for.
    if (isScalar(next) || isSeq(node)) offset = (next as Node).range?.[0] ?? offset;
    node = isAlias(next) ? next.resolve(doc) : next;
  }
  return lines.linePos(offset);
}
