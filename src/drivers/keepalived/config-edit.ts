// The one edit the keepalived driver makes to a node's configuration: the `priority` of one
// `vrrp_instance`. Pure. The block is found by brace matching with comments skipped, and the file
// is refused (not guessed at) when it does not have exactly one priority line in that block.
import { LifeboatError } from '../../core/errors/index.js';

export interface InstanceFacts {
  priority: number;
  /** `nopreempt` is set: a higher priority never takes the VIP from a live master. */
  nopreempt: boolean;
  /** `state MASTER|BACKUP` as configured (the initial state only). */
  state: string | undefined;
  /** `advert_int` in seconds, when given. */
  advertInt: number | undefined;
}

interface Line {
  text: string;
  /** Brace depth at the start of the line, counted without comments. */
  depth: number;
}

function stripComment(line: string): string {
  const i = line.search(/[#!]/);
  return i < 0 ? line : line.slice(0, i);
}

function refuse(file: string, why: string): never {
  throw new LifeboatError('LB_E_KEEPALIVED_CONFIG_EDIT', `${file}: ${why}`);
}

/** Indexes of the lines inside `vrrp_instance <name> { ... }` at the block's own level. */
function instanceLines(
  text: string,
  instance: string,
  file: string,
): { lines: Line[]; own: number[] } {
  const lines: Line[] = [];
  let depth = 0;
  for (const raw of text.split('\n')) {
    lines.push({ text: raw, depth });
    for (const ch of stripComment(raw)) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
  }
  const header = new RegExp(
    `^\\s*vrrp_instance\\s+${instance.replace(/[.]/g, '\\.')}\\s*\\{?\\s*$`,
  );
  const starts = lines.flatMap((l, i) =>
    l.depth === 0 && header.test(stripComment(l.text)) ? [i] : [],
  );
  if (starts.length !== 1) {
    refuse(file, `expected one \`vrrp_instance ${instance}\` block, found ${starts.length}`);
  }
  const start = starts[0] as number;
  const own: number[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] as Line;
    if (l.depth === 0 && i > start + 1) break;
    if (l.depth === 1) own.push(i);
  }
  return { lines, own };
}

function keyword(line: string): [string, string | undefined] {
  const words = stripComment(line).trim().split(/\s+/);
  return [words[0] ?? '', words[1]];
}

/** Reads what the driver needs from an instance block. */
export function readInstance(text: string, instance: string, file: string): InstanceFacts {
  const { lines, own } = instanceLines(text, instance, file);
  const kv = own.map((i) => keyword((lines[i] as Line).text));
  const priorities = kv.filter(([k]) => k === 'priority');
  if (priorities.length !== 1) {
    refuse(
      file,
      `vrrp_instance ${instance} has ${priorities.length} \`priority\` lines; Lifeboat edits exactly one`,
    );
  }
  const priority = Number(priorities[0]?.[1]);
  if (!Number.isInteger(priority) || priority < 1 || priority > 255) {
    refuse(file, `vrrp_instance ${instance} has a priority that is not 1-255`);
  }
  const advert = kv.find(([k]) => k === 'advert_int')?.[1];
  return {
    priority,
    nopreempt: kv.some(([k]) => k === 'nopreempt'),
    state: kv.find(([k]) => k === 'state')?.[1],
    advertInt: advert === undefined ? undefined : Number(advert),
  };
}

export interface PriorityEdit {
  /** 1-based line of the instance's `priority`. */
  line: number;
  from: number;
  to: number;
  /**
   * A GNU sed script that changes that line's number from `from` to `to` and prints the changed
   * line (`w /dev/stdout`): nothing printed means the file changed since it was read. Built
   * from integers only. `sed -i` writes a new file and renames it: keepalived never reads half.
   */
  sedScript: string;
  /** The text as it will be after the edit. */
  result: string;
}

/** How to set the instance's priority to `priority`; everything else stays byte-identical. */
export function priorityEdit(
  text: string,
  instance: string,
  priority: number,
  file: string,
): PriorityEdit {
  if (!Number.isInteger(priority) || priority < 1 || priority > 254) {
    throw new LifeboatError('LB_E_DRIVER_BAD_INPUT', 'a VRRP priority must be 1-254');
  }
  const from = readInstance(text, instance, file).priority;
  const { lines, own } = instanceLines(text, instance, file);
  const at = own.find((i) => keyword((lines[i] as Line).text)[0] === 'priority') as number;
  const re = new RegExp(`^(\\s*priority\\s+)${from}(?!\\d)`);
  const result = lines
    .map((l, i) => (i === at ? l.text.replace(re, `$1${priority}`) : l.text))
    .join('\n');
  return {
    line: at + 1,
    from,
    to: priority,
    sedScript: `${at + 1}s/^([[:space:]]*priority[[:space:]]+)${from}([^0-9]|$)/\\1${priority}\\2/w /dev/stdout`,
    result,
  };
}

/**
 * New priorities that make `destination` the strict highest while reusing the values already in
 * use (so repeated switches do not drift): the destination takes the highest value, the others
 * the remaining ones in their present order, each kept below the destination's.
 */
export function priorityPlan(
  current: ReadonlyMap<string, number>,
  destination: string,
): Map<string, number> {
  const sorted = [...current.values()].sort((a, b) => b - a);
  const top = Math.min(254, sorted[0] ?? 100);
  const others = [...current.entries()]
    .filter(([name]) => name !== destination)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out = new Map<string, number>([[destination, top]]);
  let next = top;
  others.forEach(([name], i) => {
    const want = sorted[i + 1] ?? top - 1;
    next = Math.max(1, Math.min(want, next - 1));
    out.set(name, next);
  });
  return out;
}
