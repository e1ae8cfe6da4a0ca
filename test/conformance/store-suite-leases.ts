// Leases and their fencing tokens: one holder at a time, and a token that only ever grows.
import { expect } from 'vitest';
import { sleep } from './store-processes.js';
import type { SuiteContext } from './store-suite.js';

export function leaseTests(s: SuiteContext): void {
  const ttl = s.subject.leaseTtlMs;
  /** Long enough for a lease of `ttl` to have lapsed by the store's clock. */
  const lapse = () => sleep(ttl + Math.max(50, ttl / 4));

  s.test(
    'leases: a live lease is exclusive; its owner renews, releases or takes it over',
    async () => {
      const leases = s.store().leases;
      expect(await leases.get('service/db')).toBeUndefined();
      const a = await leases.acquire('service/db', 'lifeboat-a', 60_000);
      expect(a).toMatchObject({ key: 'service/db', owner: 'lifeboat-a', ttlMs: 60_000 });
      if (!a) return;
      expect(a.token).toBeGreaterThanOrEqual(1);
      expect(a.expiresAt).toBeGreaterThan(Date.now() + 50_000);
      expect(await leases.acquire('service/db', 'lifeboat-b', 60_000)).toBeUndefined();
      expect(await leases.get('service/db')).toEqual({
        key: 'service/db',
        token: a.token,
        holder: { owner: 'lifeboat-a', expiresAt: a.expiresAt },
      });
      // Another key is another lease.
      expect(await leases.acquire('service/web', 'lifeboat-b', 60_000)).toBeDefined();

      const renewed = await leases.renew(a);
      expect(renewed.token).toBe(a.token);
      expect(renewed.expiresAt).toBeGreaterThanOrEqual(a.expiresAt);

      // The same owner acquiring again (a restarted Lifeboat) takes over with a new token, and its
      // earlier incarnation can no longer renew.
      const again = await leases.acquire('service/db', 'lifeboat-a', 60_000);
      expect(again?.token).toBeGreaterThan(a.token);
      await expect(leases.renew(a)).rejects.toMatchObject({ code: 'LB_E_STORE_LEASE_LOST' });
      expect(await leases.release(a)).toBe(false);
      if (!again) return;

      expect(await leases.release(again)).toBe(true);
      expect(await leases.release(again)).toBe(false);
      expect(await leases.get('service/db')).toEqual({
        key: 'service/db',
        token: again.token,
        holder: undefined,
      });
      await expect(leases.renew(again)).rejects.toMatchObject({ code: 'LB_E_STORE_LEASE_LOST' });
      const b = await leases.acquire('service/db', 'lifeboat-b', 60_000);
      expect(b?.token).toBeGreaterThan(again.token);

      await expect(leases.acquire('', 'x', 1000)).rejects.toMatchObject({
        code: 'LB_E_STORE_INVALID',
      });
      await expect(leases.acquire('k', 'x', 0)).rejects.toMatchObject({
        code: 'LB_E_STORE_INVALID',
      });
    },
  );

  s.test('leases: tokens strictly increase across acquire, expiry and re-acquire', async () => {
    const leases = s.store().leases;
    const tokens: number[] = [];
    let previous = await leases.acquire('service/db', 'owner-0', ttl);
    if (!previous) throw new Error('first acquire failed');
    tokens.push(previous.token);
    for (let i = 1; i <= 3; i++) {
      await lapse();
      expect((await leases.get('service/db'))?.holder).toBeUndefined();
      await expect(leases.renew(previous)).rejects.toMatchObject({
        code: 'LB_E_STORE_LEASE_LOST',
      });
      expect(await leases.release(previous)).toBe(false);
      const next = await leases.acquire('service/db', `owner-${i}`, ttl);
      if (!next) throw new Error(`acquire ${i} after expiry failed`);
      tokens.push(next.token);
      previous = next;
    }
    for (let i = 1; i < tokens.length; i++) {
      expect(tokens[i] as number).toBeGreaterThan(tokens[i - 1] as number);
    }
  });

  s.test(
    'leases: renewing keeps a lease past its TTL; once renewals stop another owner gets it',
    async () => {
      const leases = s.store().leases;
      let a = await leases.acquire('service/db', 'a', ttl);
      if (!a) throw new Error('acquire failed');
      const until = Date.now() + 3 * ttl;
      while (Date.now() < until) {
        await sleep(ttl / 4);
        a = await leases.renew(a);
        expect(await leases.acquire('service/db', 'b', ttl)).toBeUndefined();
      }
      await lapse();
      const b = await leases.acquire('service/db', 'b', ttl);
      expect(b?.token).toBeGreaterThan(a.token);
    },
  );

  s.test(
    'leases: tokens keep increasing across reopening the store and across processes',
    async () => {
      const first = await s.store().leases.acquire('service/db', 'a', 60_000);
      if (!first) throw new Error('acquire failed');
      await s.store().leases.release(first);

      const reopened = await s.reopen();
      expect((await reopened.leases.get('service/db'))?.token).toBe(first.token);
      const second = await reopened.leases.acquire('service/db', 'b', 60_000);
      expect(second?.token).toBeGreaterThan(first.token);
      if (!second) return;
      // Another process, same owner name (a restarted Lifeboat on another pid): a new token.
      const [child] = await s.children([
        { kind: 'acquire', key: 'service/db', owner: 'b', ttlMs: 60_000 },
      ]);
      const third = child?.lines[0]?.lease as { token: number } | null;
      expect(third?.token).toBeGreaterThan(second.token);
      // Another process, another owner, while the lease is live: refused.
      const [refused] = await s.children([
        { kind: 'acquire', key: 'service/db', owner: 'c', ttlMs: 60_000 },
      ]);
      expect(refused?.lines[0]).toEqual({ lease: null });
      await expect(reopened.leases.renew(second)).rejects.toMatchObject({
        code: 'LB_E_STORE_LEASE_LOST',
      });
    },
    60_000,
  );
}
