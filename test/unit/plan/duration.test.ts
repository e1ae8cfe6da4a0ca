import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, humanDuration, parseDuration } from '../../../src/core/plan/duration.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/** The definition: the pattern, then the sum of every number times its unit. */
function reference(text: string): number | undefined {
  if (!/^(0|([0-9]+(ms|s|m|h|d|w))+)$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g))
    total += Number(n) * (UNIT_MS[unit as string] as number);
  return Number.isSafeInteger(total) ? total : undefined;
}

describe('durations', () => {
  it('parses the written forms', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('100ms')).toBe(100);
    expect(parseDuration('1m1ms')).toBe(60_001);
    expect(parseDuration('5ms5s')).toBe(5_005);
    for (const bad of ['', '00', '1', '1x', '1.5h', ' 1s', '1s ', '-1s', '99999999999999999999d'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('agrees with the definition on generated text', () => {
    const part = fc
      .tuple(fc.nat({ max: 100_000 }), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'x', ''))
      .map(([n, u]) => `${n}${u}`);
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.join('');
        expect(parseDuration(text)).toBe(reference(text));
      }),
      { seed: 20_261_121, numRuns: 2_000 },
    );
  });

  it('formats', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(humanDuration(5_400_000)).toBe('1.5h');
    expect(humanDuration(90_000)).toBe('1.5m');
    expect(humanDuration(250)).toBe('250ms');
    expect(humanDuration(Number.POSITIVE_INFINITY)).toBe('∞');
  });
});
