// Line and column of a plan path in a file parsed by the block subset, the same position
// `locateInFile` finds in a `yaml` document: a scalar is pointed at itself, a collection in a
// mapping at its key, an item of a sequence at the item.
import type { PlanPath } from './diagnostic.js';
import type { SubsetParse } from './yaml-block-subset.js';

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
  const { blocks, keyIds } = parsed.positions;
  let node = parsed.positions.root;
  let offset = parsed.rootOffset;
  const segments = key === undefined ? path : [...path, key];
  for (let i = 0; i < segments.length && node >= 0; i++) {
    const seg = segments[i];
    const header = blocks[node] as number;
    if (header >= 0) {
      // A mapping: `header` entries of keyId, keyOffset, valueOffset, child.
      const id = keyIds.get(String(seg));
      if (id === undefined) break;
      let at = -1;
      for (let j = node + 1, end = node + 1 + 4 * header; j < end; j += 4) {
        if (blocks[j] === id) {
          at = j;
          break;
        }
      }
      if (at < 0) break;
      offset = blocks[at + 1] as number;
      if (key !== undefined && i === segments.length - 1) break;
      const valueOffset = blocks[at + 2] as number;
      if (valueOffset >= 0) offset = valueOffset;
      node = blocks[at + 3] as number;
    } else if (typeof seg === 'number' && Number.isInteger(seg) && seg >= 0) {
      // A sequence of −1 − header items: itemOffset, child.
      if (seg >= -1 - header) break;
      offset = blocks[node + 1 + 2 * seg] as number;
      node = blocks[node + 2 + 2 * seg] as number;
    } else {
      break;
    }
  }
  return offset;
}
