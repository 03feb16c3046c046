// Building standalone SVG documents from Observable Plot panels: a minimal DOM surface (the caller's
// `document`, never a global one), a frame that draws the title and legend inside the <svg>, and a
// serializer that renumbers ids per chart and rounds coordinates to 3 decimals, so that two renders
// in one process are byte-identical (Plot numbers clip paths and markers from process-wide counters).
import * as Plot from '@observablehq/plot';
import { INK, MUTED } from '../palette.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';

export interface DomNode {
  readonly nodeType: number;
  readonly nodeValue: string | null;
  readonly childNodes: ArrayLike<DomNode>;
  readonly parentNode: DomNode | null;
}

export interface DomElement extends DomNode {
  readonly localName: string;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  appendChild<T extends DomNode>(node: T): T;
}

/** What the report needs of a DOM document (jsdom's, created by the caller). */
export interface ReportDocument {
  createElementNS(namespace: string, qualifiedName: string): DomElement;
  createTextNode(data: string): DomNode;
}

const ELEMENT = 1;
const TEXT = 3;

/** Plot.plot with the caller's document; the options must not ask for a figure (no title, caption or legend). */
export function plotPanel(document: ReportDocument, options: Plot.PlotOptions): DomElement {
  const node = Plot.plot({ ...options, document: document as never }) as unknown as DomElement;
  if (node.localName !== 'svg') throw new Error(`Plot returned <${node.localName}>, expected <svg>: drop title/legend options`);
  return node;
}

export function svgElement(
  document: ReportDocument,
  name: string,
  attrs: Record<string, string | number>,
  text?: string,
): DomElement {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.appendChild(document.createTextNode(text));
  return node;
}

export type SwatchShape = 'line' | 'dashed' | 'band' | 'dot' | 'ring' | 'cross' | 'square';

export interface LegendItem {
  label: string;
  color: string;
  shape: SwatchShape;
}

export interface FrameOptions {
  width: number;
  title: string;
  subtitle?: string;
  legend?: LegendItem[];
  /** Plot panels, stacked top to bottom. */
  panels: DomElement[];
  /** A line of small print under the panels. */
  note?: string;
}

const LEGEND_CHAR = 6.1; // approximate advance of an 11 px system-ui glyph, for wrapping the legend
const SWATCH = 22;

function swatch(document: ReportDocument, item: LegendItem, x: number, y: number): DomElement {
  const g = svgElement(document, 'g', { transform: `translate(${x},${y})` });
  const c = item.color;
  switch (item.shape) {
    case 'line':
      g.appendChild(svgElement(document, 'line', { x1: 0, x2: 16, y1: -4, y2: -4, stroke: c, 'stroke-width': 2 }));
      break;
    case 'dashed':
      g.appendChild(svgElement(document, 'line', { x1: 0, x2: 16, y1: -4, y2: -4, stroke: c, 'stroke-width': 1.5, 'stroke-dasharray': '4,3' }));
      break;
    case 'band':
      g.appendChild(svgElement(document, 'rect', { x: 0, y: -9, width: 16, height: 10, fill: c, 'fill-opacity': 0.2 }));
      break;
    case 'square':
      g.appendChild(svgElement(document, 'rect', { x: 3, y: -9, width: 10, height: 10, fill: c }));
      break;
    case 'dot':
      g.appendChild(svgElement(document, 'circle', { cx: 8, cy: -4, r: 3.5, fill: c }));
      break;
    case 'ring':
      g.appendChild(svgElement(document, 'circle', { cx: 8, cy: -4, r: 5.5, fill: 'none', stroke: c, 'stroke-width': 2 }));
      break;
    case 'cross':
      g.appendChild(svgElement(document, 'path', { d: 'M4,-8L12,0M4,0L12,-8', stroke: c, 'stroke-width': 1.5 }));
      break;
  }
  g.appendChild(svgElement(document, 'text', { x: SWATCH, y: 0, 'text-anchor': 'start' }, item.label));
  return g;
}

/** One <svg> holding a title, a subtitle, a legend (drawn here, not by Plot) and the panels. */
export function frame(document: ReportDocument, options: FrameOptions): DomElement {
  const { width } = options;
  const first = options.panels[0];
  const root = svgElement(document, 'svg', {
    xmlns: SVG_NS,
    class: first?.getAttribute('class') ?? 'plot',
    width,
    height: 0,
    viewBox: '',
    'font-family': 'system-ui, sans-serif',
    'font-size': 10,
  });
  const style = first && findChild(first, 'style');
  if (style) root.appendChild(style);
  // An opaque background: the chart stays readable on dark pages that show it as an image.
  root.appendChild(svgElement(document, 'rect', { class: 'background', x: 0, y: 0, width, height: 0, fill: 'white' }));
  const background = root.childNodes[root.childNodes.length - 1] as DomElement;

  let y = 20;
  root.appendChild(svgElement(document, 'text', { x: 8, y, 'font-size': 14, 'font-weight': 'bold', fill: INK }, options.title));
  if (options.subtitle) {
    y += 16;
    root.appendChild(svgElement(document, 'text', { x: 8, y, 'font-size': 11, fill: MUTED }, options.subtitle));
  }
  if (options.legend && options.legend.length > 0) {
    const legend = svgElement(document, 'g', { 'aria-label': 'legend', 'font-size': 11, fill: INK });
    y += 20;
    let x = 8;
    for (const item of options.legend) {
      const w = SWATCH + item.label.length * LEGEND_CHAR + 16;
      if (x > 8 && x + w > width - 8) {
        x = 8;
        y += 16;
      }
      legend.appendChild(swatch(document, item, x, y));
      x += w;
    }
    root.appendChild(legend);
  }
  y += 8;
  for (const panel of options.panels) {
    const g = svgElement(document, 'g', { 'aria-label': 'panel', transform: `translate(0,${y})` });
    // Plot's font family and size are the root's; its fill and anchor defaults move to the group.
    for (const name of ['fill', 'text-anchor']) {
      const v = panel.getAttribute(name);
      if (v !== null) g.setAttribute(name, v);
    }
    for (const child of Array.from(panel.childNodes)) {
      if (child.nodeType === ELEMENT && (child as DomElement).localName === 'style') continue;
      g.appendChild(child);
    }
    root.appendChild(g);
    y += Number(panel.getAttribute('height'));
  }
  if (options.note) {
    y += 14;
    root.appendChild(svgElement(document, 'text', { x: 8, y, 'font-size': 10, fill: MUTED }, options.note));
  }
  const height = Math.ceil(y + 8);
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  background.setAttribute('height', String(height));
  return root;
}

function findChild(node: DomElement, name: string): DomElement | undefined {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === ELEMENT && (child as DomElement).localName === name) return child as DomElement;
  }
  return undefined;
}

// Attributes that hold coordinates: their numbers are rounded; colours, classes and ids are left alone.
const GEOMETRY = new Set([
  'd', 'transform', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'width', 'height',
  'points', 'viewBox', 'dx', 'dy', 'stroke-width', 'refX', 'refY', 'markerWidth', 'markerHeight',
]);
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

export function round3(v: number): string {
  const r = Math.round(v * 1000) / 1000;
  return String(Object.is(r, -0) ? 0 : r);
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/**
 * Serializes an SVG element tree to standalone XML. Ids are renumbered `${idPrefix}-1…` in document
 * order (references through `url(#…)` and `#…` hrefs follow), numbers in geometry attributes are
 * rounded to 3 decimals. A distinct prefix per chart also keeps ids unique when SVGs share a page.
 */
export function serializeSvg(root: DomElement, idPrefix: string): string {
  const ids = new Map<string, string>();
  const collect = (node: DomElement) => {
    const id = node.getAttribute('id');
    if (id !== null && !ids.has(id)) ids.set(id, `${idPrefix}-${ids.size + 1}`);
    for (const child of Array.from(node.childNodes)) if (child.nodeType === ELEMENT) collect(child as DomElement);
  };
  collect(root);
  const out: string[] = [];
  const write = (node: DomElement, isRoot: boolean) => {
    out.push(`<${node.localName}`);
    if (isRoot && node.getAttribute('xmlns') === null) out.push(` xmlns="${SVG_NS}"`);
    for (const { name, value } of Array.from(node.attributes)) {
      let v = name === 'id' ? (ids.get(value) ?? value) : value.replace(/#([A-Za-z_][\w.-]*)/g, (m, id: string) => (ids.has(id) ? `#${ids.get(id)}` : m));
      if (GEOMETRY.has(name)) v = v.replace(NUMBER, (m) => round3(Number(m)));
      out.push(` ${name}="${escapeAttr(v)}"`);
    }
    const children = Array.from(node.childNodes);
    if (children.length === 0) {
      out.push('/>');
      return;
    }
    out.push('>');
    for (const child of children) {
      if (child.nodeType === ELEMENT) write(child as DomElement, false);
      else if (child.nodeType === TEXT) out.push(escapeText(child.nodeValue ?? ''));
    }
    out.push(`</${node.localName}>`);
  };
  write(root, true);
  return out.join('') + '\n';
}
