// Cron expressions as the plan's `schedule` fields take them: parsed in core (no croner), their
// longest gap between two runs (the RPO of a scheduled copy), and the same runs as croner (the
// controller's scheduler) computes.
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { cronDayMatches, cronWorstGapMs, parseCron } from '../../../src/core/plan/cron.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseCron', () => {
  it('takes 5 fields, or 6 with seconds first, names, lists, ranges, steps, L and #', () => {
    for (const ok of [
      '*/15 * * * *',
      '0 2 * * *',
      '30 */10 * * * *',
      '0 3 * * MON-FRI',
      '0 0 1,15 JAN,JUL *',
      '5/10 1-5/2 * * *',
      '0 0 L * *',
      '0 0 * * 5#L',
      '0 0 * * FRI#2',
      '0 0 * * 7',
    ])
      expect(parseCron(ok), ok).toHaveProperty('spec');
  });

  it('refuses what croner would read differently or not at all, saying why', () => {
    const bad: [string, RegExp][] = [
      ['* * * *', /has 4 fields/],
      ['? * * * *', /`\?`/],
      ['0 0 15W * *', /`W`/],
      ['60 * * * *', /outside 0-59/],
      ['0 24 * * *', /outside 0-23/],
      ['0 0 0 * *', /outside 1-31/],
      ['*/0 * * * *', /step/],
      ['5-1 * * * *', /backwards/],
      ['0 0 * * FOO', /not a name/],
      ['0 0 * * 1#6', /1-5 or L/],
      ['0 0 * JANUARY *', /not a name/],
      ['0 L * * *', /hour: `L`/],
    ];
    for (const [expr, why] of bad) {
      const r = parseCron(expr);
      expect('error' in r ? r.error : 'parsed', expr).toMatch(why);
    }
  });
});

describe('cronWorstGapMs', () => {
  it('is the longest wait between two runs, across days, weekends and months', () => {
    expect(cronWorstGapMs('* * * * * *')).toBe(S);
    expect(cronWorstGapMs('*/15 * * * *')).toBe(15 * M);
    expect(cronWorstGapMs('0 2 * * *')).toBe(D);
    expect(cronWorstGapMs('0 8,20 * * *')).toBe(12 * H);
    expect(cronWorstGapMs('0 9-17 * * *')).toBe(16 * H);
    // Friday 23:00 to Monday 23:00.
    expect(cronWorstGapMs('0 23 * * 1-5')).toBe(3 * D);
    // The last day of July to the last of August.
    expect(cronWorstGapMs('0 0 L * *')).toBe(31 * D);
    // 1st or a Monday (either: Vixie cron's rule).
    expect(cronWorstGapMs('0 0 1 * 1')).toBe(7 * D);
  });

  it('is null for a schedule that never runs, undefined for one that does not parse', () => {
    expect(cronWorstGapMs('0 0 30 2 *')).toBeNull();
    expect(cronWorstGapMs('nope')).toBeUndefined();
  });

  it('agrees with croner: every run croner computes is a day and time of the schedule, no gap longer', () => {
    for (const expr of [
      '*/15 * * * *',
      '0 23 * * 1-5',
      '0 0 L * *',
      '0 0 1 * 1',
      '0 0 * * 5#L',
      '0 6 * * FRI#2',
      '30 5/20 1-5/2 * * *',
      '0 0 29 2 *',
    ]) {
      // The 28-year cycle the gap is computed on is exact up to 2099 (2100 is no leap year).
      const runs = new Cron(expr, { timezone: 'Etc/UTC', paused: true })
        .nextRuns(400, new Date(Date.UTC(2027, 0, 1)))
        .filter((r) => r.getUTCFullYear() < 2100);
      expect(runs.length, expr).toBeGreaterThan(1);
      const spec = parseCron(expr);
      if (!('spec' in spec)) throw new Error(expr);
      const worst = cronWorstGapMs(expr) as number;
      for (let i = 0; i < runs.length; i++) {
        const r = runs[i] as Date;
        expect(cronDayMatches(spec.spec, r), `${expr} ${r.toISOString()}`).toBe(true);
        expect(spec.spec.hours).toContain(r.getUTCHours());
        expect(spec.spec.minutes).toContain(r.getUTCMinutes());
        expect(spec.spec.seconds).toContain(r.getUTCSeconds());
        if (i > 0)
          expect(r.getTime() - (runs[i - 1] as Date).getTime(), expr).toBeLessThanOrEqual(worst);
      }
    }
  });
});
