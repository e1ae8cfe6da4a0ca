// Resolves a plain (unquoted) YAML scalar exactly as `yaml` does with the 1.2 core schema, by
// asking the schema's own tags in the schema's order: `~`, `null` and the empty string are null,
// `true`/`False` booleans, `0x1F` and `0o17` integers, `1e3`, `.inf` and `.nan` floats, and
// everything else (`yes`, `no`, `on`, dates) a string.
import { isScalar, type ScalarTag, Schema } from 'yaml';

const CORE_TAGS = new Schema({ schema: 'core' }).tags.filter(
  (t): t is ScalarTag => t.default === true && 'test' in t && t.test instanceof RegExp,
);

/** Characters a non-string core scalar can start with; anything else is a string. */
function mayBeNonString(first: number): boolean {
  return (
    (first >= 48 && first <= 57) || // 0-9
    first === 43 || // +
    first === 45 || // -
    first === 46 || // .
    first === 126 || // ~
    first === 110 || // n
    first === 78 || // N
    first === 116 || // t
    first === 84 || // T
    first === 102 || // f
    first === 70 // F
  );
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Sentinel: `yaml` would report an error or warning resolving this scalar. */
export const UNRESOLVED: unique symbol = Symbol('unresolved');

/** The plain scalar's value, or UNRESOLVED when `yaml` would complain about it. */
export function resolvePlain(source: string): unknown {
  if (source.length > 0 && !mayBeNonString(source.charCodeAt(0))) return source;
  // A letter can only start a null (`null`, `Null`, `NULL`) or a boolean (`false` at most 5
  // characters): a longer word is a string without asking every tag.
  if (source.length > 5 && isLetter(source.charCodeAt(0))) return source;
  for (const tag of CORE_TAGS) {
    if (!tag.test?.test(source)) continue;
    let failed = false;
    const res = tag.resolve(
      source,
      () => {
        failed = true;
      },
      { intAsBigInt: false } as never,
    );
    if (failed) return UNRESOLVED;
    return isScalar(res) ? res.value : res;
  }
  return source;
}

/** Whether a plain key resolves to a string (the only keys the fast path takes as they are). */
export function isStringKey(source: string): boolean {
  return resolvePlain(source) === source;
}
