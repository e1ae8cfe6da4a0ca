// The audit log: a hash chain that verify() walks, finding each kind of tampering at the first
// entry it touches, and honest about the one it cannot find alone.
import { expect } from 'vitest';
import { type AuditEntry, auditHash, GENESIS_HASH } from '../../src/store/index.js';
import type { SuiteContext } from './store-suite.js';

/** Six entries, the last one's hash returned. */
async function fill(s: SuiteContext): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  const actions = [
    'plan.load',
    'run.create',
    'approval.record',
    'run.start',
    'step.done',
    'run.end',
  ];
  for (const [i, action] of actions.entries()) {
    entries.push(
      await s.store().audit.append({
        actor: i === 2 ? 'alice' : 'lifeboat@ops-1',
        action,
        subject: i === 0 ? null : 'run-1',
        data: { i, detail: { b: [1, 2], a: 'x' } },
        at: 10_000 + i,
      }),
    );
  }
  return entries;
}

export function auditTests(s: SuiteContext): void {
  s.test('audit: an intact chain verifies, with its head and an anchor', async () => {
    const audit = s.store().audit;
    const empty = await audit.verify();
    expect(empty).toMatchObject({ ok: true, checked: 0, head: { count: 0, hash: GENESIS_HASH } });
    const entries = await fill(s);
    let prev = GENESIS_HASH;
    for (const [i, e] of entries.entries()) {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(prev);
      // Anyone can recompute a hash from the entry alone.
      expect(e.hash).toBe(auditHash(prev, e));
      prev = e.hash;
    }
    expect(await audit.read()).toEqual(entries);
    expect(await audit.read({ afterSeq: 4 })).toEqual(entries.slice(4));
    expect(await audit.read({ afterSeq: 1, limit: 2 })).toEqual(entries.slice(1, 3));
    const head = { count: 6, hash: prev };
    expect(await audit.head()).toEqual(head);
    expect(await audit.verify()).toEqual({
      ok: true,
      checked: 6,
      head,
      recorded: head,
      broken: undefined,
    });
    const third = entries[2] as AuditEntry;
    expect((await audit.verify({ anchor: { seq: 3, hash: third.hash } })).ok).toBe(true);
    expect(await audit.verify({ anchor: { seq: 3, hash: 'f'.repeat(64) } })).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: 'anchor' },
    });
  });

  s.test('audit: verify finds an edited entry', async () => {
    await fill(s);
    await s.subject.tamper.edit(s.location(), 3);
    expect(await s.store().audit.verify()).toMatchObject({
      ok: false,
      checked: 2,
      broken: { seq: 3, reason: 'edited' },
    });
  });

  s.test('audit: verify finds a deleted entry', async () => {
    await fill(s);
    await s.subject.tamper.remove(s.location(), 3);
    expect(await s.store().audit.verify()).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: 'missing' },
    });
  });

  s.test('audit: verify finds a reordered pair', async () => {
    await fill(s);
    await s.subject.tamper.swap(s.location(), 3, 4);
    expect(await s.store().audit.verify()).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: 'chain' },
    });
  });

  s.test('audit: verify finds a truncated tail', async () => {
    await fill(s);
    await s.subject.tamper.truncate(s.location(), 2);
    expect(await s.store().audit.verify()).toMatchObject({
      ok: false,
      checked: 4,
      recorded: { count: 6 },
      broken: { seq: 5, reason: 'truncated' },
    });
  });

  s.test(
    'audit: a tail truncated with its head rewritten is caught only by an anchor',
    async () => {
      const entries = await fill(s);
      const anchor = { seq: 6, hash: (entries[5] as AuditEntry).hash };
      await s.subject.tamper.truncateWithHead(s.location(), 2);
      // Without an outside record the shortened chain is self-consistent: that is the limit of a
      // hash chain kept in one place, and why verify prints the head for operators to record.
      expect((await s.store().audit.verify()).ok).toBe(true);
      expect(await s.store().audit.verify({ anchor })).toMatchObject({
        ok: false,
        broken: { seq: 5, reason: 'anchor' },
      });
    },
  );

  s.test(
    'audit: appenders in two processes keep one chain',
    async () => {
      const outputs = await s.children([
        { kind: 'audit', count: 100, writer: 'p1' },
        { kind: 'audit', count: 100, writer: 'p2' },
      ]);
      for (const o of outputs) expect(o.lines.at(-1)).toEqual({ done: true });
      const result = await s.store().audit.verify();
      expect(result).toMatchObject({ ok: true, checked: 200, head: { count: 200 } });
    },
    60_000,
  );
}
