// The probes' timer wheel: callbacks fire on the turn they are due, a cancelled one never, a
// stopped wheel holds no timer and forgets what was pending.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/controller/clock.js';
import { TimerWheel } from '../../../src/controller/timer-wheel.js';

describe('TimerWheel', () => {
  it('fires each callback on its turn, in turns of tickMs, and not a cancelled one', async () => {
    const clock = new ManualClock();
    const wheel = new TimerWheel(clock, 20);
    const fired: string[] = [];
    wheel.start();
    wheel.after(100, () => fired.push('100'));
    wheel.after(45, () => fired.push('45'));
    const cancel = wheel.after(60, () => fired.push('60'));
    cancel();
    await clock.advance(40);
    expect(fired).toEqual(['45']); // 45 ms rounds to 2 turns (40 ms)
    await clock.advance(60);
    expect(fired).toEqual(['45', '100']);
    wheel.stop();
    expect(wheel.turning).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('callbacks due far ahead fire on their turns, in order', async () => {
    const clock = new ManualClock();
    const wheel = new TimerWheel(clock, 20);
    const fired: number[] = [];
    wheel.start();
    for (const ms of [20, 200, 2000]) wheel.after(ms, () => fired.push(ms));
    await clock.advance(2020);
    expect(fired).toEqual([20, 200, 2000]);
    wheel.stop();
  });

  it('a turn that comes late fires every bucket it missed at once', async () => {
    let now = 0;
    let tick: (() => void) | undefined;
    const clock = {
      now: () => now,
      random: () => 0.5,
      after: (_ms: number, fn: () => void) => {
        tick = fn;
        return () => {
          tick = undefined;
        };
      },
    };
    const wheel = new TimerWheel(clock, 20);
    const fired: number[] = [];
    wheel.start();
    for (const ms of [20, 200, 2000, 30_000]) wheel.after(ms, () => fired.push(ms));
    // The process was busy: the first tick comes 2 s late.
    now = 2010;
    tick?.();
    expect(fired).toEqual([20, 200, 2000]);
    // A clock jump past 500 turns: everything due fires in one go.
    now = 40_000;
    tick?.();
    expect(fired).toEqual([20, 200, 2000, 30_000]);
    wheel.stop();
    expect(tick).toBeUndefined();
  });

  it('stop forgets what was pending', async () => {
    const clock = new ManualClock();
    const wheel = new TimerWheel(clock, 20);
    const fired: number[] = [];
    wheel.start();
    wheel.after(20, () => fired.push(1));
    wheel.stop();
    await clock.advance(100);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
