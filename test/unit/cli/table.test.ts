// Terminal output helpers: aligned columns whatever the colour, and colour only where it helps.
import { describe, expect, it } from 'vitest';
import {
  count,
  palette,
  renderTable,
  shortList,
  wantsColour,
} from '../../../src/cli/output/table.js';

describe('tables', () => {
  it('pad on the visible text, right-align numbers, and paint after padding', () => {
    const red = palette(true).red;
    const text = renderTable(
      [{ header: 'SERVICE' }, { header: 'RTO', align: 'right' }, { header: 'VERDICT' }],
      [
        ['www', '10m', 'ok'],
        ['dlrn-db', '4.5h', { text: 'fails', paint: red }],
      ],
    );
    expect(text.split('\n')).toEqual([
      'SERVICE   RTO  VERDICT',
      'www       10m  ok',
      'dlrn-db  4.5h  \u001b[31mfails\u001b[39m',
      '',
    ]);
  });
});

describe('colour', () => {
  it('only on a terminal, and never with NO_COLOR set', () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(false, {})).toBe(false);
    expect(wantsColour(undefined, {})).toBe(false);
  });

  it('leaves text untouched when off', () => {
    expect(palette(false).red('x')).toBe('x');
  });
});

describe('short lists and counts', () => {
  it('cut long lists with a count, and pluralise', () => {
    expect(shortList(['a', 'b', 'c'], 2)).toBe('a, b … (+1)');
    expect(shortList(['a', 'b'], 2)).toBe('a, b');
    expect(count(1, 'error')).toBe('1 error');
    expect(count(3, 'warning')).toBe('3 warnings');
  });
});
