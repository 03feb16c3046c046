// On-the-fly jitter of the training images: each image of a mini-batch, after the gather and before
// the forward pass, is flipped, shifted and its brightness and contrast changed by amounts drawn fresh
// for every batch from the trial's RNG. The kernel's jitterImages applies them (see kernel.ts).
//
// Jitter acts on the pixels (in [0, 1]), not on the standardised inputs: the data are standardised per
// dimension (x = (pixel − mean_j)/std_j), so a pixel moved from position j to j′ must be
// re-standardised with j′'s statistics, and a brightness offset is one offset for every pixel, not
// δ/std_j. jitterImages recovers the pixels as x·std + mean, moves and changes them, and standardises
// them again. A data set without mean and std is taken as already being pixels (mean 0, std 1).
//
// Draws per image, in batch order, only for the options that are on: flip (one 32-bit draw, flipped
// when below 2³¹), dx then dy (randInt(2N + 1) − N each), the contrast factor 1 + C·(2u − 1), then the
// brightness offset B·(2u − 1) (u = uniform(), two 32-bit draws).
import { JITTER_PARAMS, type FloatArray, type Kernel } from './kernel.js';
import { nextU32, randInt, uniform, type Rng } from './rng.js';

/** An image data set's layout: d = channels·height·width, channel-major (CIFAR-10 3×32×32, Fashion-MNIST 1×28×28). */
export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

export interface JitterConfig {
  jitterFlip?: boolean;
  jitterShift?: number;
  jitterBrightness?: number;
  jitterContrast?: number;
}

/** Whether any jitter option is on. */
export function jitterOn(c: JitterConfig): boolean {
  return c.jitterFlip === true || (c.jitterShift ?? 0) > 0 || (c.jitterBrightness ?? 0) > 0 || (c.jitterContrast ?? 0) > 0;
}

/** The kernel arrays jitter needs, allocated once per training run. */
export interface Jitterer {
  readonly kernel: Kernel;
  readonly shape: ImageShape;
  readonly flip: boolean;
  readonly shift: number;
  readonly brightness: number;
  readonly contrast: number;
  /** [rows, JITTER_PARAMS]: each image's flip, dx, dy, contrast factor, brightness offset. */
  readonly params: FloatArray;
  readonly mean: FloatArray;
  readonly std: FloatArray;
  readonly scratch: FloatArray;
}

/**
 * The jitter of a run on data of `shape` (d must be channels·height·width) with mini-batches of up to
 * `rows` images; null when no jitter option is on. `mean`/`std` turn the inputs back into pixels.
 */
export function createJitterer(
  kernel: Kernel, c: JitterConfig, d: number, rows: number,
  shape: ImageShape | undefined, mean?: ArrayLike<number>, std?: ArrayLike<number>,
): Jitterer | null {
  if (!jitterOn(c)) return null;
  if (shape === undefined) throw new Error('train: jitter needs the data set\'s image shape (channels, height, width), and this data set has none');
  const { channels, height, width } = shape;
  if (channels * height * width !== d) throw new Error(`train: image shape ${channels}×${height}×${width} does not make the data's ${d} dimensions`);
  const shift = c.jitterShift ?? 0;
  if (shift >= Math.min(height, width)) throw new Error(`train: jitterShift = ${shift} must be smaller than the ${height}×${width} image`);
  for (const [what, v] of [['mean', mean], ['std', std]] as const) {
    if (v !== undefined && v.length !== d) throw new Error(`train: the data set's ${what} has ${v.length} values, not d = ${d}`);
  }
  const m = kernel.alloc(d), s = kernel.alloc(d);
  if (mean) m.set(mean);
  if (std) s.set(std);
  else s.fill(1);
  return {
    kernel, shape, flip: c.jitterFlip === true, shift, brightness: c.jitterBrightness ?? 0, contrast: c.jitterContrast ?? 0,
    params: kernel.alloc(rows * JITTER_PARAMS), mean: m, std: s, scratch: kernel.alloc(d),
  };
}

/** Draws each of the n images' jitter from the rng (see the top of this file) and applies it to x[n, d]. */
export function jitterBatch(j: Jitterer, x: FloatArray, n: number, rng: Rng): void {
  const { params, shift, brightness, contrast } = j;
  if (n * JITTER_PARAMS > params.length) throw new Error(`jitter: ${n} images do not fit its ${params.length / JITTER_PARAMS} rows`);
  for (let i = 0, p = 0; i < n; i++, p += JITTER_PARAMS) {
    params[p] = j.flip && nextU32(rng) < 2147483648 ? 1 : 0;
    params[p + 1] = shift > 0 ? randInt(rng, 2 * shift + 1) - shift : 0;
    params[p + 2] = shift > 0 ? randInt(rng, 2 * shift + 1) - shift : 0;
    params[p + 3] = contrast > 0 ? 1 + contrast * (2 * uniform(rng) - 1) : 1;
    params[p + 4] = brightness > 0 ? brightness * (2 * uniform(rng) - 1) : 0;
  }
  const { channels, height, width } = j.shape;
  j.kernel.jitterImages(x, params, j.mean, j.std, j.scratch, n, channels, height, width);
}
