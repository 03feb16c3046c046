import { describe, expect, it } from 'vitest';
import { textChart } from './text-chart.js';

describe('textChart', () => {
  it('puts each point in the cell its value falls in, worked out by hand on a 5 × 3 grid', () => {
    // x 0…4 → columns 0…4; y 0…10 → rows 2 (bottom) … 0 (top); (2, 5) is the middle.
    const lines = textChart(
      [
        { name: 'a', mark: '•', points: [[0, 0], [2, 5], [4, 10]] },
        { name: 'b', mark: 'o', points: [[4, 0]] },
      ],
      { width: 5, height: 3, title: 't', xLabel: 'x' },
    );
    expect(lines).toEqual([
      't   • a   o b',
      '10 ┤    •',
      ' 5 ┤  •  ',
      ' 0 ┤•   o',
      '   └─────',
      expect.stringMatching(/^ {4}0 +x +4$/),
    ]);
  });

  it('a flat series is drawn mid-height; no finite point is said so', () => {
    const flat = textChart([{ name: 'a', mark: '*', points: [[0, 2], [1, 2]] }], { width: 2, height: 3, title: 't', xLabel: 'x' });
    expect(flat.slice(1, 4)).toEqual(['3 ┤  ', '2 ┤**', '1 ┤  ']);
    expect(textChart([{ name: 'a', mark: '*', points: [[0, NaN]] }], { title: 't', xLabel: 'x' })).toEqual(['t', '  (no finite points)']);
  });
});
