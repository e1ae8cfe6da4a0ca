// The published JSON Schema of plan files, generated from the zod schema (one source of truth).
import { z } from 'zod';
import { fragmentSchema, planSchema } from '../plan/schema/plan.js';

export const SCHEMA_ID = 'https://lifeboat.dev/schema/plan.schema.json';

export type JsonSchema = Record<string, unknown>;

export function planJsonSchema(): JsonSchema {
  return {
    $id: SCHEMA_ID,
    title: 'Lifeboat continuity plan',
    ...z.toJSONSchema(planSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }),
  };
}

export function fragmentJsonSchema(): JsonSchema {
  return {
    $id: SCHEMA_ID.replace('plan.schema', 'plan-fragment.schema'),
    title: 'Lifeboat continuity plan: an included file',
    ...z.toJSONSchema(fragmentSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }),
  };
}
