import { defineCodes } from '../code-info.js';

/** Problems that make a plan file invalid: `lifeboat check` exits 2 on any of them. */
export const PLAN_CODES = defineCodes({
  LB_E_PLAN_YAML_SYNTAX: {
    summary:
      'The file is not valid YAML (bad indentation, an unclosed quote or bracket, several documents).',
    fix: 'Correct the YAML at the line and column given; a plan is one YAML document.',
    retryable: false,
  },
  LB_E_PLAN_YAML_TAG: {
    summary:
      'The file uses a YAML tag (`!something`, `!!binary`): plans use plain YAML 1.2 core only.',
    fix: 'Remove the tag and write the value as a plain string, number, list or mapping.',
    retryable: false,
  },
  LB_E_PLAN_DUPLICATE_KEY: {
    summary:
      'A key appears twice in the same mapping, so one of the two values would be silently lost.',
    fix: 'Keep one of the two keys; merge their contents if both were meant.',
    retryable: false,
  },
  LB_E_PLAN_ALIAS_LIMIT: {
    summary: 'The file uses more YAML aliases (`*name`) than allowed, as an alias bomb would.',
    fix: 'Write the values out, or use fewer aliases (at most 50 expansions per file).',
    retryable: false,
  },
  LB_E_PLAN_MERGE_KEY: {
    summary: 'The YAML merge key `<<` is not supported: what a merge overrides is easy to misread.',
    fix: 'Write the merged keys out in full.',
    retryable: false,
  },
  LB_E_PLAN_PROTO_KEY: {
    summary: 'A key named `__proto__`, `constructor` or `prototype` is refused.',
    fix: 'Rename the key.',
    retryable: false,
  },
  LB_E_PLAN_TOO_LARGE: {
    summary:
      'A plan file (or all files together) is larger than allowed (8 MiB per file, 32 MiB in all).',
    fix: 'Split the plan with `include:`, or remove what is not part of the plan.',
    retryable: false,
  },
  LB_E_PLAN_TOO_DEEP: {
    summary: 'The YAML is nested deeper than allowed (64 levels).',
    fix: 'Flatten the structure: no plan field needs that depth.',
    retryable: false,
  },
  LB_E_PLAN_NOT_MAPPING: {
    summary: "The file's top level is not a mapping of keys to values.",
    fix: 'Start the plan with `version: 1`, `name: ...`, then the sections (tiers, sites, nodes, services...).',
    retryable: false,
  },
  LB_E_PLAN_UNKNOWN_KEY: {
    summary: 'A key that the plan schema does not know (often a typo).',
    fix: 'Correct the spelling, or remove the key; docs/plan-reference.md lists every field.',
    retryable: false,
  },
  LB_E_PLAN_MISSING_FIELD: {
    summary: 'A required field is missing.',
    fix: 'Add the field named in the message; docs/plan-reference.md says what it holds.',
    retryable: false,
  },
  LB_E_PLAN_WRONG_TYPE: {
    summary:
      'A value has the wrong type (a string where a list is expected, a number where a mapping is).',
    fix: 'Write the value with the type the message names.',
    retryable: false,
  },
  LB_E_PLAN_BAD_VALUE: {
    summary: 'A value is not one of those allowed for the field.',
    fix: 'Use one of the values listed in the message.',
    retryable: false,
  },
  LB_E_PLAN_BAD_FORMAT: {
    summary: 'A value does not have the required format (host name, path, URL, key, size).',
    fix: 'Write the value in the format the message names.',
    retryable: false,
  },
  LB_E_PLAN_BAD_NAME: {
    summary: 'A name (service, node, site, step...) has characters that are not allowed.',
    fix: 'Use 1-63 letters, digits, `.`, `_` or `-`, starting with a letter or digit.',
    retryable: false,
  },
  LB_E_PLAN_BAD_DURATION: {
    summary: 'A duration is not written as a number and a unit.',
    fix: 'Write durations like `30s`, `15m`, `4h`, `5d` or `1h30m`.',
    retryable: false,
  },
  LB_E_PLAN_OUT_OF_RANGE: {
    summary: 'A number, a list or a text is too small or too large for its field.',
    fix: 'Use a value within the limits the message names.',
    retryable: false,
  },
  LB_E_PLAN_INLINE_SECRET: {
    summary: 'A secret is written in the plan instead of a reference to it.',
    fix: 'Put the secret in an environment variable or a file readable only by lifeboat, and write `env:NAME` or `file:/path` instead. Rotate the exposed secret.',
    retryable: false,
  },
  LB_E_PLAN_SECRET_LIKE_VALUE: {
    summary: 'A value looks like a private key, an access key, a token or a URL with a password.',
    fix: 'Move the secret out of the plan (`env:NAME` or `file:/path` in a secret field) and rotate it.',
    retryable: false,
  },
  LB_E_PLAN_UNKNOWN_REF: {
    summary:
      'A name refers to something the plan does not define (a tier, site, node, domain, service, data set or probe).',
    fix: 'Define the referenced object, or correct the name; the message lists the known names.',
    retryable: false,
  },
  LB_E_PLAN_DUPLICATE_NAME: {
    summary:
      'The same name is defined twice: in two included files, or twice in one list (data sets, probes, steps).',
    fix: 'Rename or remove one of the two definitions.',
    retryable: false,
  },
  LB_E_PLAN_INCLUDE: {
    summary:
      'An `include:` pattern matched nothing, could not be read, included itself, or matched too many files.',
    fix: 'Correct the pattern (relative to the including file) or the files it names; at most 200 files.',
    retryable: false,
  },
  LB_E_PLAN_INVALID: {
    summary: 'The plan is invalid in a way described by the message.',
    fix: 'Correct the field at the location given.',
    retryable: false,
  },
});
