// The entry schemas as zod compiles them (`z.compile`): generated code that checks a valid entry
// and builds its output in one pass, several times faster than zod's interpreter on a large plan;
// an entry the generated code rejects goes through the interpreter, so a rejected entry is
// reported by the plan's own schema (load.ts asks ENTRY_SCHEMAS for its issues).
//
// zod refuses to compile a schema with a reference cycle, and `argValue` (a driver argument:
// any JSON-like value) is one. So services and runbooks are compiled from twins built by the
// same factories around a stand-in that runs `argValue` itself: it accepts exactly the values
// `argValue` accepts, and its output is the value it accepted (equal to argValue's copy of it).
import { z } from 'zod';
import { ENTRY_SCHEMAS, type SectionName } from './plan.js';
import { type ArgValue, argValue } from './primitives.js';
import { runbookSchemaFor } from './runbook.js';
import { serviceSchemas } from './service.js';
import { stepSchemas } from './steps.js';

const argValueAccepted = z.custom<ArgValue>((v) => argValue.safeParse(v).success);

type EntrySchemas = typeof ENTRY_SCHEMAS;

/** What is compiled for each section: the entry schema, or its twin without the cycle. */
function compilable(): EntrySchemas {
  const steps = stepSchemas(argValueAccepted);
  return {
    ...ENTRY_SCHEMAS,
    services: serviceSchemas(argValueAccepted, steps.customSteps).service,
    runbooks: runbookSchemaFor(steps.step),
  };
}

let twins: EntrySchemas | undefined;
const compiled: Partial<EntrySchemas> = {};

/**
 * The compiled schema of one section's entries, compiled on first use (the compiled code, not
 * any result, is kept for the process). `strict` throws when zod cannot compile it (for tests).
 */
export function compiledEntrySchema<S extends SectionName>(
  section: S,
  opts: { strict?: boolean } = {},
): EntrySchemas[S] {
  twins ??= compilable();
  if (opts.strict) return z.compile(twins[section], { strict: true }) as EntrySchemas[S];
  const known = compiled[section];
  if (known) return known;
  const schema = z.compile(twins[section]) as EntrySchemas[S];
  compiled[section] = schema;
  return schema;
}
