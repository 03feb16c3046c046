import { describe, expect, it } from 'vitest';
import * as Plot from '@observablehq/plot';
import { frame, plotPanel, round3, serializeSvg, svgElement, SVG_NS } from './svg.js';
import { newDocument, parseSvg } from '../testing/svg.js';

describe('serializeSvg', () => {
  it('renumbers ids per chart and rewrites their references', () => {
    const doc = newDocument();
    const root = svgElement(doc, 'svg', {});
    const clip = svgElement(doc, 'clipPath', { id: 'plot-clip-41' });
    const marker = svgElement(doc, 'marker', { id: 'plot-marker-7' });
    const path = svgElement(doc, 'path', { 'clip-path': 'url(#plot-clip-41)', 'marker-end': 'url(#plot-marker-7)', fill: '#4269d0' });
    const use = svgElement(doc, 'use', { href: '#plot-clip-41' });
    for (const n of [clip, marker, path, use]) root.appendChild(n);
    const text = serializeSvg(root, 'coarse');
    expect(text).toContain('<clipPath id="coarse-1"/>');
    expect(text).toContain('<marker id="coarse-2"/>');
    expect(text).toContain('clip-path="url(#coarse-1)" marker-end="url(#coarse-2)" fill="#4269d0"');
    expect(text).toContain('href="#coarse-1"');
    expect(text).not.toMatch(/plot-clip|plot-marker/);
  });

  it('rounds numbers to 3 decimals in geometry attributes only, and escapes text', () => {
    const doc = newDocument();
    const root = svgElement(doc, 'svg', { width: 100.00000000001, viewBox: '0 0 100.00000000001 50' });
    root.appendChild(svgElement(doc, 'path', { d: 'M0.123456,-0.0004L1e-7,139.99999999999997', stroke: '#4e79a7', transform: 'translate(40.12345,2)' }));
    root.appendChild(svgElement(doc, 'text', { x: 1.23456, 'aria-label': 'λ 0.0037592' }, 'λ < 0.0037592 & more'));
    const text = serializeSvg(root, 'x');
    expect(text).toContain('d="M0.123,0L0,140"');
    expect(text).toContain('transform="translate(40.123,2)"');
    expect(text).toContain('stroke="#4e79a7"'); // a colour with digits is not a number to round
    expect(text).toContain('x="1.235"');
    expect(text).toContain('aria-label="λ 0.0037592"');
    expect(text).toContain('>λ &lt; 0.0037592 &amp; more</text>');
    expect(text.startsWith(`<svg xmlns="${SVG_NS}" width="100" viewBox="0 0 100 50">`)).toBe(true);
    expect(round3(-0.0001)).toBe('0');
    expect(round3(2.5)).toBe('2.5');
  });

  it('makes two renders of the same Plot chart byte-identical (Plot counts ids process-wide)', () => {
    const render = () => {
      const doc = newDocument();
      const data = [{ x: 1, y: 2 }, { x: 2, y: 3 }];
      const panel = plotPanel(doc, { width: 300, height: 150, marks: [Plot.lineY(data, { x: 'x', y: 'y', marker: 'circle', clip: true })] });
      return serializeSvg(frame(doc, { width: 300, title: 'T', panels: [panel] }), 'c');
    };
    const a = render();
    const b = render();
    expect(a).toContain('id="c-1"');
    expect(a).toBe(b);
  });
});

describe('frame', () => {
  it('draws title, subtitle, legend and panels inside one <svg>, sized to its content', () => {
    const doc = newDocument();
    const panel = plotPanel(doc, { width: 400, height: 120, marks: [Plot.dot([{ x: 1, y: 1 }], { x: 'x', y: 'y' })] });
    const svg = serializeSvg(
      frame(doc, {
        width: 400,
        title: 'Title here',
        subtitle: 'sub',
        legend: [
          { label: 'training', color: '#4269d0', shape: 'line' },
          { label: 'validation', color: '#ff725c', shape: 'dot' },
        ],
        panels: [panel],
        note: 'small print',
      }),
      'f',
    );
    const p = parseSvg(svg);
    expect(p.root.tagName).toBe('svg');
    expect(p.root.getAttribute('xmlns')).toBe(SVG_NS);
    expect(p.root.querySelectorAll('svg').length, 'no nested <svg>').toBe(0);
    expect(p.root.querySelectorAll('figure, div').length).toBe(0);
    expect(p.texts()).toEqual(expect.arrayContaining(['Title here', 'sub', 'training', 'validation', 'small print']));
    const legend = p.marks('legend')[0];
    expect(legend.querySelectorAll('line').length).toBe(1);
    expect(legend.querySelectorAll('circle').length).toBe(1);
    expect(p.marks('dot')[0].querySelectorAll('circle').length).toBe(1);
    const height = Number(p.root.getAttribute('height'));
    expect(height).toBeGreaterThan(120);
    expect(p.root.getAttribute('viewBox')).toBe(`0 0 400 ${height}`);
  });

  it('refuses a Plot figure (a title or legend option makes Plot return a <figure>)', () => {
    const doc = newDocument();
    expect(() => plotPanel(doc, { title: 'x', marks: [Plot.dot([1], { x: (d: number) => d })] })).toThrow(/expected <svg>/);
  });
});
