// Durations in plans are written as in the seed documents: `30s`, `15m`, `4h`, `5d`, and
// combinations such as `1h30m`. Internally every duration is a number of milliseconds.

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;
type Unit = keyof typeof UNIT_MS;

export const DURATION_PATTERN = '^(0|([0-9]+(ms|s|m|h|d|w))+)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  // The pattern matched: digits then a unit, repeated (or a lone `0`). Read them in one pass.
  let total = 0;
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    const n = Number(text.slice(i, j));
    if (j === text.length) return n; // the lone `0`
    const unit = (text.startsWith('ms', j) ? 'ms' : text[j]) as Unit;
    total += n * UNIT_MS[unit];
    i = j + unit.length;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The shortest exact form: 14400000 → `4h`, 5400000 → `1h30m`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** A rounded, human form for tables: 5400000 → `1.5h`, 90000 → `1.5m`. */
const HUMAN_UNITS: readonly (readonly [string, number])[] = [
  ['d', UNIT_MS.d],
  ['h', UNIT_MS.h],
  ['m', UNIT_MS.m],
  ['s', UNIT_MS.s],
];

/**
 * The forms already made, by value: a report formats a few dozen distinct durations tens of
 * thousands of times. Bounded, so that a process formatting many durations does not grow.
 */
const HUMAN_MADE = new Map<number, string>();

export function humanDuration(ms: number): string {
  let text = HUMAN_MADE.get(ms);
  if (text !== undefined) return text;
  text = humanForm(ms);
  if (HUMAN_MADE.size < 4096) HUMAN_MADE.set(ms, text);
  return text;
}

function humanForm(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  for (const [unit, size] of HUMAN_UNITS) {
    if (ms >= size) return `${Number((ms / size).toFixed(1))}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}
