import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatDuration,
  formatTime,
  rpoVerdict,
  rtoVerdict,
  shortHash,
} from '../../../web/src/lib/format.js';

describe('formatDuration', () => {
  it('reads at a glance, from milliseconds to days', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(2000)).toBe('2 s');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(59_600)).toBe('60 s');
    expect(formatDuration(300_000)).toBe('5 min');
    expect(formatDuration(90_000)).toBe('1 min 30 s');
    expect(formatDuration(12 * 60_000 + 5000)).toBe('12 min');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe('2 d 4 h');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-2000)).toBe('-2 s');
  });

  it('times in UTC, with the date when not today', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    expect(formatTime('2026-11-21T10:01:02.345Z', now)).toBe('10:01:02 UTC');
    expect(formatTime('2026-11-20T10:01:02Z', now)).toBe('2026-11-20 10:01:02 UTC');
    expect(formatTime(undefined, now)).toBe('—');
    expect(formatAgo('2026-11-21T11:59:48Z', now.getTime())).toBe('12 s ago');
    expect(formatAgo('2026-11-21T12:00:00Z', now.getTime())).toBe('just now');
    expect(shortHash('sha256:9c1f0a7be2d34f5a')).toBe('9c1f0a7be2');
    expect(shortHash('9c1f0a7be2d34f5a')).toBe('9c1f0a7be2');
  });
});

describe('RPO verdict', () => {
  it('shows now against the target, the worst data set deciding', () => {
    const v = rpoVerdict(
      [
        { dataSet: 'db', kind: 'replica', rpoMs: 12_000, targetMs: 300_000, within: true },
        { dataSet: 'files', kind: 'mirror', rpoMs: 3000, targetMs: 300_000, within: true },
      ],
      300_000,
    );
    expect(v).toEqual({ state: 'ok', text: '12 s / 5 min', label: 'within target' });
  });

  it('is over (in words too) when a data set is over its target', () => {
    const v = rpoVerdict(
      [
        { dataSet: 'db', kind: 'replica', rpoMs: 1000, targetMs: 5000, within: true },
        { dataSet: 'files', kind: 'backup', rpoMs: 7_200_000, targetMs: 3_600_000, within: false },
      ],
      3_600_000,
    );
    expect(v.state).toBe('over');
    expect(v.text).toBe('2 h / 1 h');
    expect(v.label).toMatch(/OVER/);
  });

  it('is unknown when a data set cannot be measured, unless another is already over', () => {
    expect(rpoVerdict([{ dataSet: 'db', kind: 'replica', targetMs: 5000 }], 5000)).toMatchObject({
      state: 'unknown',
      text: '? / 5 s',
    });
    expect(
      rpoVerdict(
        [
          { dataSet: 'db', kind: 'replica', targetMs: 5000 },
          { dataSet: 'f', kind: 'mirror', rpoMs: 9000, targetMs: 5000, within: false },
        ],
        5000,
      ).state,
    ).toBe('over');
  });

  it('says so when nothing is replicated', () => {
    expect(rpoVerdict([], 5000).state).toBe('none');
    expect(rpoVerdict([{ dataSet: 'x', kind: 'none', targetMs: 5000 }], 5000).state).toBe('none');
  });

  it('compares the planned RTO with the target', () => {
    expect(rtoVerdict(60_000, 300_000)).toMatchObject({ state: 'ok', text: '1 min / 5 min' });
    expect(rtoVerdict(600_000, 300_000).state).toBe('over');
    expect(rtoVerdict(undefined, 300_000)).toMatchObject({ state: 'unknown', text: '— / 5 min' });
  });
});
