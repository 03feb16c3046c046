// Golden SVGs: a change to any chart's bytes fails here with the first difference shown. After a
// deliberate change, regenerate and review the diff:  UPDATE_GOLDEN=1 npx vitest run --project report golden
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { curvesChart } from './curves.js';
import { finalSpreadChart } from './final-spread.js';
import { gradcheckChart } from './gradcheck.js';
import { coarseChart, fineChart } from './search.js';
import { sigmaChart } from './sigma.js';
import { studyFixture } from '../testing/fixture.js';
import { newDocument } from '../testing/svg.js';

const dir = fileURLToPath(new URL('./__golden__/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function firstDifference(expected: string, actual: string): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const line = expected.slice(0, i).split('\n').length;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 40), i + 40));
  return `first difference at character ${i} (line ${line}):\n  golden:   ${around(expected)}\n  rendered: ${around(actual)}`;
}

function golden(name: string, svg: string): void {
  const file = `${dir}${name}`;
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`no golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run --project report golden, then review it`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, svg);
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (svg !== expected) {
    expect.fail(`${name} differs from its golden file; ${firstDifference(expected, svg)}\nIf the change is intended: UPDATE_GOLDEN=1 npx vitest run --project report golden`);
  }
}

describe('golden SVGs (numbers rounded to 3 decimals)', () => {
  const study = studyFixture();
  it('gradient check', () => golden('gradcheck.svg', gradcheckChart(study.gradcheck, newDocument())));
  it('training curves', () => golden('curves-3-layer-bn.svg', curvesChart(study.curves.groups[1], newDocument(), 'curves-3-layer-bn')));
  it('coarse search', () => golden('coarse.svg', coarseChart(study.coarse, newDocument())));
  it('fine search', () => golden('fine.svg', fineChart(study.fine, newDocument())));
  it('final spread', () => golden('final.svg', finalSpreadChart(study.final, newDocument())));
  it('σ study', () => golden('sigma.svg', sigmaChart(study.sigma, newDocument(), { chance: 0.1 })));

  it('holds no number with more than 3 decimals in a geometry attribute', () => {
    const svg = readFileSync(`${dir}gradcheck.svg`, 'utf8');
    const geometry = [...svg.matchAll(/ (?:d|x|y|x1|x2|y1|y2|cx|cy|r|transform|width|height)="([^"]*)"/g)].map((m) => m[1]);
    expect(geometry.length).toBeGreaterThan(50);
    for (const v of geometry) expect(v, v).not.toMatch(/\d\.\d{4,}/);
  });
});
