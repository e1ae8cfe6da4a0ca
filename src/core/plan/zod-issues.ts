// Turns zod's issues into Lifeboat diagnostics: a code, a message an operator understands, a path.
import type { z } from 'zod';
import type { ErrorCode } from '../errors/index.js';
import { type Diagnostic, diagnostic, printable } from './diagnostic.js';
import { DURATION_PATTERN } from './duration.js';
import { NAME_PATTERN } from './schema/primitives.js';

type Issue = z.core.$ZodIssue;

export interface MappedIssue {
  diagnostic: Diagnostic;
  /** For unknown keys: the key to point at, inside `path`. */
  key?: string;
}

export function mapIssue(issue: Issue): MappedIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const make = (code: ErrorCode, message: string) => diagnostic(code, message, { path });
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        diagnostic: diagnostic('LB_E_PLAN_UNKNOWN_KEY', `unknown key \`${key}\`${where(path)}`, {
          path: [...path, key],
        }),
        key,
      }));
    case 'invalid_type':
      if (issue.input === undefined) {
        return [
          {
            diagnostic: make(
              'LB_E_PLAN_MISSING_FIELD',
              `\`${last(path)}\` is required${where(path.slice(0, -1))}`,
            ),
          },
        ];
      }
      return [
        {
          diagnostic: make(
            'LB_E_PLAN_WRONG_TYPE',
            `\`${last(path)}\` must be ${article(issue.expected)}, not ${kindOf(issue.input)}`,
          ),
        },
      ];
    case 'invalid_value':
      // A missing enum or literal field (`strategy`, `version`) fails as an invalid value.
      if (issue.input === undefined) {
        return [
          {
            diagnostic: make(
              'LB_E_PLAN_MISSING_FIELD',
              `\`${last(path)}\` is required${where(path.slice(0, -1))}: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
            ),
          },
        ];
      }
      return [
        {
          diagnostic: make(
            'LB_E_PLAN_BAD_VALUE',
            `\`${last(path)}\` must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
          ),
        },
      ];
    case 'invalid_format': {
      const pattern = 'pattern' in issue ? String(issue.pattern) : '';
      const code: ErrorCode = pattern.includes(DURATION_PATTERN)
        ? 'LB_E_PLAN_BAD_DURATION'
        : pattern.includes(NAME_PATTERN)
          ? 'LB_E_PLAN_BAD_NAME'
          : 'LB_E_PLAN_BAD_FORMAT';
      return [{ diagnostic: make(code, `\`${last(path)}\` ${issue.message}`) }];
    }
    case 'too_small':
    case 'too_big':
      return [
        {
          diagnostic: make(
            'LB_E_PLAN_OUT_OF_RANGE',
            `\`${last(path)}\`: ${issue.message.replace(/^Too (small|big): /, '')}`,
          ),
        },
      ];
    case 'invalid_key':
      return issue.issues.flatMap((inner) =>
        mapIssue({ ...inner, path: path } as Issue).map((m) => ({
          ...m,
          diagnostic: {
            ...m.diagnostic,
            code:
              m.diagnostic.code === 'LB_E_PLAN_BAD_FORMAT'
                ? 'LB_E_PLAN_BAD_NAME'
                : m.diagnostic.code,
            message: printable(`the name \`${String(last(path))}\` ${inner.message}`),
          },
        })),
      );
    case 'invalid_union':
      return [{ diagnostic: make('LB_E_PLAN_WRONG_TYPE', unionMessage(issue, path)) }];
    case 'custom': {
      const lbCode =
        (issue.params as { lbCode?: ErrorCode } | undefined)?.lbCode ?? 'LB_E_PLAN_INVALID';
      return [{ diagnostic: make(lbCode, `\`${last(path)}\` ${issue.message}`) }];
    }
    default:
      return [{ diagnostic: make('LB_E_PLAN_INVALID', `\`${last(path)}\`: ${issue.message}`) }];
  }
}

function unionMessage(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PropertyKey[],
): string {
  if ('note' in issue && issue.note === 'No matching discriminator') {
    return `\`${String(last(path))}\` needs a valid \`kind\``;
  }
  return `\`${String(last(path))}\` does not match any of the allowed forms`;
}

function where(path: readonly PropertyKey[]): string {
  return path.length > 0 ? ` in \`${path.map(String).join('.')}\`` : ' at the top level';
}

/** The field a path ends at; a list item is named with its list (`active[1]`), not as `1`. */
function last(path: readonly PropertyKey[]): string {
  const tail = path[path.length - 1];
  if (tail === undefined) return '(top level)';
  const parent = path[path.length - 2];
  return typeof tail === 'number' && parent !== undefined
    ? `${String(parent)}[${tail}]`
    : String(tail);
}

function article(expected: string): string {
  const nice: Record<string, string> = {
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
  };
  return nice[expected] ?? expected;
}

function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `a ${typeof input}`;
}
