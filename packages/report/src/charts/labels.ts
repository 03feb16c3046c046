// Labels beside marked points that never collide: each label takes the first of a few offsets around
// its point (above, below, right, left, then further above and below) whose box meets no label placed
// before it, no marked point, no other obstacle (the chart's other dots) and no edge of the plot. Boxes are estimated from the text's length: the
// SVG is rendered without a browser, so nothing can be measured.

export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface LabelAnchor {
  /** The point's position in the panel, in pixels. */
  x: number;
  y: number;
  text: string;
}

export interface LabelOffset {
  dx: number;
  dy: number;
}

const CHAR = 6.6; // advance of a bold 10 px system-ui glyph, generously
const HEIGHT = 12; // a 10 px line's box
const GAP = 3;

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Offsets (dx, dy from the point to the label's centre) for labels around points drawn as rings of
 * `radius`, kept inside `bounds` and off the `obstacles`. Labels are placed in the order given, so the first gets the best spot.
 */
export function placeLabels(anchors: readonly LabelAnchor[], radius: number, bounds: Box, obstacles: readonly Box[] = []): LabelOffset[] {
  const rings: Box[] = anchors.map((a) => ({ left: a.x - radius, right: a.x + radius, top: a.y - radius, bottom: a.y + radius })).concat(obstacles);
  const placed: Box[] = [];
  return anchors.map((a) => {
    const w = a.text.length * CHAR;
    const above = -(radius + GAP + HEIGHT / 2);
    const side = radius + GAP + w / 2;
    const candidates: LabelOffset[] = [
      { dx: 0, dy: above },
      { dx: 0, dy: -above },
      { dx: side, dy: 0 },
      { dx: -side, dy: 0 },
    ];
    for (let k = 1; k <= 4; k++) candidates.push({ dx: 0, dy: above - k * HEIGHT }, { dx: 0, dy: -above + k * HEIGHT });
    const box = (o: LabelOffset): Box => ({
      left: a.x + o.dx - w / 2,
      right: a.x + o.dx + w / 2,
      top: a.y + o.dy - HEIGHT / 2,
      bottom: a.y + o.dy + HEIGHT / 2,
    });
    const fits = (b: Box) =>
      b.left >= bounds.left && b.right <= bounds.right && b.top >= bounds.top && b.bottom <= bounds.bottom &&
      !placed.some((p) => overlaps(p, b)) && !rings.some((r) => overlaps(r, b));
    // When nothing fits (a crowd of points), the first candidate: a label over a ring beats none.
    const chosen = candidates.find((o) => fits(box(o))) ?? candidates[0];
    placed.push(box(chosen));
    return chosen;
  });
}
