// The engine's only source of randomness: xoshiro128** (Blackman & Vigna, 2018,
// https://prng.di.unimi.it/xoshiro128starstar.c), its 128-bit state seeded from a 64-bit seed by
// SplitMix64 as its authors recommend. The state is an explicit object; nothing here reads a clock or
// Math.random.
//
// Bit-identical everywhere: the generator and the integer / uniform / shuffle draws use only 32-bit
// integer operations and exactly rounded double arithmetic. Normal samples use the Marsaglia polar
// method (not Box–Muller) so that the only inexact library function involved is Math.log (sqrt is
// correctly rounded by IEEE 754); ECMAScript does not pin Math.log's last bit, but V8 implements it with
// its port of fdlibm, so every V8 (every Node) gives the same bits on every machine.

export interface Rng {
  /** xoshiro128** state, never all zero. */
  readonly s: Uint32Array;
  /** The polar method makes normals in pairs; the second waits here. */
  spare: number;
  hasSpare: boolean;
}

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 step: returns the next output and the advanced state. */
function splitMix64(x: bigint): [bigint, bigint] {
  x = (x + 0x9e3779b97f4a7c15n) & MASK64;
  let z = x;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [z ^ (z >> 31n), x];
}

/**
 * A generator seeded by a safe integer (negative seeds are taken modulo 2⁶⁴). The state words are
 * the low and high halves of SplitMix64's first two outputs: s = [lo(z1), hi(z1), lo(z2), hi(z2)].
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`rng seed ${seed} is not a safe integer`);
  let x = BigInt.asUintN(64, BigInt(seed));
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i += 2) {
    const [z, next] = splitMix64(x);
    x = next;
    s[i] = Number(z & 0xffffffffn);
    s[i + 1] = Number(z >> 32n);
  }
  // SplitMix64 is a bijection of its counter, so two consecutive outputs are never both zero.
  return { s, spare: 0, hasSpare: false };
}

/** An independent copy of the state (the copy and the original then draw the same sequence). */
export function cloneRng(rng: Rng): Rng {
  return { s: rng.s.slice(), spare: rng.spare, hasSpare: rng.hasSpare };
}

/** The next 32-bit output, an integer in [0, 2³²). */
export function nextU32(rng: Rng): number {
  const s = rng.s;
  const m = Math.imul(s[1], 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return result;
}

/** Uniform in [0, 1) with 53 random bits (two outputs: 27 high bits, then 26). */
export function uniform(rng: Rng): number {
  const hi = nextU32(rng) >>> 5;
  const lo = nextU32(rng) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Uniform integer in [0, n), 1 ≤ n ≤ 2³², without modulo bias (rejection of the short last range). */
export function randInt(rng: Rng, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new Error(`randInt: range ${n} is not an integer in [1, 2^32]`);
  const limit = 4294967296 - (4294967296 % n);
  for (;;) {
    const x = nextU32(rng);
    if (x < limit) return x % n;
  }
}

/** Fisher–Yates shuffle in place (Durstenfeld's form, from the end). */
export function shuffle(rng: Rng, a: Uint32Array | number[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** A standard normal sample (Marsaglia polar method; pairs, the second kept in the state). */
export function normal(rng: Rng): number {
  if (rng.hasSpare) {
    rng.hasSpare = false;
    return rng.spare;
  }
  let u: number, v: number, q: number;
  do {
    u = 2 * uniform(rng) - 1;
    v = 2 * uniform(rng) - 1;
    q = u * u + v * v;
  } while (q >= 1 || q === 0);
  const f = Math.sqrt((-2 * Math.log(q)) / q);
  rng.spare = v * f;
  rng.hasSpare = true;
  return u * f;
}
