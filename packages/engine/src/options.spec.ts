// The training options added after the first trials (batch norm after the ReLU, dropout, jitter):
// neutral values leave a configuration's identity alone, and each option does what it says, checked
// against independent computations (hand-worked forward passes, mask statistics, a replayed RNG).
import { describe, expect, it } from 'vitest';
import { createJitterer, jitterBatch } from './augment.js';
import { JITTER_PARAMS } from './kernel.js';
import { createTsKernel } from './kernels/ts.js';
import {
  createNetwork, drawDropoutMasks, evaluate, gatherRows, initNetwork, networkForward, workspace, type NetConfig,
} from './network.js';
import { optionValueError, TRAINING_OPTIONS, trainingOption } from './options.js';
import { cloneRng, createRng, nextU32, randInt, uniform } from './rng.js';
import { deserializeModel, loadNetwork, serializeModel } from './model-io.js';
import { syntheticDataset } from './synthetic.js';
import { normalizeTrainConfig, train, type Dataset, type TrainConfig } from './train.js';

const f64 = createTsKernel('f64');
const base: TrainConfig = {
  hidden: [10, 8], batchNorm: true, init: { kind: 'he' }, lambda: 0.001,
  etaMin: 1e-4, etaMax: 0.1, batch: 20, ns: 15, cycles: 1, seed: 1, pointsPerCycle: 3,
};
// 2×3×3 "images": d = 18
const images: Dataset = {
  ...syntheticDataset({ d: 18, K: 3, train: 200, validation: 40, test: 40, seed: 5, separation: 1.5 }),
  image: { channels: 2, height: 3, width: 3 },
  mean: Float32Array.from({ length: 18 }, (_, i) => 0.4 + i / 100),
  std: Float32Array.from({ length: 18 }, (_, i) => 0.2 + i / 200),
};
const NEW = { bnPlacement: 'before', dropout: 0, jitterFlip: false, jitterShift: 0, jitterBrightness: 0, jitterContrast: 0 } as const;

describe('neutral values', () => {
  it('every option added after the first trials has one, equal to its default', () => {
    for (const name of Object.keys(NEW)) {
      const o = trainingOption(name)!;
      expect(o.neutral, name).toBe(NEW[name as keyof typeof NEW]);
      expect(o.default, name).toBe(o.neutral);
      expect(optionValueError(o, o.neutral), name).toBeNull();
    }
  });

  it('normalizeTrainConfig of a configuration without the new options equals it with them at their neutral values', () => {
    for (const batchNorm of [true, false]) {
      const without = normalizeTrainConfig({ ...base, batchNorm });
      expect(normalizeTrainConfig({ ...base, batchNorm, ...NEW })).toEqual(without);
      expect(JSON.stringify(normalizeTrainConfig({ ...base, batchNorm, ...NEW }))).toBe(JSON.stringify(without));
      for (const name of Object.keys(NEW)) expect(without, name).not.toHaveProperty(name);
    }
  });

  it('keeps a non-neutral value, and drops batch-norm placement without batch norm', () => {
    expect(normalizeTrainConfig({ ...base, bnPlacement: 'after', dropout: 0.5, jitterShift: 2 })).toMatchObject({ bnPlacement: 'after', dropout: 0.5, jitterShift: 2 });
    expect(normalizeTrainConfig({ ...base, batchNorm: false, bnPlacement: 'after' })).not.toHaveProperty('bnPlacement');
  });

  it('a run with the new options at their neutral values gives the same bits as one without them', () => {
    const a = train(f64, images, base).result;
    const b = train(f64, images, { ...base, ...NEW }).result;
    expect(b).toEqual(a);
  });
});

describe('option values', () => {
  it('range errors name the option', () => {
    expect(() => train(f64, images, { ...base, dropout: 1 })).toThrow(/train: dropout = 1 must be < 1/);
    expect(() => train(f64, images, { ...base, dropout: -0.1 })).toThrow(/train: dropout = -0.1 must be ≥ 0/);
    expect(() => train(f64, images, { ...base, jitterShift: -1 })).toThrow(/train: jitterShift = -1 must be ≥ 0/);
    expect(() => train(f64, images, { ...base, bnPlacement: 'sideways' as 'after' })).toThrow(/train: bnPlacement = sideways must be one of before, after/);
  });

  it('jitter needs an image shape that makes d, and a shift smaller than the image', () => {
    const { image: _image, ...plain } = images;
    expect(() => train(f64, plain, { ...base, jitterFlip: true })).toThrow(/jitter needs the data set's image shape/);
    expect(() => train(f64, { ...images, image: { channels: 3, height: 3, width: 3 } }, { ...base, jitterBrightness: 0.1 })).toThrow(/3×3×3 does not make the data's 18 dimensions/);
    expect(() => train(f64, images, { ...base, jitterShift: 3 })).toThrow(/jitterShift = 3 must be smaller than the 3×3 image/);
    // without jitter the image shape is not needed
    expect(train(f64, plain, { ...base, dropout: 0.2 }).result.diverged).toBe(false);
  });
});

describe('batch norm after the ReLU', () => {
  const cfg = (over: Partial<NetConfig> = {}): NetConfig => ({ d: 3, K: 2, hidden: [2], batchNorm: true, eps: 1e-5, alpha: 0.9, bnPlacement: 'after', ...over });

  it('keeps the bias of batch-normalised layers', () => {
    const net = createNetwork(f64, cfg({ hidden: [4, 3] }));
    expect(net.layers.map((l) => [l.bn, l.bnAfter, l.b !== null])).toEqual([[true, true, true], [true, true, true], [false, false, true]]);
  });

  it('normalises the ReLU output: a hand-worked forward pass, and the moving averages of the ReLU output', () => {
    // W1 = I-ish: s = [x0 + b0, x1 + b1]; rows x = [1, −1], [3, 2], [−2, 4]; b = [0, −1] → s = [1, −2], [3, 1], [−2, 3]
    // r = ReLU(s) = [1, 0], [3, 1], [0, 3]: column means 4/3, 4/3; biased variances 14/9, 14/9
    const net = createNetwork(f64, cfg({ eps: Number.MIN_VALUE })); // ε vanishes next to v = 14/9
    net.layers[0].W.set([1, 0, 0, 0, 1, 0]);
    net.layers[0].b!.set([0, -1]);
    net.layers[1].W.set([1, 0, 0, 1]);
    const ws = workspace(net, 3, true);
    ws.X.set([1, -1, 0, 3, 2, 0, -2, 4, 0]);
    ws.Y.set([1, 0, 0, 1, 1, 0]);
    networkForward(ws, net, 3, 'train', true);
    const sd = Math.sqrt(14 / 9);
    const r = [1, 0, 3, 1, 0, 3];
    const expected = r.map((v) => (v - 4 / 3) / sd); // γ = 1, β = 0
    Array.from(ws.H[0]).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    for (const v of net.layers[0].meanAvg!) expect(v).toBeCloseTo(4 / 3, 12);
    for (const v of net.layers[0].varAvg!) expect(v).toBeCloseTo(14 / 9, 12);
    // evaluation with averages equal to this batch's statistics gives the training forward's output
    const ev = workspace(net, 3, false);
    ev.X.set(ws.X);
    networkForward(ev, net, 3, 'eval', false);
    Array.from(ev.H[0]).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });
});

describe('dropout', () => {
  it('masks are 0 with probability p and 1/(1 − p) otherwise, drawn one 32-bit number per unit, hidden layers only', () => {
    const net = createNetwork(f64, { d: 4, K: 3, hidden: [50, 40], batchNorm: false, eps: 1e-5, alpha: 0.9, dropout: 0.3 });
    const ws = workspace(net, 100, true);
    expect(ws.mask.map((m) => m?.length ?? null)).toEqual([5000, 4000, null]);
    const rng = createRng(3);
    const replay = cloneRng(rng);
    drawDropoutMasks(ws, net, 100, rng);
    const dropped = Array.from(ws.mask[0]!).filter((v) => v === 0).length + Array.from(ws.mask[1]!).filter((v) => v === 0).length;
    // 9000 Bernoulli(0.3): standard deviation 43
    expect(Math.abs(dropped - 2700)).toBeLessThan(200);
    for (const m of [ws.mask[0]!, ws.mask[1]!]) for (const v of m) expect(v === 0 || v === 1 / 0.7).toBe(true);
    // the documented draw, replayed
    const first = Array.from({ length: 5 }, () => (nextU32(replay) < 0.3 * 2 ** 32 ? 0 : 1 / 0.7));
    expect(Array.from(ws.mask[0]!.subarray(0, 5))).toEqual(first);
    // evaluation workspaces have none
    expect(workspace(net, 100, false).mask.every((m) => m === null)).toBe(true);
  });

  it('multiplies the hidden outputs by the mask in training and leaves evaluation alone', () => {
    const net = createNetwork(f64, { d: 6, K: 3, hidden: [7], batchNorm: false, eps: 1e-5, alpha: 0.9, dropout: 0.5 });
    initNetwork(net, createRng(1), { kind: 'he' });
    const data = syntheticDataset({ d: 6, K: 3, train: 10, validation: 1, test: 1, seed: 2 });
    const tr = workspace(net, 10, true), ev = workspace(net, 10, false);
    gatherRows(tr, net, data.train, 0, 10);
    gatherRows(ev, net, data.train, 0, 10);
    drawDropoutMasks(tr, net, 10, createRng(9));
    networkForward(tr, net, 10, 'train', true);
    networkForward(ev, net, 10, 'eval', false);
    const mask = tr.mask[0]!;
    expect(Array.from(mask).some((v) => v === 0)).toBe(true);
    Array.from(tr.H[0]).forEach((v, i) => expect(v).toBe(ev.H[0][i] * mask[i]));
  });
});

describe('jitter', () => {
  it('draws flip, dx, dy, contrast and brightness per image in that order, only for the options that are on', () => {
    const k = createTsKernel('f64');
    const j = createJitterer(k, { jitterFlip: true, jitterShift: 1, jitterContrast: 0.2 }, 18, 4, images.image, images.mean, images.std)!;
    const x = k.alloc(4 * 18);
    const rng = createRng(11), replay = cloneRng(rng);
    jitterBatch(j, x, 4, rng);
    for (let i = 0; i < 4; i++) {
      const want = [nextU32(replay) < 2 ** 31 ? 1 : 0, randInt(replay, 3) - 1, randInt(replay, 3) - 1, 1 + 0.2 * (2 * uniform(replay) - 1), 0];
      expect(Array.from(j.params.subarray(i * JITTER_PARAMS, (i + 1) * JITTER_PARAMS))).toEqual(want);
    }
    // nothing else was drawn
    expect(nextU32(rng)).toBe(nextU32(replay));
    expect(createJitterer(k, {}, 18, 4, undefined)).toBeNull();
  });

  it('acts on the pixels: a flip of a standardised image is the flip of its pixels, standardised again', () => {
    const k = createTsKernel('f64');
    const j = createJitterer(k, { jitterFlip: true }, 18, 1, images.image, images.mean, images.std)!;
    const x = k.alloc(18);
    x.set(images.train.x.subarray(0, 18));
    const pixels = Array.from(x, (v, i) => v * images.std![i] + images.mean![i]);
    // a seed whose first draw flips (nextU32 < 2³¹)
    let seed = 1;
    while (nextU32(createRng(seed)) >= 2 ** 31) seed++;
    jitterBatch(j, x, 1, createRng(seed));
    expect(j.params[0]).toBe(1);
    for (let c = 0; c < 2; c++) {
      for (let y = 0; y < 3; y++) {
        for (let xx = 0; xx < 3; xx++) {
          const at = c * 9 + y * 3 + xx;
          const want = (pixels[c * 9 + y * 3 + (2 - xx)] - images.mean![at]) / images.std![at];
          expect(x[at]).toBeCloseTo(want, 12);
        }
      }
    }
  });

  it('changes the run, reproducibly, and so does each option alone', () => {
    const jit = { ...base, jitterFlip: true, jitterShift: 1, jitterBrightness: 0.1, jitterContrast: 0.1 };
    const a = train(f64, images, jit).result, b = train(f64, images, jit).result;
    expect(b).toEqual(a);
    expect(a).not.toEqual(train(f64, images, base).result);
    for (const over of [{ jitterFlip: true }, { jitterShift: 1 }, { jitterBrightness: 0.1 }, { jitterContrast: 0.1 }, { dropout: 0.2 }, { bnPlacement: 'after' as const }]) {
      expect(train(f64, images, { ...base, ...over }).result, JSON.stringify(over)).not.toEqual(train(f64, images, base).result);
    }
  });

  it('the option list has one entry per option, flags and names unique, a label for every choice', () => {
    expect(new Set(TRAINING_OPTIONS.map((o) => o.name)).size).toBe(TRAINING_OPTIONS.length);
    expect(new Set(TRAINING_OPTIONS.map((o) => o.flag)).size).toBe(TRAINING_OPTIONS.length);
    for (const o of TRAINING_OPTIONS.filter((x) => x.type === 'choice')) expect(Object.keys(o.choiceLabels ?? {}), o.name).toEqual(o.choices);
    expect(trainingOption('bnPlacement')!.choiceLabels).toEqual({ before: 'BN before ReLU', after: 'BN after ReLU' });
  });

  it('a saved network with batch norm after the ReLU and dropout evaluates the same after loading', () => {
    const { result, network } = train(f64, images, { ...base, bnPlacement: 'after', dropout: 0.3, jitterFlip: true });
    const loaded = loadNetwork(createTsKernel('f64'), deserializeModel(serializeModel(network)));
    expect(loaded.layers.map((l) => [l.bnAfter, l.b !== null])).toEqual(network.layers.map((l) => [l.bnAfter, l.b !== null]));
    expect(evaluate(loaded, images.test, base.lambda).accuracy).toBe(result.accuracy.test);
  });
});
