// The small pure functions under derivation: SHA-256 against the FIPS 180-4 vectors and
// node:crypto, canonical JSON, timeouts and retries, and the run's totals.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stepRetries, stepTimeoutMs } from '../../../src/core/runbook/estimate.js';
import {
  canonicalJson,
  type PlannedStep,
  planHash,
  runTotals,
  sha256Hex,
} from '../../../src/core/runbook/index.js';
import { H, M, S } from './lab-plan.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 example digests', () => {
    expect(sha256Hex(utf8(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(utf8('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex(utf8('a'.repeat(1_000_000)))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('agrees with node:crypto on every length around the padding boundaries, and on UTF-8', () => {
    for (let n = 0; n <= 130; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(sha256Hex(bytes), `length ${n}`).toBe(
        createHash('sha256').update(bytes).digest('hex'),
      );
    }
    const text = 'dlrn-db → réplica 🛟';
    expect(sha256Hex(utf8(text))).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});

describe('canonicalJson and planHash', () => {
  it('sorts keys at every level, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }, 2], e: null })).toBe(
      '{"a":[{"c":"x"},2],"b":1,"e":null}',
    );
    expect(canonicalJson([3, 1])).toBe('[3,1]');
    expect(canonicalJson('é"')).toBe('"é\\""');
  });

  it('is sha256: of the canonical JSON, equal for equal plans whatever their key order', () => {
    const a = { name: 'p', services: { x: { tier: 'high', strategy: 'redeploy' } } };
    const b = { services: { x: { strategy: 'redeploy', tier: 'high' } }, name: 'p' };
    expect(planHash(a)).toBe(planHash(b));
    expect(planHash(a)).toBe(
      `sha256:${createHash('sha256').update(canonicalJson(a)).digest('hex')}`,
    );
    expect(planHash({ ...a, name: 'q' })).not.toBe(planHash(a));
  });
});

describe('stepTimeoutMs', () => {
  it('twice the estimate plus a minute, between 2 minutes and a day', () => {
    expect(stepTimeoutMs({ ms: M, source: 'default' }, false)).toBe(3 * M);
    expect(stepTimeoutMs({ ms: 10 * S, source: 'default' }, false)).toBe(2 * M);
    expect(stepTimeoutMs({ ms: 4 * H, source: 'plan' }, false)).toBe(8 * H + M);
    expect(stepTimeoutMs({ ms: 20 * H, source: 'plan' }, false)).toBe(24 * H);
  });

  it('at least an hour for a human; an hour (4 for a human) when nothing is known', () => {
    expect(stepTimeoutMs({ ms: 15 * M, source: 'plan' }, true)).toBe(H);
    expect(stepTimeoutMs({ ms: H, source: 'plan' }, true)).toBe(2 * H + M);
    expect(stepTimeoutMs({ ms: 0, source: 'unknown' }, false)).toBe(H);
    expect(stepTimeoutMs({ ms: 0, source: 'unknown' }, true)).toBe(4 * H);
    expect(stepTimeoutMs({ ms: 0, source: 'plan' }, false)).toBe(H);
  });
});

describe('stepRetries', () => {
  it('retries idempotent effects, a promote once, and never playbooks, rebuilds, checks or humans', () => {
    const table = Object.fromEntries(
      [
        'postgres.fence',
        'mariadb.unfence',
        'postgres.promote',
        'dns.switch',
        'haproxy.read-only',
        'rsync.sync',
        'probe.verify',
        'ansible.playbook',
        'postgres.rebuild',
        'engine.check-ready',
        'engine.wait-catch-up',
        'engine.confirm',
        'command.run',
        'manual',
      ].map((a) => [a, stepRetries(a)]),
    );
    expect(table).toEqual({
      'postgres.fence': 2,
      'mariadb.unfence': 2,
      'postgres.promote': 1,
      'dns.switch': 2,
      'haproxy.read-only': 2,
      'rsync.sync': 2,
      'probe.verify': 2,
      'ansible.playbook': 0,
      'postgres.rebuild': 0,
      'engine.check-ready': 0,
      'engine.wait-catch-up': 0,
      'engine.confirm': 0,
      'command.run': 0,
      manual: 0,
    });
  });
});

describe('runTotals', () => {
  const s = (id: string, ms: number, needs: string[], unknown = false): PlannedStep =>
    ({
      id,
      estimateMs: ms,
      estimateSource: unknown ? 'unknown' : 'plan',
      needs,
    }) as PlannedStep;

  it('the critical path through `needs`, the sequential sum, and the steps without estimate', () => {
    const steps = [
      s('a1', 10, []),
      s('a2', 20, ['a1']),
      s('b1', 5, []),
      s('c1', 1, ['a2', 'b1']),
      s('d1', 0, ['c1'], true),
    ];
    expect(runTotals({ steps })).toEqual({ criticalPathMs: 31, sequentialMs: 36, unknownSteps: 1 });
  });

  it('survives a `needs` cycle and needs on unknown ids', () => {
    const steps = [s('x', 1, ['y']), s('y', 2, ['x']), s('z', 3, ['nope'])];
    expect(runTotals({ steps }).sequentialMs).toBe(6);
    expect(runTotals({ steps }).criticalPathMs).toBeGreaterThanOrEqual(3);
  });
});
