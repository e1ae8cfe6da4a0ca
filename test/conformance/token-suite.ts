// The token store's contract (src/store/store.ts, TokenStore) as runnable checks, for every
// state store: SQLite now, etcd later. Uses the same subject as the state store suite.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLifeboatError } from '../../src/core/errors/index.js';
import type { StateStore } from '../../src/store/index.js';
import type { StoreSubject } from './store-suite.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isLifeboatError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return 'resolved';
}

export function runTokenConformance(subject: StoreSubject): void {
  describe(`token store conformance: ${subject.name}`, () => {
    let store: StateStore | undefined;
    let location = '';
    const s = () => store as StateStore;
    beforeEach(async () => {
      location = await subject.newLocation();
      store = await subject.open(location);
    });
    afterEach(async () => {
      if (store) await subject.close(store);
      store = undefined;
    });
    afterAll(async () => {
      await subject.cleanup?.();
    });

    it('tokens: created, found by their hash, listed by name, kept across reopening', async () => {
      const a = await s().tokens.create({ name: 'bob', role: 'viewer', hash: sha('b'), at: 1000 });
      expect(a).toEqual({
        name: 'bob',
        role: 'viewer',
        hash: sha('b'),
        createdAt: 1000,
        lastUsedAt: undefined,
      });
      await s().tokens.create({ name: 'alice', role: 'approver', hash: sha('a'), at: 2000 });
      expect(await s().tokens.findByHash(sha('a'))).toMatchObject({
        name: 'alice',
        role: 'approver',
      });
      expect(await s().tokens.findByHash(sha('nope'))).toBeUndefined();
      await subject.close(s());
      store = await subject.open(location);
      expect((await s().tokens.list()).map((t) => t.name)).toEqual(['alice', 'bob']);
      expect(await s().tokens.findByHash(sha('b'))).toEqual(a);
    });

    it('tokens: a name or a hash is used once; malformed hashes are refused', async () => {
      await s().tokens.create({ name: 'alice', role: 'admin', hash: sha('a') });
      expect(
        await codeOf(s().tokens.create({ name: 'alice', role: 'viewer', hash: sha('x') })),
      ).toBe('LB_E_SERVER_TOKEN_NAME');
      expect(
        await codeOf(s().tokens.create({ name: 'carol', role: 'viewer', hash: sha('a') })),
      ).toBe('LB_E_STORE_CONFLICT');
      for (const hash of ['', 'abc', sha('a').toUpperCase(), `${sha('a')}0`]) {
        expect(await codeOf(s().tokens.create({ name: 'dave', role: 'viewer', hash }))).toBe(
          'LB_E_STORE_INVALID',
        );
        expect(await codeOf(s().tokens.findByHash(hash))).toBe('LB_E_STORE_INVALID');
      }
      expect(await s().tokens.list()).toHaveLength(1);
    });

    it('tokens: a revoked token is found no more; its name can be used again', async () => {
      await s().tokens.create({ name: 'alice', role: 'admin', hash: sha('a') });
      expect(await s().tokens.revoke('alice')).toBe(true);
      expect(await s().tokens.revoke('alice')).toBe(false);
      expect(await s().tokens.findByHash(sha('a'))).toBeUndefined();
      expect(await s().tokens.list()).toEqual([]);
      await s().tokens.create({ name: 'alice', role: 'viewer', hash: sha('a2') });
      expect(await s().tokens.findByHash(sha('a2'))).toMatchObject({ role: 'viewer' });
    });

    it('tokens: last use only moves forward', async () => {
      await s().tokens.create({ name: 'alice', role: 'admin', hash: sha('a'), at: 10 });
      await s().tokens.touch('alice', 500);
      await s().tokens.touch('alice', 300);
      expect((await s().tokens.findByHash(sha('a')))?.lastUsedAt).toBe(500);
      await s().tokens.touch('nobody', 600); // no such token: nothing to record
      expect(await s().tokens.list()).toHaveLength(1);
    });
  });
}
