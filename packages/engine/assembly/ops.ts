// The non-GEMM ops of the kernel interface on f32 arrays (byte offsets in linear memory). Each computes in
// f64 in the same order as the plain TypeScript kernel (src/kernels/ts.ts) and rounds once per stored
// element, so it gives ts-f32's bits (softmax's exp and log excepted: a different libm, see the spec).
// The flat passes over whole parameter tensors (SGD step, moving average, ReLU, bias) run 4 lanes at a
// time; the batch-norm and softmax passes are small (batch × width) and stay scalar.

// @ts-ignore: decorator
@inline function ldf(p: usize): f64 {
  return <f64>load<f32>(p);
}

// @ts-ignore: decorator
@inline function stf(p: usize, v: f64): void {
  store<f32>(p, <f32>v);
}

// 4 f32 lanes → 2 f64x2 halves and back, rounding once on the way back
// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}
// @ts-ignore: decorator
@inline function join(l: v128, h: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5);
}

// x[n,m] += v[m] (every row); an f32 add rounds exactly like the f64 add rounded to f32
export function addRow(x: usize, v: usize, n: i32, m: i32): void {
  const m4 = m & ~3;
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * <usize>m * 4;
    let j = 0;
    for (; j < m4; j += 4) {
      const o = <usize>j * 4;
      v128.store(r + o, f32x4.add(v128.load(r + o), v128.load(v + o)));
    }
    for (; j < m; j++) {
      const o = <usize>j * 4;
      store<f32>(r + o, load<f32>(r + o) + load<f32>(v + o));
    }
  }
}

// out[m] = Σ_rows x[n,m], each column in row order in f64
export function colSum(out: usize, x: usize, n: i32, m: i32): void {
  const ld = <usize>m * 4;
  for (let j = 0; j < m; j++) {
    let c: f64 = 0;
    let p = x + <usize>j * 4;
    for (let i = 0; i < n; i++, p += ld) c += ldf(p);
    stf(out + <usize>j * 4, c);
  }
}

// Training-mode batch norm over the rows of s[n,m] (biased variance, ε inside the root):
// mean[m], variance[m], shat[n,m] = (s − mean)/√(variance + eps), out[n,m] = gamma ⊙ shat + beta.
// The stored (rounded) mean and variance are the ones normalised with. Four columns at a time, one per
// f64 lane: each lane does the scalar loop's operations in the same order, so the bits are the same.
export function batchNormForward(
  out: usize, shat: usize, mean: usize, variance: usize,
  s: usize, gamma: usize, beta: usize, n: i32, m: i32, eps: f64,
): void {
  const ld = <usize>m * 4;
  const m4 = m & ~3;
  const nn = f64x2.splat(<f64>n), one = f64x2.splat(1), e2 = f64x2.splat(eps);
  for (let j = 0; j < m4; j += 4) {
    const col = <usize>j * 4;
    let sl = f64x2.splat(0), sh = sl;
    let p = s + col;
    for (let i = 0; i < n; i++, p += ld) {
      const v = v128.load(p);
      sl = f64x2.add(sl, lo(v));
      sh = f64x2.add(sh, hi(v));
    }
    const mu4 = join(f64x2.div(sl, nn), f64x2.div(sh, nn)); // rounded to f32 as stored
    v128.store(mean + col, mu4);
    const ml = lo(mu4), mh = hi(mu4);
    let ql = f64x2.splat(0), qh = ql;
    p = s + col;
    for (let i = 0; i < n; i++, p += ld) {
      const v = v128.load(p);
      const cl = f64x2.sub(lo(v), ml), ch = f64x2.sub(hi(v), mh);
      ql = f64x2.add(ql, f64x2.mul(cl, cl));
      qh = f64x2.add(qh, f64x2.mul(ch, ch));
    }
    const var4 = join(f64x2.div(ql, nn), f64x2.div(qh, nn));
    v128.store(variance + col, var4);
    const il = f64x2.div(one, f64x2.sqrt(f64x2.add(lo(var4), e2)));
    const ih = f64x2.div(one, f64x2.sqrt(f64x2.add(hi(var4), e2)));
    const g4 = v128.load(gamma + col), b4 = v128.load(beta + col);
    const gl = lo(g4), gh = hi(g4), bl = lo(b4), bh = hi(b4);
    let o: usize = col;
    for (let i = 0; i < n; i++, o += ld) {
      const v = v128.load(s + o);
      const sh4 = join(f64x2.mul(f64x2.sub(lo(v), ml), il), f64x2.mul(f64x2.sub(hi(v), mh), ih));
      v128.store(shat + o, sh4);
      v128.store(out + o, join(f64x2.add(f64x2.mul(gl, lo(sh4)), bl), f64x2.add(f64x2.mul(gh, hi(sh4)), bh)));
    }
  }
  for (let j = m4; j < m; j++) {
    const col = <usize>j * 4;
    let sum: f64 = 0;
    let p = s + col;
    for (let i = 0; i < n; i++, p += ld) sum += ldf(p);
    stf(mean + col, sum / <f64>n);
    const mu = ldf(mean + col);
    let sq: f64 = 0;
    p = s + col;
    for (let i = 0; i < n; i++, p += ld) {
      const c = ldf(p) - mu;
      sq += c * c;
    }
    stf(variance + col, sq / <f64>n);
    const inv = 1 / Math.sqrt(ldf(variance + col) + eps);
    const g = ldf(gamma + col), bt = ldf(beta + col);
    let o: usize = col;
    for (let i = 0; i < n; i++, o += ld) {
      stf(shat + o, (ldf(s + o) - mu) * inv);
      stf(out + o, g * ldf(shat + o) + bt);
    }
  }
}

// out[n,m] = gamma ⊙ (s − mean)/√(variance + eps) + beta
export function batchNormInference(
  out: usize, s: usize, mean: usize, variance: usize,
  gamma: usize, beta: usize, n: i32, m: i32, eps: f64,
): void {
  const ld = <usize>m * 4;
  for (let j = 0; j < m; j++) {
    const col = <usize>j * 4;
    const mu = ldf(mean + col), g = ldf(gamma + col), bt = ldf(beta + col);
    const inv = 1 / Math.sqrt(ldf(variance + col) + eps);
    let o: usize = col;
    for (let i = 0; i < n; i++, o += ld) stf(out + o, g * ((ldf(s + o) - mu) * inv) + bt);
  }
}

// dgamma[m] = Σ g ⊙ shat, dbeta[m] = Σ g, ds[n,m] = gamma/√(v+eps) · (g − mean(g) − shat ⊙ mean(g ⊙ shat))
// (ds may alias g: each element is read before it is written). Four columns at a time as in the forward.
export function batchNormBackward(
  ds: usize, dgamma: usize, dbeta: usize,
  g: usize, shat: usize, variance: usize, gamma: usize,
  n: i32, m: i32, eps: f64,
): void {
  const ld = <usize>m * 4;
  const m4 = m & ~3;
  const nn = f64x2.splat(<f64>n), e2 = f64x2.splat(eps);
  for (let j = 0; j < m4; j += 4) {
    const col = <usize>j * 4;
    let gl = f64x2.splat(0), gh = gl, tl = gl, th = gl;
    let o: usize = col;
    for (let i = 0; i < n; i++, o += ld) {
      const gv = v128.load(g + o), hv = v128.load(shat + o);
      const gvl = lo(gv), gvh = hi(gv);
      gl = f64x2.add(gl, gvl);
      gh = f64x2.add(gh, gvh);
      tl = f64x2.add(tl, f64x2.mul(gvl, lo(hv)));
      th = f64x2.add(th, f64x2.mul(gvh, hi(hv)));
    }
    v128.store(dgamma + col, join(tl, th));
    v128.store(dbeta + col, join(gl, gh));
    const mgl = f64x2.div(gl, nn), mgh = f64x2.div(gh, nn), mtl = f64x2.div(tl, nn), mth = f64x2.div(th, nn);
    const ga = v128.load(gamma + col), va = v128.load(variance + col);
    const scl = f64x2.div(lo(ga), f64x2.sqrt(f64x2.add(lo(va), e2)));
    const sch = f64x2.div(hi(ga), f64x2.sqrt(f64x2.add(hi(va), e2)));
    o = col;
    for (let i = 0; i < n; i++, o += ld) {
      const gv = v128.load(g + o), hv = v128.load(shat + o);
      const rl = f64x2.mul(scl, f64x2.sub(f64x2.sub(lo(gv), mgl), f64x2.mul(lo(hv), mtl)));
      const rh = f64x2.mul(sch, f64x2.sub(f64x2.sub(hi(gv), mgh), f64x2.mul(hi(hv), mth)));
      v128.store(ds + o, join(rl, rh));
    }
  }
  for (let j = m4; j < m; j++) {
    const col = <usize>j * 4;
    let sg: f64 = 0, sgs: f64 = 0;
    let o: usize = col;
    for (let i = 0; i < n; i++, o += ld) {
      const gv = ldf(g + o);
      sg += gv;
      sgs += gv * ldf(shat + o);
    }
    stf(dgamma + col, sgs);
    stf(dbeta + col, sg);
    const mg = sg / <f64>n, mgs = sgs / <f64>n;
    const scale = ldf(gamma + col) / Math.sqrt(ldf(variance + col) + eps);
    o = col;
    for (let i = 0; i < n; i++, o += ld) stf(ds + o, scale * (ldf(g + o) - mg - ldf(shat + o) * mgs));
  }
}

// x[len] = max(x, 0) in place; NaN stays NaN (a diverging run must show in its cost)
export function reluForward(x: usize, len: i32): void {
  const zero = f32x4.splat(0);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const p = x + <usize>i * 4;
    const v = v128.load(p);
    v128.store(p, v128.bitselect(zero, v, f32x4.lt(v, zero)));
  }
  for (; i < len; i++) {
    const p = x + <usize>i * 4;
    if (load<f32>(p) < 0) store<f32>(p, 0);
  }
}

// g[len] *= (h > 0), h the ReLU output
export function reluBackward(g: usize, h: usize, len: i32): void {
  const zero = f32x4.splat(0);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i * 4;
    v128.store(g + o, v128.and(v128.load(g + o), f32x4.gt(v128.load(h + o), zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    if (!(load<f32>(h + o) > 0)) store<f32>(g + o, 0);
  }
}

// p[n,K] = softmax of the rows of s[n,K]; returns Σ_rows Σ_j y·(logΣexp − s) and, when hasDs, writes
// ds[n,K] = (p − y)/n (ds may alias s: a row's s is read before its ds is written).
export function softmaxCrossEntropy(p: usize, ds: usize, hasDs: bool, s: usize, y: usize, n: i32, K: i32): f64 {
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const r = <usize>i * <usize>K * 4;
    let max = ldf(s + r);
    for (let j = 1; j < K; j++) {
      const v = ldf(s + r + <usize>j * 4);
      if (v > max) max = v;
    }
    let sum: f64 = 0;
    for (let j = 0; j < K; j++) sum += Math.exp(ldf(s + r + <usize>j * 4) - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < K; j++) {
      const o = r + <usize>j * 4;
      const yj = ldf(y + o);
      if (yj != 0) loss += yj * (lse - ldf(s + o));
    }
    for (let j = 0; j < K; j++) {
      const o = r + <usize>j * 4;
      stf(p + o, Math.exp(ldf(s + o) - max) / sum);
    }
    if (hasDs) {
      for (let j = 0; j < K; j++) {
        const o = r + <usize>j * 4;
        stf(ds + o, (ldf(p + o) - ldf(y + o)) / <f64>n);
      }
    }
  }
  return loss;
}

// Σ_rows [argmax p == argmax y], first maximum wins
export function countCorrect(p: usize, y: usize, n: i32, K: i32): i32 {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const r = <usize>i * <usize>K * 4;
    let bp = 0, by = 0;
    for (let j = 1; j < K; j++) {
      if (load<f32>(p + r + <usize>j * 4) > load<f32>(p + r + <usize>bp * 4)) bp = j;
      if (load<f32>(y + r + <usize>j * 4) > load<f32>(y + r + <usize>by * 4)) by = j;
    }
    if (bp == by) correct++;
  }
  return correct;
}

// x[len] *= mask[len] (inverted dropout, forward and backward): an f32 product of two f32 rounds like
// the f64 product rounded to f32
export function applyMask(x: usize, mask: usize, len: i32): void {
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i * 4;
    v128.store(x + o, f32x4.mul(v128.load(x + o), v128.load(mask + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    store<f32>(x + o, load<f32>(x + o) * load<f32>(mask + o));
  }
}

// Floats per image in jitterImages' params (kernel.ts JITTER_PARAMS)
const JITTER_PARAMS: i32 = 5;

// The pixel r = x·std + mean of image row `row` at byte offset k (of the image), rounded to f32.
// @ts-ignore: decorator
@inline function pixel(row: usize, mean: usize, std: usize, k: usize): f32 {
  return <f32>(ldf(row + k) * ldf(std + k) + ldf(mean + k));
}

// Four pixels from byte offset k on, each rounded like pixel()'s.
// @ts-ignore: decorator
@inline function pixels4(row: usize, mean: usize, std: usize, k: usize): v128 {
  const v = v128.load(row + k), sd = v128.load(std + k), mu = v128.load(mean + k);
  return join(f64x2.add(f64x2.mul(lo(v), lo(sd)), lo(mu)), f64x2.add(f64x2.mul(hi(v), hi(sd)), hi(mu)));
}

// Jitter of images x[n, C·H·W] in place (see kernel.ts): per image, the flipped and shifted pixels
// r = x·std + mean (edges repeated) into scratch; their sum (four partial sums, as ts.ts); then
// x = ((m + f·(v − m) + δ) − mean)/std. In f64 in ts.ts's order, rounded once per stored element.
// Within a row, the columns whose source is not clamped are read four at a time (reversed for a flip).
export function jitterImages(
  x: usize, params: usize, mean: usize, std: usize, scratch: usize,
  n: i32, C: i32, H: i32, W: i32,
): void {
  const plane = H * W, d = C * plane;
  const d4 = d & ~3;
  for (let i = 0; i < n; i++) {
    const row = x + <usize>i * <usize>d * 4;
    const p = params + <usize>(i * JITTER_PARAMS) * 4;
    const flip = load<f32>(p) != 0;
    const dx = <i32>load<f32>(p + 4), dy = <i32>load<f32>(p + 8);
    const f = ldf(p + 12), delta = ldf(p + 16);
    // columns xx in [a, b) read column xx − dx unclamped
    const a = min(max(dx, 0), W), b = max(min(W + dx, W), a);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        const sy = min(max(y - dy, 0), H - 1);
        const src = <usize>(c * plane + sy * W) * 4, dst = scratch + <usize>(c * plane + y * W) * 4;
        let xx = 0;
        for (; xx < a; xx++) {
          const sx = min(max(xx - dx, 0), W - 1);
          store<f32>(dst + <usize>xx * 4, pixel(row, mean, std, src + <usize>(flip ? W - 1 - sx : sx) * 4));
        }
        if (flip) {
          for (; xx + 4 <= b; xx += 4) {
            const v = pixels4(row, mean, std, src + <usize>(W - 4 - xx + dx) * 4);
            v128.store(dst + <usize>xx * 4, i32x4.shuffle(v, v, 3, 2, 1, 0));
          }
        } else {
          for (; xx + 4 <= b; xx += 4) v128.store(dst + <usize>xx * 4, pixels4(row, mean, std, src + <usize>(xx - dx) * 4));
        }
        for (; xx < W; xx++) {
          const sx = min(max(xx - dx, 0), W - 1);
          store<f32>(dst + <usize>xx * 4, pixel(row, mean, std, src + <usize>(flip ? W - 1 - sx : sx) * 4));
        }
      }
    }
    let s01 = f64x2.splat(0), s23 = s01;
    let j = 0;
    for (; j < d4; j += 4) {
      const v = v128.load(scratch + <usize>j * 4);
      s01 = f64x2.add(s01, lo(v));
      s23 = f64x2.add(s23, hi(v));
    }
    let sum = (f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1)) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1));
    for (; j < d; j++) sum += ldf(scratch + <usize>j * 4);
    const m = sum / <f64>d;
    const m2 = f64x2.splat(m), f2 = f64x2.splat(f), e2 = f64x2.splat(delta);
    j = 0;
    for (; j < d4; j += 4) {
      const o = <usize>j * 4;
      const v = v128.load(scratch + o), sd = v128.load(std + o), mu = v128.load(mean + o);
      const rl = f64x2.div(f64x2.sub(f64x2.add(f64x2.add(m2, f64x2.mul(f2, f64x2.sub(lo(v), m2))), e2), lo(mu)), lo(sd));
      const rh = f64x2.div(f64x2.sub(f64x2.add(f64x2.add(m2, f64x2.mul(f2, f64x2.sub(hi(v), m2))), e2), hi(mu)), hi(sd));
      v128.store(row + o, join(rl, rh));
    }
    for (; j < d; j++) {
      const o = <usize>j * 4;
      stf(row + o, (m + f * (ldf(scratch + o) - m) + delta - ldf(mean + o)) / ldf(std + o));
    }
  }
}

// param[len] −= eta · (grad + 2·lambda·param), in f64 per element
export function sgdStep(param: usize, grad: usize, len: i32, eta: f64, lambda: f64): void {
  const l2 = 2 * lambda;
  const e2 = f64x2.splat(eta), l22 = f64x2.splat(l2);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i * 4;
    const pv = v128.load(param + o), gv = v128.load(grad + o);
    const pl = lo(pv), ph = hi(pv);
    const rl = f64x2.sub(pl, f64x2.mul(e2, f64x2.add(lo(gv), f64x2.mul(l22, pl))));
    const rh = f64x2.sub(ph, f64x2.mul(e2, f64x2.add(hi(gv), f64x2.mul(l22, ph))));
    v128.store(param + o, join(rl, rh));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    const pv = ldf(param + o);
    stf(param + o, pv - eta * (ldf(grad + o) + l2 * pv));
  }
}

// avg[len] = alpha·avg + (1 − alpha)·x, in f64 per element
export function ema(avg: usize, x: usize, len: i32, alpha: f64): void {
  const beta = 1 - alpha;
  const a2 = f64x2.splat(alpha), b2 = f64x2.splat(beta);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i * 4;
    const av = v128.load(avg + o), xv = v128.load(x + o);
    const rl = f64x2.add(f64x2.mul(a2, lo(av)), f64x2.mul(b2, lo(xv)));
    const rh = f64x2.add(f64x2.mul(a2, hi(av)), f64x2.mul(b2, hi(xv)));
    v128.store(avg + o, join(rl, rh));
  }
  for (; i < len; i++) {
    const o = <usize>i * 4;
    stf(avg + o, alpha * ldf(avg + o) + beta * ldf(x + o));
  }
}

// Σ x², one f64 sum in index order
export function sumSquares(x: usize, len: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < len; i++) {
    const v = ldf(x + <usize>i * 4);
    s += v * v;
  }
  return s;
}
