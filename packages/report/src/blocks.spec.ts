import { describe, expect, it } from 'vitest';
import { blockFiles, chart, heading, list, paragraph, renderHtml, renderHtmlFragment, renderMarkdown, table, warning } from './blocks.js';

const blocks = [
  heading(2, 'hunt: a `search`'),
  paragraph('Best **λ** in [a.csv](a.csv) < 1.'),
  list(['one', 'two']),
  warning('at the edge'),
  table({ file: 'a.csv', header: ['x', 'y'], align: ['l', 'r'], rows: [['a|b', '1']], csvHeader: ['x', 'y'], csvRows: [['a|b', 1]], bold: [0] }),
  chart('c.svg', 'a chart', '<svg><text>hi</text></svg>'),
];

describe('blocks', () => {
  it('render to Markdown', () => {
    expect(renderMarkdown(blocks)).toBe(
      '## hunt: a `search`\n\nBest **λ** in [a.csv](a.csv) < 1.\n\n- one\n- two\n\n> **Warning:** at the edge\n\n| x | y |\n| --- | ---: |\n| **a\\|b** | **1** |\n\nCSV: [a.csv](a.csv)\n\n![a chart](c.svg)\n',
    );
  });

  it('render to HTML from the same blocks, charts inlined and text escaped', () => {
    const html = renderHtml(blocks, 'T');
    expect(html).toContain('<h2 id="hunt-a-search">hunt: a <code>search</code></h2>');
    expect(html).toContain('<p>Best <strong>λ</strong> in <a href="a.csv">a.csv</a> &lt; 1.</p>');
    expect(html).toContain('<td><strong>a|b</strong></td><td class="r"><strong>1</strong></td>');
    expect(html).toContain('<figure role="img" aria-label="a chart"><svg><text>hi</text></svg></figure>');
    expect(html).toContain('<p class="warning"><strong>Warning:</strong> at the edge</p>');
  });

  it('render to an HTML fragment that is exactly the page\'s body (what a dashboard inserts)', () => {
    const fragment = renderHtmlFragment(blocks);
    expect(fragment.startsWith('<h2 id="hunt-a-search">')).toBe(true);
    expect(fragment).not.toContain('<body>');
    expect(renderHtml(blocks, 'T')).toContain(`<body>\n${fragment}\n</body>`);
  });

  it('write each table as CSV and each chart as SVG; two blocks never write one file', () => {
    expect(blockFiles(blocks)).toEqual({ 'a.csv': 'x,y\na|b,1\n', 'c.svg': '<svg><text>hi</text></svg>' });
    expect(() => blockFiles([...blocks, chart('c.svg', 'again', '<svg/>')])).toThrow("two blocks write the report file 'c.svg'");
  });

  it('put the lead columns (profile, data set) first on every CSV row, quoted like any field', () => {
    expect(blockFiles(blocks, { profile: 'p,1', dataset: 'cifar10' })['a.csv']).toBe('profile,dataset,x,y\n"p,1",cifar10,a|b,1\n');
  });
});
