import { describe, expect, it } from 'vitest';
import { renderReport } from './markdown.js';
import type { SearchTrial, StudyResults } from './results.js';
import { studyFixture } from './testing/fixture.js';
import { csvRecords, tableBefore } from './testing/markdown.js';
import { newDocument, parseSvg } from './testing/svg.js';

// Independent formatting for the checks: percent with 2 decimals, sample std by hand.
const pct2 = (x: number) => (Math.round(x * 1e6) / 1e4).toFixed(2);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stdOf = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - meanOf(xs)) ** 2, 0) / (xs.length - 1));
const cell = (xs: number[]) => `${pct2(meanOf(xs))} ± ${pct2(stdOf(xs))}`;

describe('renderReport', () => {
  const study = studyFixture();
  const { files } = renderReport(study, newDocument());
  const md = files['README.md'];

  it('renders twice to identical bytes, every file', () => {
    const again = renderReport(studyFixture(), newDocument()).files;
    expect(Object.keys(again)).toEqual(Object.keys(files));
    for (const name of Object.keys(files)) expect(again[name], name).toBe(files[name]);
  });

  it('uses no global document', () => {
    expect((globalThis as { document?: unknown }).document).toBeUndefined();
  });

  it('links every chart it names, each an existing SVG that parses; every SVG is linked', () => {
    const linked = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    const svgs = Object.keys(files).filter((f) => f.endsWith('.svg'));
    expect(new Set(linked)).toEqual(new Set(svgs));
    for (const f of ['gradcheck.svg', 'coarse.svg', 'fine.svg', 'final.svg', 'sigma.svg']) expect(svgs).toContain(f);
    // The four training-curve sets of the reference, and one per σ group.
    for (const f of ['curves-3-layer-no-bn.svg', 'curves-3-layer-bn.svg', 'curves-9-layer-no-bn.svg', 'curves-9-layer-bn.svg']) expect(svgs).toContain(f);
    expect(svgs.filter((f) => f.startsWith('curves-sigma-'))).toHaveLength(study.sigma.groups.length);
    for (const f of svgs) expect(() => parseSvg(files[f]), f).not.toThrow();
    const ids = svgs.flatMap((f) => [...files[f].matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    expect(new Set(ids).size, 'ids are unique across charts (they share report.html)').toBe(ids.length);
  });

  it('links a CSV beside every table, and writes it', () => {
    const links = [...md.matchAll(/^CSV: \[([^\]]+)\]\(\1\)$/gm)].map((m) => m[1]);
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const f of links) expect(files[f], f).toBeDefined();
    for (const f of Object.keys(files).filter((n) => n.endsWith('.csv'))) expect(md).toContain(`](${f})`);
  });

  it('names the data, fingerprints, hashes, engine, kernel, seeds and compute time, and no machine path', () => {
    expect(md).toContain(`This report ran on ${study.dataNote}.`);
    for (const p of study.data.preparations) expect(md).toContain(p.fingerprint);
    expect(md).toContain(study.curves.configHash.slice(0, 12));
    expect(md).toContain('`bnlab-engine/1+ts-f64`');
    expect(md).toContain('Seeds of the final evaluation: 1000–1004.');
    const prov = tableBefore(md, 'provenance.csv');
    const total = Object.values(study.computeSeconds).reduce((a, b) => a + b!, 0); // 12889.25 s
    expect(total).toBe(12889.25);
    expect(prov.rows[prov.rows.length - 1]).toEqual(['total', '', '', '', '88', '3 h 35 min']);
    expect(prov.rows.find((r) => r[0] === 'fine')![5]).toBe('19 min 41 s'); // 1180.5 s
    expect(md).not.toMatch(/\/(home|work|tmp|Users)\//);
    const csv = csvRecords(files['provenance.csv']);
    expect(csv.find((r) => r.stage === 'final')!.config_hash).toBe(study.final.configHash);
    expect(Number(csv.find((r) => r.stage === 'fine')!.compute_seconds)).toBe(1180.5);
  });

  it('marks the total compute time as a lower bound when a stage has none', () => {
    const s = studyFixture();
    delete s.computeSeconds.fine;
    const prov = tableBefore(renderReport(s, newDocument()).files['README.md'], 'provenance.csv');
    expect(prov.rows.find((r) => r[0] === 'fine')![5]).toBe('—');
    expect(prov.rows[prov.rows.length - 1][5]).toBe('≥ 3 h 15 min'); // 12889.25 − 1180.5 s
  });

  it('gradient-check table: every relative error in its net, parameter and layer cell', () => {
    const t = tableBefore(md, 'gradcheck.csv');
    const symbol = { W: 'W', b: 'b', gamma: 'γ', beta: 'β' } as const;
    for (const net of study.gradcheck.nets) {
      const label = `${net.hidden.length + 1}-layer, ${net.batchNorm ? 'BN' : 'no BN'}`;
      for (const c of net.checks) {
        const row = t.rows.find((r) => r[0] === label && r[1] === symbol[c.parameter])!;
        const shown = row[1 + c.layer];
        expect(c.relativeError === 0 ? shown === '0' : Math.abs(Number(shown) - c.relativeError) / c.relativeError < 0.005, `${label} ${c.parameter} ${c.layer}: ${shown}`).toBe(true);
      }
    }
    const csv = csvRecords(files['gradcheck.csv']);
    expect(csv).toHaveLength(study.gradcheck.nets.reduce((n, x) => n + x.checks.length, 0));
    expect(Number(csv[0].relative_error)).toBe(study.gradcheck.nets[0].checks[0].relativeError);
  });

  it('curves table: mean ± std over seeds of each group, per split', () => {
    const t = tableBefore(md, 'curves.csv');
    expect(t.header).toEqual(['init', 'net', 'seeds', 'training (%)', 'validation (%)', 'test (%)', 'diverged']);
    study.curves.groups.forEach((g, i) => {
      const acc = (k: 'train' | 'validation' | 'test') => g.runs.map((r) => r.result.accuracy[k]);
      expect(t.rows[i]).toEqual(['He init', g.name.replace(/, σ.*$/, ''), String(g.runs.length), cell(acc('train')), cell(acc('validation')), cell(acc('test')), '0']);
    });
    const csv = csvRecords(files['curves.csv']);
    expect(Number(csv[2].test_accuracy_mean)).toBe(meanOf(study.curves.groups[2].runs.map((r) => r.result.accuracy.test)));
  });

  it('coarse table: the best 3 with their λ and accuracies', () => {
    const t = tableBefore(md, 'coarse.csv');
    const sorted = [...study.coarse.trials].filter((x) => !x.diverged).sort((a, b) => b.accuracy.validation - a.accuracy.validation);
    expect(t.rows).toEqual(
      sorted.slice(0, 3).map((x, i) => [String(i + 1), x.lambda.toExponential(4).replace(/\.?0+e/, 'e'), pct2(x.accuracy.train), pct2(x.accuracy.validation), 'no']),
    );
    const csv = csvRecords(files['coarse-trials.csv']);
    expect(csv.map((r) => Number(r.lambda))).toEqual(study.coarse.trials.map((x) => x.lambda));
    expect(csv.find((r) => r.diverged === 'true')).toBeDefined();
  });

  it('fine table: the best 3 per centre, the overall best in bold', () => {
    const t = tableBefore(md, 'fine.csv');
    const expected: { centre: number; trial: SearchTrial }[] = study.fine.centres.flatMap((c) =>
      [...c.trials].sort((a, b) => b.accuracy.validation - a.accuracy.validation).slice(0, 3).map((trial) => ({ centre: c.centre, trial })),
    );
    expect(t.rows.map((r) => Number(r[1]))).toEqual(expected.map((e) => Number(e.trial.lambda.toExponential(4))));
    expect(t.rows.map((r) => r[3])).toEqual(expected.map((e) => pct2(e.trial.accuracy.validation)));
    const best = expected.findIndex((e) => e.trial === study.fine.best || (e.trial.lambda === study.fine.best.lambda && e.trial.hash === study.fine.best.hash));
    expect(best).toBeGreaterThanOrEqual(0);
    expect(t.bold).toEqual([best]);
  });

  it('final table: mean ± std over the runs, per net and split', () => {
    const t = tableBefore(md, 'final.csv');
    study.final.groups.forEach((g, i) => {
      const acc = (k: 'train' | 'validation' | 'test') => g.runs.map((r) => r.accuracy[k]);
      expect(t.rows[i]).toEqual([g.name, String(g.runs.length), cell(acc('train')), cell(acc('validation')), cell(acc('test')), '0']);
    });
    const runs = csvRecords(files['final-runs.csv']);
    expect(runs).toHaveLength(10);
    expect(Number(runs[7].test_accuracy)).toBe(study.final.groups[1].runs[2].accuracy.test);
  });

  it('σ table: σ × depth × batch norm with mean ± std over seeds', () => {
    const t = tableBefore(md, 'sigma.csv');
    expect(t.rows).toHaveLength(12);
    study.sigma.groups.forEach((g, i) => {
      expect(t.rows[i][0]).toBe(g.sigma.toExponential());
      expect(t.rows[i][1]).toBe(`${g.net.hidden.length + 1}-layer, ${g.net.batchNorm ? 'BN' : 'no BN'}`);
      expect(t.rows[i][5]).toBe(cell(g.runs.map((r) => r.result.accuracy.test)));
    });
  });

  it('comparison tables: BN vs none per depth (and σ), difference and Welch interval of the test accuracy', () => {
    const t = tableBefore(md, 'sigma-comparisons.csv');
    expect(t.rows).toHaveLength(6);
    const none = study.sigma.groups[6]; // σ = 1e-3, 9-layer, no BN
    const bn = study.sigma.groups[7];
    const row = t.rows.find((r) => r[1] === '9-layer, σ = 1e-3')!;
    const a = none.runs.map((r) => r.result.accuracy.test);
    const b = bn.runs.map((r) => r.result.accuracy.test);
    expect(row[2]).toBe(cell(a));
    expect(row[3]).toBe(cell(b));
    expect(row[4]).toBe(`+${pct2(meanOf(b) - meanOf(a))}`);
    // Welch by hand: a has zero variance, so se = s_b/√n and df = n − 1 = 2, t(0.975, 2) = 4.303.
    const half = 4.302652729911275 * (stdOf(b) / Math.sqrt(b.length));
    expect(row[5]).toBe(`[+${pct2(meanOf(b) - meanOf(a) - half)}, +${pct2(meanOf(b) - meanOf(a) + half)}]`);
    expect(row[6]).toBe('2.0');
    expect(row[7]).toBe('higher');
    const csv = csvRecords(files['sigma-comparisons.csv']);
    expect(csv).toHaveLength(18); // 6 comparisons × 3 splits
    const test = csv.find((r) => r.fixed === '9-layer, σ = 1e-3' && r.split === 'test')!;
    expect(Number(test.ci95_high) - Number(test.difference)).toBeCloseTo(half, 12);
  });
});

describe('conclusions', () => {
  const conclusions = (s: StudyResults) => {
    const md = renderReport(s, newDocument()).files['README.md'];
    return md.slice(md.indexOf('## Conclusions'), md.indexOf('## Data'));
  };

  it('are sentences computed from the numbers', () => {
    const text = conclusions(studyFixture());
    expect(text).toMatch(/- Batch norm raised the 9-layer test accuracy from 10\.00 ± 0\.00 % to 49\.43 ± 0\.35 % with σ = 1e-3 \(\+39\.43 pp, 95 % CI \[\+38\.\d\d, \+40\.\d\d\] pp\)\./);
    expect(text).toContain('within noise');
    expect(text).toContain('The 9-layer, no BN net stayed at chance level (10.00 % for 10 classes) with σ = 1e-1, 1e-3 and 1e-4');
    expect(text).toMatch(/All 58 gradient checks of 4 nets are below the threshold 1e-6/);
  });

  it('follow the numbers when they change', () => {
    const s = studyFixture();
    // Make batch norm hurt the 3-layer He-init net clearly.
    for (const r of s.curves.groups[1].runs) r.result.accuracy.test -= 0.05;
    s.gradcheck.nets[3].checks[0].relativeError = 3e-4;
    const text = conclusions(s);
    expect(text).toMatch(/Batch norm lowered the 3-layer test accuracy from [\d.]+ ± [\d.]+ % to [\d.]+ ± [\d.]+ % with He init \(−\d/);
    expect(text).toContain('1 of 58 gradient checks exceed the threshold 1e-6: W, layer 1 of the 9-layer, BN net: 3e-4.');
  });

  it('say the interval is undefined with one seed', () => {
    const s = studyFixture({ seeds: 1 });
    const text = conclusions(s);
    expect(text).toContain('with one seed per configuration the interval is undefined');
    const t = tableBefore(renderReport(s, newDocument()).files['README.md'], 'curves-comparisons.csv');
    expect(t.rows[0][5]).toBe('undefined');
    expect(t.rows[0][7]).toBe('undefined (one seed)');
  });
});
