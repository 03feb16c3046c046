// Fashion-MNIST from the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
// Skipped when the package is missing, except with CI=true, where a missing package fails the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { prepareDataset, FASHION_MNIST_SYSTEM_DIR } from '../packages/pipeline/src/data/index.js';
import { describeWith, FASHION_MNIST } from './helpers/requires.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'bnlab-fmnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeWith([FASHION_MNIST], 'Fashion-MNIST (Debian package)', () => {
  it('has 60000 training and 10000 test images of 784 dimensions, 10 named classes', async () => {
    const p = await prepareDataset({ dataset: 'fashion-mnist', workspaceRoot: tmp, env: {}, cacheDir: null });
    expect(p.splits).toEqual({ train: 54000, validation: 6000, test: 10000 });
    expect(p.d).toBe(784);
    expect(p.source).toBe(FASHION_MNIST_SYSTEM_DIR);
    expect(p.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    // Every class occurs, about a tenth of the test split each (the official test set has exactly 1000).
    const counts = new Array(10).fill(0);
    for (const y of p.test.y) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    // Standardised with the training statistics: a central pixel (dimension 400) has training mean ≈ 0.
    let m = 0;
    for (let i = 0; i < p.splits.train; i++) m += p.train.x[i * 784 + 400];
    expect(Math.abs(m / p.splits.train)).toBeLessThan(1e-5);
  });
});
