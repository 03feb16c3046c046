import { describe, expect, it } from 'vitest';
import { createTsKernel } from './kernels/ts.js';
import { crc32, deserializeModel, loadNetwork, serializeModel } from './model-io.js';
import { evaluate } from './network.js';
import { syntheticDataset } from './synthetic.js';
import { train, type TrainConfig } from './train.js';

const data = syntheticDataset({ d: 10, K: 3, train: 200, validation: 50, test: 50, seed: 8, separation: 1 });
const config: TrainConfig = {
  hidden: [7, 5], batchNorm: true, init: { kind: 'he' }, lambda: 0.002,
  etaMin: 1e-4, etaMax: 0.05, batch: 20, ns: 20, cycles: 1, seed: 3, pointsPerCycle: 2,
};
const trained = (dtype: 'f32' | 'f64') => train(createTsKernel(dtype), data, config).network;
const extra = { config, normalisation: { mean: [0.5, -1], std: [2, 3] }, note: 'ünïcode ok' };

describe('model serialisation', () => {
  for (const dtype of ['f32', 'f64'] as const) {
    it(`round-trips a trained ${dtype} network exactly (parameters, moving averages, extra)`, () => {
      const net = trained(dtype);
      const bytes = serializeModel(net, extra);
      const model = deserializeModel(bytes);
      expect(model.dtype).toBe(dtype);
      expect(model.kernel).toBe(`ts-${dtype}`);
      expect(model.net).toEqual(net.config);
      expect(model.extra).toEqual(extra);
      const back = loadNetwork(createTsKernel(dtype), model);
      net.layers.forEach((l, i) => {
        for (const key of ['W', 'b', 'gamma', 'beta', 'meanAvg', 'varAvg'] as const) {
          const a = l[key], b = back.layers[i][key];
          expect(b === null ? null : Array.from(b), `${key}${i + 1}`).toEqual(a === null ? null : Array.from(a));
        }
      });
      expect(back.averagesReady).toBe(true);
      expect(evaluate(back, data.test, config.lambda)).toEqual(evaluate(net, data.test, config.lambda));
    });
  }

  it('loads an f32 model on an f64 kernel (values widened exactly)', () => {
    const net = trained('f32');
    const wide = loadNetwork(createTsKernel('f64'), deserializeModel(serializeModel(net)));
    expect(Array.from(wide.layers[0].W)).toEqual(Array.from(net.layers[0].W));
    expect(wide.layers[0].W).toBeInstanceOf(Float64Array);
  });

  it('says what is wrong with truncated, corrupt or foreign bytes', () => {
    const bytes = serializeModel(trained('f32'), extra);
    expect(() => deserializeModel(bytes.subarray(0, bytes.length - 9))).toThrow(/^model: truncated: \d+ bytes, the header describes \d+/);
    expect(() => deserializeModel(bytes.subarray(0, 30))).toThrow(/^model: truncated: the header needs/);
    expect(() => deserializeModel(bytes.subarray(0, 5))).toThrow(/5 bytes is too short/);
    const flipped = bytes.slice();
    flipped[flipped.length - 40] ^= 0x10;
    expect(() => deserializeModel(flipped)).toThrow(/^model: corrupt: checksum [0-9a-f]{8} does not match the stored [0-9a-f]{8}/);
    const foreign = bytes.slice();
    foreign[0] = 0x50;
    expect(() => deserializeModel(foreign)).toThrow(/not a bnlab model/);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(() => deserializeModel(longer)).toThrow(/2 unexpected bytes after the end/);
    const badHeader = bytes.slice();
    badHeader[16] = 0x7b + 1; // the header's '{' → '|'
    expect(() => deserializeModel(badHeader)).toThrow(/^model: corrupt header/);
  });

  it('refuses a model whose tensors do not fit its network', () => {
    const model = deserializeModel(serializeModel(trained('f64')));
    model.tensors.pop();
    expect(() => loadNetwork(createTsKernel('f64'), model)).toThrow(/do not fit its network/);
  });

  it('uses the standard CRC-32 (check value of "123456789" is cbf43926)', () => {
    expect(crc32(new TextEncoder().encode('123456789')).toString(16)).toBe('cbf43926');
  });
});
