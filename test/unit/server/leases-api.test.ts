// Fence leases over the API: an agent's renewal needs an operator (a viewer is refused), is
// granted for a node holding a copy and refused once revoked; GET /leases lists them, valid
// against their schema; /metrics tells each lease's age and whether it is revoked.
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseBook } from '../../../src/controller/leases.js';
import { LeaseRenewResponseSchema, LeaseSchema } from '../../../src/server/schemas.js';
import { type Harness, harness, schemaErrors } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const body = { leases: [{ service: 'app-db', dataSet: 'pg' }] };

describe('fence leases in the API', () => {
  it('renews for an operator, refuses a viewer, and answers revoked after a failover revoked it', async () => {
    const book = new LeaseBook(() => ({ ttlMs: 1500, renewEveryMs: 200, nodes: ['a', 'b'] }));
    h = await harness({ leases: book });
    const url = '/api/v1/leases/a/renew';
    const viewer = await h.app.inject({
      method: 'POST',
      url,
      headers: h.bearer('viewer'),
      payload: body,
    });
    expect(viewer.statusCode).toBe(403);
    const anon = await h.app.inject({ method: 'POST', url, payload: body });
    expect(anon.statusCode).toBe(401);
    const ok = await h.app.inject({
      method: 'POST',
      url,
      headers: h.bearer('operator'),
      payload: body,
    });
    expect(ok.statusCode).toBe(200);
    expect(schemaErrors(LeaseRenewResponseSchema, ok.json())).toEqual([]);
    expect(ok.json().leases[0]).toMatchObject({ state: 'granted', ttlMs: 1500, renewEveryMs: 200 });

    expect(book.revoke('app-db', 'pg', 'a')).toMatchObject({ held: true });
    const again = await h.app.inject({
      method: 'POST',
      url,
      headers: h.bearer('operator'),
      payload: body,
    });
    expect(again.json().leases[0]).toMatchObject({ state: 'revoked' });

    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/leases/a%20b/renew',
      headers: h.bearer('operator'),
      payload: body,
    });
    expect(bad.statusCode).toBe(400);

    const list = await h.app.inject({
      method: 'GET',
      url: '/api/v1/leases',
      headers: h.bearer('viewer'),
    });
    expect(list.statusCode).toBe(200);
    const leases = list.json() as unknown[];
    expect(leases).toHaveLength(1);
    for (const l of leases) expect(schemaErrors(LeaseSchema, l)).toEqual([]);
    expect(leases[0]).toMatchObject({ service: 'app-db', dataSet: 'pg', node: 'a', revoked: true });

    const metrics = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: h.bearer('viewer'),
    });
    expect(metrics.body).toMatch(
      /lifeboat_fence_lease_revoked\{service="app-db",data_set="pg",node="a"\} 1/,
    );
    expect(metrics.body).toMatch(
      /lifeboat_fence_lease_age_seconds\{service="app-db",data_set="pg",node="a"\} \d/,
    );
  });
});
