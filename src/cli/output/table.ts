// Plain-text tables and optional ANSI colour for terminal reports. Colour never changes the
// width computations: cells are padded on their visible text, then painted.

export type Paint = (text: string) => string;

export interface Palette {
  red: Paint;
  yellow: Paint;
  green: Paint;
  dim: Paint;
  bold: Paint;
}

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const same: Paint = (text) => text;

export function palette(colour: boolean): Palette {
  if (!colour) return { red: same, yellow: same, green: same, dim: same, bold: same };
  return {
    red: ansi(31, 39),
    yellow: ansi(33, 39),
    green: ansi(32, 39),
    dim: ansi(2, 22),
    bold: ansi(1, 22),
  };
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColour(isTty: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTty === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A cell's visible text and, optionally, how to paint it once padded. */
export type Cell = string | { text: string; paint: Paint };

export function renderTable(columns: readonly Column[], rows: readonly Cell[][]): string {
  const text = (c: Cell | undefined) => (typeof c === 'string' ? c : (c?.text ?? ''));
  const widths = columns.map((col) => col.header.length);
  for (const row of rows) {
    row.forEach((cell, i) => {
      const w = text(cell).length;
      if (w > (widths[i] ?? 0)) widths[i] = w;
    });
  }
  const line = (cells: readonly Cell[]) =>
    columns
      .map((col, i) => {
        const cell = cells[i];
        const t = text(cell);
        const last = i === columns.length - 1 && col.align !== 'right';
        const pad = last ? '' : ' '.repeat((widths[i] ?? 0) - t.length);
        const padded = col.align === 'right' ? pad + t : t + pad;
        return typeof cell === 'object' ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header))];
  for (const row of rows) out.push(line(row));
  return `${out.join('\n')}\n`;
}

/** `a, b, c` or the first `max` and a count of the rest. */
export function shortList(names: readonly string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} … (+${names.length - max})`;
}

/** `1 error`, `2 errors`; `info` does not take a plural. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
