// The OpenAPI document: generated from the route table, so it lists every registered route with
// its role, parameters, body and answers; docs/openapi.json is that document (npm run gen), and
// the server serves it too.
import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../src/server/openapi.js';
import { ROUTES } from '../../../src/server/routes.js';
import { ServiceStatusSchema } from '../../../src/server/schemas.js';
import { type Harness, harness, readRoot, schemaErrors } from './helpers.js';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { 'x-lifeboat-role': string; responses: object; security?: unknown[] }>
  >;
  components: { schemas: Record<string, unknown> };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the OpenAPI document', () => {
  it('describes every registered route with the role it needs', async () => {
    h = await harness();
    const doc = openApiDocument() as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const registered = h.app.registered.filter((r) => r.method !== 'HEAD');
    expect(registered.length).toBe(ROUTES.length);
    for (const r of registered) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.url}`).toBeDefined();
      const spec = ROUTES.find((s) => s.url === r.url && s.method === r.method);
      expect(op?.['x-lifeboat-role']).toBe(spec?.access);
      if (r.url === '/healthz') expect(op?.security).toEqual([]);
      else if (!r.url.endsWith('/login')) {
        expect(op?.security).toBeUndefined(); // the document's default: a token or the cookie
        expect(Object.keys(op?.responses ?? {})).toContain('401');
      }
    }
    // Every $ref resolves.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas[name], name).toBeDefined();
  });

  it('is what docs/openapi.json holds (run `npm run gen` after changing a route)', () => {
    expect(JSON.parse(readRoot('docs/openapi.json'))).toEqual(openApiDocument());
  });

  it('is served at /api/v1/openapi.json to any token', async () => {
    h = await harness();
    const r = await h.app.inject({ url: '/api/v1/openapi.json', headers: h.bearer('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual(openApiDocument());
  });

  it('has schemas that refuse what the dashboard could not read', () => {
    expect(schemaErrors(ServiceStatusSchema, { name: 'x' }).length).toBeGreaterThan(0);
    expect(schemaErrors(ServiceStatusSchema, { name: 'x', extra: 1 }).length).toBeGreaterThan(0);
  });
});
