// A server over a fake controller and a real SQLite store, with one token per role.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { API_ROLES, type ApiRole } from '../../../src/server/api-types.js';
import { newToken, tokenHash } from '../../../src/server/auth.js';
import {
  createServer,
  type LifeboatServer,
  type ServerOptions,
} from '../../../src/server/index.js';
import { FakeController } from '../../support/fake-controller.js';

export interface Harness {
  app: LifeboatServer;
  fake: FakeController;
  /** A bearer token per role; the token's name is the role's name. */
  tokens: Record<ApiRole, string>;
  bearer(role: ApiRole): { authorization: string };
  close(): Promise<void>;
}

export async function harness(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const fake = new FakeController();
  const tokens = {} as Record<ApiRole, string>;
  for (const role of API_ROLES) {
    tokens[role] = newToken();
    await fake.store.tokens.create({ name: role, role, hash: tokenHash(tokens[role]) });
  }
  const app = await createServer({ controller: fake, ...options });
  await app.ready();
  return {
    app,
    fake,
    tokens,
    bearer: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: async () => {
      await app.close();
      await fake.close();
    },
  };
}

/** A concrete URL for a route's path: `:name` → a known service, `:id` → `run-1`. */
export function concrete(url: string): string {
  return url.replace(':name', 'app-db').replace(':id', 'run-1');
}

// ajv's CommonJS default export, whichever way the loader hands it over.
type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ??
  AjvModule) as unknown as AjvClass;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: InstanceType<AjvClass>) => void;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** Errors of `value` against `schema` (empty when valid). */
export function schemaErrors(schema: object, value: unknown): string[] {
  const validate = ajv.compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export const root = join(import.meta.dirname, '..', '..', '..');
export const readRoot = (path: string) => readFileSync(join(root, path), 'utf8');
