import { describe, expect, it } from 'vitest';
import { placeLabels } from './labels.js';

// Hand-worked: rings of radius 7, a 3 px gap and a 12 px line put a label's centre 7 + 3 + 6 = 16 px
// above or below its point; beside it, 7 + 3 + half of 2 × 6.6 px = 16.6 px.
const bounds = { left: 0, right: 400, top: 0, bottom: 300 };

describe('placeLabels', () => {
  it('puts a label above its ring, and a close neighbour’s below rather than on top of it', () => {
    const offsets = placeLabels(
      [
        { x: 100, y: 50, text: '#1' },
        { x: 104, y: 52, text: '#2' },
        { x: 200, y: 50, text: '#3' },
      ],
      7,
      bounds,
    );
    expect(offsets).toEqual([
      { dx: 0, dy: -16 },
      { dx: 0, dy: 16 },
      { dx: 0, dy: -16 },
    ]);
  });

  it('keeps labels inside the plot: a point at the top edge is labelled below', () => {
    expect(placeLabels([{ x: 100, y: 5, text: '#1' }], 7, bounds)).toEqual([{ dx: 0, dy: 16 }]);
  });

  it('moves a label beside its ring when dots lie above and below it', () => {
    const dot = (x: number, y: number) => ({ left: x - 3, right: x + 3, top: y - 3, bottom: y + 3 });
    const [o] = placeLabels([{ x: 100, y: 100, text: '#1' }], 7, bounds, [dot(100, 84), dot(100, 116)]);
    expect(o.dy).toBe(0);
    expect(o.dx).toBeCloseTo(16.6, 9);
  });
});
