// Line and column of a plan path in a file parsed by the block subset, the same position
// `locateInFile` finds in a `yaml` document: a scalar is pointed at itself, a collection in a
// mapping at its key, an item of a sequence at the item.
import type { PlanPath } from './diagnostic.js';
import type { Positions, SubsetParse } from './yaml-block-subset.js';

/** Offsets of line starts, computed on the first lookup (most files never need one). */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** 1-based line and column of an offset, as `yaml`'s LineCounter gives them. */
  linePos(offset: number): { line: number; col: number } {
    const starts = this.lineStarts();
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((starts[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - (starts[low - 1] as number) + 1 };
  }

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    const text = this.text;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
    this.starts = starts;
    return starts;
  }
}

/** The offset `yaml`'s document would give for `path` (and `key` inside it) in this file. */
export function locateInSubset(
  parsed: Pick<SubsetParse, 'positions' | 'rootOffset'>,
  path: PlanPath,
  key?: string,
): number {
  let node: Positions | null = parsed.positions;
  let isMap = true;
  let offset = parsed.rootOffset;
  const segments = key === undefined ? path : [...path, key];
  for (let i = 0; i < segments.length && node; i++) {
    const seg = segments[i];
    if (isMap) {
      const at = keyAt(node, String(seg));
      if (at < 0) break;
      offset = node[at + 1] as number;
      if (key !== undefined && i === segments.length - 1) break;
      const valueOffset = node[at + 2] as number;
      if (valueOffset >= 0) offset = valueOffset;
      node = node[at + 3] as Positions | null;
    } else if (typeof seg === 'number' && Number.isInteger(seg) && seg >= 0) {
      if (2 * seg >= node.length) break;
      offset = node[2 * seg] as number;
      node = node[2 * seg + 1] as Positions | null;
    } else {
      break;
    }
    isMap = node !== null && typeof node[0] === 'string';
  }
  return offset;
}

/** Mappings with more keys than this get an index on their first lookup (`services` has thousands). */
const INDEXED = 32;
const keyIndexes = new WeakMap<Positions, Map<string, number>>();

/** Where `name`'s entry starts in a mapping's Positions, or −1. */
function keyAt(node: Positions, name: string): number {
  if (node.length <= 4 * INDEXED) {
    for (let j = 0; j < node.length; j += 4) if (node[j] === name) return j;
    return -1;
  }
  let index = keyIndexes.get(node);
  if (!index) {
    index = new Map();
    for (let j = 0; j < node.length; j += 4) index.set(node[j] as string, j);
    keyIndexes.set(node, index);
  }
  return index.get(name) ?? -1;
}
