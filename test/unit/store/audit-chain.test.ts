// The audit chain's rules, without a store: what is hashed, how, and which break verify reports
// for each kind of damage (including the two the conformance suite cannot provoke through a store:
// entries added behind its back, and a rewritten, re-hashed tail).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  auditHash,
  canonicalJson,
  GENESIS_HASH,
  parseAnchor,
  verifyAuditChain,
} from '../../../src/store/index.js';

function chain(count: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const content = {
      seq,
      at: 1_000 + seq,
      actor: 'alice',
      action: 'run.start',
      subject: `run-${seq}`,
      data: { seq },
    };
    const hash = auditHash(prev, content);
    out.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const headOf = (entries: AuditEntry[]) => ({
  count: entries.length,
  hash: entries.at(-1)?.hash ?? GENESIS_HASH,
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops whitespace, so equal values hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: null, e: 'x' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[3,{"e":"x","f":null}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson('é\n"')).toBe('"é\\n\\""');
  });
});

describe('an audit entry hash', () => {
  it('is SHA-256 of the previous hash, a newline, and the canonical JSON of the entry', () => {
    const e = {
      seq: 1,
      at: 5,
      actor: 'alice',
      action: 'approve',
      subject: null,
      data: { z: 1, a: 2 },
    };
    const text = `${GENESIS_HASH}\n{"action":"approve","actor":"alice","at":5,"data":{"a":2,"z":1},"seq":1,"subject":null}`;
    expect(auditHash(GENESIS_HASH, e)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain, and an empty one', () => {
    const entries = chain(4);
    expect(verifyAuditChain(entries, headOf(entries))).toMatchObject({ ok: true, checked: 4 });
    expect(verifyAuditChain([], { count: 0, hash: GENESIS_HASH })).toMatchObject({ ok: true });
  });

  it('reports the first broken entry and why', () => {
    const entries = chain(5);
    const head = headOf(entries);
    const at = (list: AuditEntry[], recorded = head) => verifyAuditChain(list, recorded).broken;
    const edited = entries.map((e) => (e.seq === 2 ? { ...e, actor: 'mallory' } : e));
    expect(at(edited)).toMatchObject({ seq: 2, reason: 'edited' });
    expect(at(entries.filter((e) => e.seq !== 3))).toMatchObject({ seq: 3, reason: 'missing' });
    const [e1, e2, e3, e4, e5] = entries as [
      AuditEntry,
      AuditEntry,
      AuditEntry,
      AuditEntry,
      AuditEntry,
    ];
    const swapped = [e1, { ...e3, seq: 2 }, { ...e2, seq: 3 }, e4, e5];
    expect(at(swapped)).toMatchObject({ seq: 2, reason: 'chain' });
    expect(at(entries.slice(0, 3))).toMatchObject({ seq: 4, reason: 'truncated' });
    expect(at(entries, { count: 4, hash: e4.hash })).toMatchObject({ seq: 5, reason: 'extra' });
    // The last entry edited and re-hashed: only the recorded head tells.
    const rehashed = { ...e5, data: { seq: 50 } };
    const forged = [e1, e2, e3, e4, { ...rehashed, hash: auditHash(e4.hash, rehashed) }];
    expect(at(forged)).toMatchObject({ seq: 5, reason: 'head' });
  });

  it('checks an anchor inside the chain and past its end', () => {
    const entries = chain(3);
    const e2 = entries[1] as AuditEntry;
    const ok = verifyAuditChain(entries, headOf(entries), { seq: 2, hash: e2.hash });
    expect(ok.ok).toBe(true);
    const short = entries.slice(0, 2);
    expect(
      verifyAuditChain(short, headOf(short), { seq: 3, hash: 'a'.repeat(64) }).broken,
    ).toMatchObject({
      seq: 3,
      reason: 'anchor',
    });
  });

  it('stops at the first break without reading further', () => {
    let read = 0;
    function* lazy() {
      for (const e of chain(100)) {
        read++;
        yield e.seq === 10 ? { ...e, action: 'x' } : e;
      }
    }
    expect(verifyAuditChain(lazy(), { count: 100, hash: '' }).broken?.seq).toBe(10);
    expect(read).toBe(10);
  });
});

describe('parseAnchor', () => {
  it('reads SEQ:HASH as verify prints it, and nothing else', () => {
    const hash = 'ab'.repeat(32);
    expect(parseAnchor(`12:${hash}`)).toEqual({ seq: 12, hash });
    expect(parseAnchor(` 12:${hash.toUpperCase()} `)).toEqual({ seq: 12, hash });
    expect(parseAnchor(hash)).toBeUndefined();
    expect(parseAnchor(`x:${hash}`)).toBeUndefined();
    expect(parseAnchor('12:abc')).toBeUndefined();
  });
});
