import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { inline, markdownToHtml } from './html.js';
import { renderReport } from './markdown.js';
import { studyFixture } from './testing/fixture.js';
import { newDocument } from './testing/svg.js';

describe('markdownToHtml', () => {
  it('converts the constructs the report emits', () => {
    const md = [
      '# Title `x`',
      '',
      'A paragraph with **bold**, `a<b>` code and a [link](data.csv)',
      'continued on a second line.',
      '',
      '- one',
      '- two',
      '',
      '| a | b\\|c |',
      '| --- | ---: |',
      '| 1 | **2** |',
      '| 3 | 4 |',
      '',
      '![a chart](c.svg)',
      '',
      '![missing](gone.svg)',
    ].join('\n');
    const html = markdownToHtml(md, { 'c.svg': '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>\n' }, 'T & co');
    const doc = new JSDOM(html).window.document;
    expect(doc.title).toBe('T & co');
    expect(doc.querySelector('h1')!.innerHTML).toBe('Title <code>x</code>');
    const p = doc.querySelector('p')!;
    expect(p.querySelector('strong')!.textContent).toBe('bold');
    expect(p.querySelector('code')!.textContent).toBe('a<b>');
    expect(p.querySelector('a')!.getAttribute('href')).toBe('data.csv');
    expect(p.textContent).toContain('continued on a second line.');
    expect(Array.from(doc.querySelectorAll('li')).map((l) => l.textContent)).toEqual(['one', 'two']);
    expect(Array.from(doc.querySelectorAll('th')).map((t) => t.textContent)).toEqual(['a', 'b|c']);
    expect(doc.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(doc.querySelector('tbody td.r strong')!.textContent).toBe('2');
    const figure = doc.querySelector('figure')!;
    expect(figure.getAttribute('aria-label')).toBe('a chart');
    expect(figure.querySelectorAll('svg circle')).toHaveLength(1);
    expect(doc.querySelector('img')!.getAttribute('src')).toBe('gone.svg');
  });

  it('escapes HTML outside code too', () => {
    expect(inline('x < y & "z"')).toBe('x &lt; y &amp; &quot;z&quot;');
  });

  it('inlines every chart of the report and keeps every table', () => {
    const { files } = renderReport(studyFixture(), newDocument());
    const doc = new JSDOM(files['report.html']).window.document;
    const svgs = Object.keys(files).filter((f) => f.endsWith('.svg'));
    expect(doc.querySelectorAll('figure > svg')).toHaveLength(svgs.length);
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    const mdTables = files['README.md'].split('\n').filter((l) => /^\| ---/.test(l)).length;
    expect(doc.querySelectorAll('table')).toHaveLength(mdTables);
    expect(doc.querySelector('h1')!.textContent).toBe('bnlab study report: profile fixture');
  });
});
