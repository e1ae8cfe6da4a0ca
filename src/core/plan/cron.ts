// Cron expressions (pure): the syntax `croner` runs (the controller's scheduler), parsed here so
// that a plan is validated and its RPO judged without running anything. Five fields (minute hour
// day-of-month month day-of-week) or six (a leading second); `*`, lists, ranges, steps
// (`*/15`, `5/10`, `1-5/2`), month and weekday names (JAN-DEC, SUN-SAT), `L` in the day of the
// month (its last day), `#n` / `#L` on a weekday (the n-th / last of the month). When both the
// day of the month and the day of the week are restricted, a day matching either runs (Vixie
// cron's rule, croner's default). `?` (croner: the time it starts) and `W` are refused: a plan's
// schedule must mean the same whenever it is read.

export interface CronSpec {
  seconds: readonly number[];
  minutes: readonly number[];
  hours: readonly number[];
  /** Days of the month 1-31. */
  days: ReadonlySet<number>;
  lastDay: boolean;
  /** Months 1-12. */
  months: ReadonlySet<number>;
  /** Per weekday 0-6 (Sunday 0): which occurrences in the month (1-5, and 6 = the last). */
  weekdays: ReadonlyMap<number, ReadonlySet<number>>;
  starDom: boolean;
  starDow: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const LAST = 6;

class CronSyntax extends Error {}

function names(field: string, list: readonly string[], base: number): string {
  return field.replace(/[a-z]{3}/gi, (m) => {
    const i = list.indexOf(m.toLowerCase());
    if (i < 0) throw new CronSyntax(`\`${m}\` is not a name`);
    return String(i + base);
  });
}

function int(s: string, what: string): number {
  if (!/^\d{1,2}$/.test(s)) throw new CronSyntax(`${what}: \`${s}\` is not a number`);
  return Number(s);
}

/** The values of one field (`min`..`max`), each item of its list expanded. */
function values(field: string, min: number, max: number, what: string): number[] {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new CronSyntax(`${what}: an empty item`);
    const [range, stepText, ...extra] = item.split('/') as [string, string | undefined];
    if (extra.length > 0) throw new CronSyntax(`${what}: \`${item}\``);
    let lo = min;
    let hi = max;
    if (range === '*') {
      // every value
    } else if (range.includes('-')) {
      const [a, b, ...rest] = range.split('-');
      if (rest.length > 0 || a === undefined || b === undefined)
        throw new CronSyntax(`${what}: \`${item}\` is not a range`);
      lo = int(a, what);
      hi = int(b, what);
      if (lo > hi) throw new CronSyntax(`${what}: \`${item}\` goes backwards`);
    } else {
      lo = int(range, what);
      // `5/10`: from 5 to the end, every 10; `5` alone: 5.
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max) throw new CronSyntax(`${what}: \`${item}\` is outside ${min}-${max}`);
    const step = stepText === undefined ? 1 : int(stepText, what);
    if (step < 1 || step > max - min + 1)
      throw new CronSyntax(`${what}: the step of \`${item}\` must be 1-${max - min + 1}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function weekdayField(field: string): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  const all = [1, 2, 3, 4, 5];
  for (const item of field.split(',')) {
    const [part, nth, ...rest] = item.split('#') as [string, string | undefined];
    if (rest.length > 0) throw new CronSyntax(`day of week: \`${item}\``);
    let which: number[] = all;
    if (nth !== undefined) {
      if (nth === 'L') which = [LAST];
      else {
        const n = int(nth, 'day of week');
        if (n < 1 || n > 5) throw new CronSyntax(`day of week: \`#${nth}\` must be 1-5 or L`);
        which = [n];
      }
    }
    for (const d of values(part, 0, 7, 'day of week')) {
      const day = d === 7 ? 0 : d;
      const set = out.get(day) ?? new Set<number>();
      for (const w of which) set.add(w);
      out.set(day, set);
    }
  }
  return out;
}

/** Parses a cron expression; `error` says what is wrong with it. */
export function parseCron(expr: string): { spec: CronSpec } | { error: string } {
  try {
    if (/[?W@]/.test(expr))
      throw new CronSyntax('`?`, `W` and `@` forms are not supported: write the fields');
    const parts = expr.trim().split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6)
      throw new CronSyntax(`has ${parts.length} fields: write 5 (or 6 with seconds first)`);
    if (parts.length === 5) parts.unshift('0');
    const [sec, min, hour, dom0, mon, dow] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    let dom = dom0;
    let lastDay = false;
    if (dom.includes('L')) {
      lastDay = true;
      dom = dom
        .replace('L', '')
        .split(',')
        .filter((x) => x !== '')
        .join(',');
      if (/L/.test(dom)) throw new CronSyntax('day of month: `L` twice');
    }
    if (/[A-KM-Za-z]/.test(`${sec}${min}${hour}${dom}`))
      throw new CronSyntax('letters are allowed only as month and weekday names and `L`');
    const weekText = names(dow, DAYS, 0);
    if (/[A-KM-Za-z]/.test(weekText)) throw new CronSyntax('day of week: unknown letters');
    const spec: CronSpec = {
      seconds: values(sec, 0, 59, 'second'),
      minutes: values(min, 0, 59, 'minute'),
      hours: values(hour, 0, 23, 'hour'),
      days: new Set(dom === '' ? [] : values(dom, 1, 31, 'day of month')),
      lastDay,
      months: new Set(values(names(mon, MONTHS, 1), 1, 12, 'month')),
      weekdays: weekdayField(weekText),
      starDom: dom0 === '*',
      starDow: dow === '*',
    };
    return { spec };
  } catch (e) {
    if (e instanceof CronSyntax) return { error: e.message };
    throw e;
  }
}

/** Whether the calendar day (UTC fields of `date`) is one the schedule runs on. */
export function cronDayMatches(spec: CronSpec, date: Date): boolean {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  if (!spec.months.has(m + 1)) return false;
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const domOk = spec.days.has(d) || (spec.lastDay && d === daysInMonth);
  if (spec.starDow) return domOk;
  const occ = spec.weekdays.get(date.getUTCDay());
  const dowOk =
    occ !== undefined &&
    (occ.has(Math.floor((d - 1) / 7) + 1) || (occ.has(LAST) && d + 7 > daysInMonth));
  return spec.starDom ? dowOk : domOk || dowOk;
}

const DAY_S = 86_400;
/** 2001-2028: the Gregorian calendar's 28-year cycle of weekdays (exact from 1901 to 2099). */
const CYCLE_START = Date.UTC(2001, 0, 1);
const CYCLE_DAYS = 10_227;
const gaps = new Map<string, number | null>();

/**
 * The longest time between two consecutive runs of the schedule, in ms, on wall-clock time (a
 * daylight-saving change may add its hour once); null when it never runs (`0 0 30 2 *`).
 */
export function cronWorstGapMs(expr: string): number | null | undefined {
  const known = gaps.get(expr);
  if (known !== undefined) return known;
  const parsed = parseCron(expr);
  if ('error' in parsed) return undefined;
  const { spec } = parsed;
  const times: number[] = [];
  for (const h of spec.hours)
    for (const mi of spec.minutes) for (const s of spec.seconds) times.push(h * 3600 + mi * 60 + s);
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  let intra = 0;
  for (let i = 1; i < times.length; i++)
    intra = Math.max(intra, (times[i] as number) - (times[i - 1] as number));
  let firstDay: number | undefined;
  let prevDay: number | undefined;
  let worst = intra;
  const date = new Date(CYCLE_START);
  for (let day = 0; day < CYCLE_DAYS; day++) {
    date.setTime(CYCLE_START + day * DAY_S * 1000);
    if (!cronDayMatches(spec, date)) continue;
    if (prevDay !== undefined) worst = Math.max(worst, (day - prevDay) * DAY_S + first - last);
    firstDay ??= day;
    prevDay = day;
  }
  let result: number | null = null;
  if (firstDay !== undefined && prevDay !== undefined) {
    // The cycle repeats: from the last run of the cycle to the first of the next.
    worst = Math.max(worst, (firstDay + CYCLE_DAYS - prevDay) * DAY_S + first - last);
    result = worst * 1000;
  }
  if (gaps.size >= 1000) gaps.clear();
  gaps.set(expr, result);
  return result;
}
