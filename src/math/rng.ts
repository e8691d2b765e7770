/**
 * Seeded, reproducible random numbers: the xoshiro256** 1.0 generator of Blackman & Vigna ("Scrambled linear
 * pseudorandom number generators", ACM TOMS 47 (2021); public-domain C code at https://prng.di.unimi.it/), seeded
 * through splitmix64 as its authors recommend, with their `jump` (2^128 steps) and `longJump` (2^192 steps) to split
 * one seed into non-overlapping streams.
 *
 * Same seed → bit-identical output on every machine and engine: the 64-bit arithmetic is done on 32-bit halves with
 * `Math.imul`, shifts and exact double products (< 2^36), never with floating-point rounding; BigInt is used only
 * for seeding and for reading the state (BigInt per draw would be ~50× slower). Never `Math.random`.
 *
 * Derived draws, each consuming the stream in a fixed, documented order (so goldens stay valid):
 * - uniform double in [0, 1): the top 53 bits × 2^−53; open (0, 1): (top 53 bits + ½) × 2^−53;
 * - standard normal: `normInv` (Wichura AS 241) of one open uniform (inverse CDF: one uniform per normal, which keeps
 *   antithetic pairs exact and streams aligned);
 * - gamma(shape): Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26 (2000): per try one
 *   normal then (if 1 + c·x > 0) one open uniform; shape < 1 via gamma(shape + 1)·U^(1/shape) (U drawn after);
 * - Student-t scaled to unit variance (ν > 2): one normal z, then W = 2·gamma(ν/2) ~ χ²(ν), t = z·√((ν − 2)/W).
 *
 * Checked in rng.test.ts against published vectors (Vigna's reference via the C++ test of morinim/xoshiro256ss,
 * and PHP's xoshiro256starstar_value.phpt for seeding, jump and long jump) and a Python translation of the C code.
 * @module
 */
import { normInv } from "./normal.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;
const MASK64 = (1n << 64n) - 1n;

/** Splitmix64 (Vigna): the recommended way to expand one 64-bit seed into a xoshiro state. Returns [newState, output]. */
function splitmix64(state: bigint): [bigint, bigint] {
  const s = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [s, z ^ (z >> 31n)];
}

const JUMP = [0x180ec6d33cfd0aban, 0xd5a61266f0c9392cn, 0xa9582618e03fc9aan, 0x39abdc4529b1661cn] as const;
const LONG_JUMP = [0x76e15d3efefdcbbfn, 0xc5004e441c522fb3n, 0x77710069854ee241n, 0x39109bb02acbe635n] as const;

/**
 * A xoshiro256** stream. Mutable by nature (each draw advances it): create one per computation from a seed, never
 * share one between computations whose results must be reproducible independently.
 */
export class Xoshiro256StarStar {
  // State s0..s3 as signed 32-bit halves [s0hi, s0lo, s1hi, s1lo, s2hi, s2lo, s3hi, s3lo].
  private readonly s: Int32Array;
  // Output of the last step, unsigned 32-bit halves.
  private outHi = 0;
  private outLo = 0;

  private constructor(s: Int32Array) {
    this.s = s;
  }

  /**
   * Seed from a non-negative integer (a safe integer or a bigint below 2^64) through splitmix64, as Vigna's and
   * PHP's `Xoshiro256StarStar(seed)` do. Throws RangeError on a negative, fractional or too large seed.
   */
  static fromSeed(seed: number | bigint): Xoshiro256StarStar {
    let st: bigint;
    if (typeof seed === "number") {
      if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
      st = BigInt(seed);
    } else {
      if (seed < 0n || seed > MASK64) throw new RangeError(`seed must be in [0, 2^64), got ${seed}`);
      st = seed;
    }
    const words: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix64(st);
      st = next;
      words.push(out);
    }
    return Xoshiro256StarStar.fromState(words);
  }

  /** Start from a raw 256-bit state (four 64-bit words, not all zero). Throws RangeError otherwise. */
  static fromState(words: readonly bigint[]): Xoshiro256StarStar {
    if (words.length !== 4 || words.some((w) => w < 0n || w > MASK64) || words.every((w) => w === 0n)) {
      throw new RangeError("state must be four 64-bit words, not all zero");
    }
    const s = new Int32Array(8);
    words.forEach((w, i) => {
      s[2 * i] = Number(w >> 32n) | 0;
      s[2 * i + 1] = Number(w & 0xffffffffn) | 0;
    });
    return new Xoshiro256StarStar(s);
  }

  /** The current state as four unsigned 64-bit words. */
  state(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < 4; i++) out.push((BigInt((this.s[2 * i] ?? 0) >>> 0) << 32n) | BigInt((this.s[2 * i + 1] ?? 0) >>> 0));
    return out;
  }

  /** An independent copy at the same position. */
  clone(): Xoshiro256StarStar {
    return new Xoshiro256StarStar(this.s.slice());
  }

  /** One xoshiro256** step: result = rotl(s1·5, 7)·9, then the linear state update; output left in outHi/outLo. */
  private step(): void {
    const s = this.s;
    const s0h = s[0]!, s0l = s[1]!, s1h = s[2]!, s1l = s[3]!;
    let s2h = s[4]!, s2l = s[5]!, s3h = s[6]!, s3l = s[7]!;
    // s1 * 5 (mod 2^64): the low product is exact in a double (< 2^35), its overflow is the carry into the high half.
    const p5 = (s1l >>> 0) * 5;
    const m5l = p5 >>> 0;
    const m5h = (Math.imul(s1h, 5) + Math.floor(p5 / TWO_POW_32)) | 0;
    // rotl(., 7)
    const rh = (m5h << 7) | (m5l >>> 25);
    const rl = (m5l << 7) | (m5h >>> 25);
    // * 9 (mod 2^64)
    const p9 = (rl >>> 0) * 9;
    this.outLo = p9 >>> 0;
    this.outHi = (Math.imul(rh, 9) + Math.floor(p9 / TWO_POW_32)) >>> 0;
    // t = s1 << 17
    const th = (s1h << 17) | (s1l >>> 15);
    const tl = s1l << 17;
    s2h ^= s0h;
    s2l ^= s0l;
    s3h ^= s1h;
    s3l ^= s1l;
    const n1h = s1h ^ s2h, n1l = s1l ^ s2l;
    const n0h = s0h ^ s3h, n0l = s0l ^ s3l;
    s2h ^= th;
    s2l ^= tl;
    // rotl(s3, 45) = rotl(swap halves, 13)
    const r3h = (s3l << 13) | (s3h >>> 19);
    const r3l = (s3h << 13) | (s3l >>> 19);
    s[0] = n0h;
    s[1] = n0l;
    s[2] = n1h;
    s[3] = n1l;
    s[4] = s2h;
    s[5] = s2l;
    s[6] = r3h;
    s[7] = r3l;
  }

  /** Next 64-bit output as a bigint (slow; for tests and checksums). */
  nextUint64(): bigint {
    this.step();
    return (BigInt(this.outHi) << 32n) | BigInt(this.outLo);
  }

  /** Next uniform double in [0, 1): the top 53 bits of one output × 2^−53 (every multiple of 2^−53 equally likely). */
  nextDouble(): number {
    this.step();
    return (this.outHi * 2097152 + (this.outLo >>> 11)) * TWO_POW_MINUS_53;
  }

  /** Next uniform double in the open interval (0, 1): (top 53 bits + ½) × 2^−53, so never 0 nor 1. */
  nextOpenDouble(): number {
    this.step();
    return (this.outHi * 2097152 + (this.outLo >>> 11) + 0.5) * TWO_POW_MINUS_53;
  }

  /**
   * Fill `out[start .. start + count)` with open uniforms in (0, 1): exactly the values `count` calls of
   * {@link nextOpenDouble} would return, but with the state held in locals for the whole loop (about 3× faster:
   * no per-draw method call and field traffic). The Monte Carlo hot path draws its normals this way.
   */
  fillOpenDoubles(out: Float64Array, start = 0, count = out.length - start): void {
    const s = this.s;
    let s0h = s[0]!, s0l = s[1]!, s1h = s[2]!, s1l = s[3]!, s2h = s[4]!, s2l = s[5]!, s3h = s[6]!, s3l = s[7]!;
    const end = start + count;
    for (let i = start; i < end; i++) {
      // Same arithmetic as step(), see there.
      const p5 = (s1l >>> 0) * 5;
      const m5l = p5 >>> 0;
      const m5h = (Math.imul(s1h, 5) + Math.floor(p5 / TWO_POW_32)) | 0;
      const rh = (m5h << 7) | (m5l >>> 25);
      const rl = (m5l << 7) | (m5h >>> 25);
      const p9 = (rl >>> 0) * 9;
      const outLo = p9 >>> 0;
      const outHi = (Math.imul(rh, 9) + Math.floor(p9 / TWO_POW_32)) >>> 0;
      out[i] = (outHi * 2097152 + (outLo >>> 11) + 0.5) * TWO_POW_MINUS_53;
      const th = (s1h << 17) | (s1l >>> 15);
      const tl = s1l << 17;
      s2h ^= s0h;
      s2l ^= s0l;
      s3h ^= s1h;
      s3l ^= s1l;
      s1h ^= s2h;
      s1l ^= s2l;
      s0h ^= s3h;
      s0l ^= s3l;
      s2h ^= th;
      s2l ^= tl;
      const r3h = (s3l << 13) | (s3h >>> 19);
      s3l = (s3h << 13) | (s3l >>> 19);
      s3h = r3h;
    }
    s[0] = s0h;
    s[1] = s0l;
    s[2] = s1h;
    s[3] = s1l;
    s[4] = s2h;
    s[5] = s2l;
    s[6] = s3h;
    s[7] = s3l;
  }

  /** Next standard normal: inverse CDF of one open uniform (|z| ≤ about 8.3). */
  nextNormal(): number {
    return normInv(this.nextOpenDouble());
  }

  /** Advance by 2^128 steps: 2^128 non-overlapping sub-streams for parallel work. */
  jump(): void {
    this.jumpBy(JUMP);
  }

  /** Advance by 2^192 steps: 2^64 starting points, each with room for 2^64 {@link jump}s. */
  longJump(): void {
    this.jumpBy(LONG_JUMP);
  }

  private jumpBy(table: readonly bigint[]): void {
    const acc = new Int32Array(8);
    for (const word of table) {
      for (let b = 0n; b < 64n; b++) {
        if ((word >> b) & 1n) for (let i = 0; i < 8; i++) acc[i] = (acc[i] ?? 0) ^ (this.s[i] ?? 0);
        this.step();
      }
    }
    this.s.set(acc);
  }
}

/**
 * `count` independent streams from one seed: stream k is the seeded generator advanced by k {@link Xoshiro256StarStar.jump}s,
 * so the same seed and k give the same stream whatever the number of workers.
 */
export function splitStreams(seed: number | bigint, count: number): Xoshiro256StarStar[] {
  const base = Xoshiro256StarStar.fromSeed(seed);
  const out: Xoshiro256StarStar[] = [];
  for (let k = 0; k < count; k++) {
    out.push(base.clone());
    base.jump();
  }
  return out;
}

/** Fill `out` with standard normals, in order (the same values as successive {@link Xoshiro256StarStar.nextNormal}). */
export function fillNormals(rng: Xoshiro256StarStar, out: Float64Array, start = 0, count = out.length - start): void {
  rng.fillOpenDoubles(out, start, count);
  for (let i = start; i < start + count; i++) out[i] = normInv(out[i]!);
}

/**
 * Gamma(shape, scale 1) variate, shape > 0 (Marsaglia & Tsang 2000; for shape < 1 the boost
 * gamma(shape + 1)·U^(1/shape)). Mean = shape, variance = shape. Throws RangeError for shape ≤ 0 or not finite.
 */
export function nextGamma(rng: Xoshiro256StarStar, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const g = nextGamma(rng, shape + 1);
    return g * Math.pow(rng.nextOpenDouble(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.nextNormal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng.nextOpenDouble();
    const x2 = x * x;
    // Cheap squeeze first (accepts ~98 % of tries), then the exact log test.
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Chi-square(ν) variate, ν > 0: 2·gamma(ν/2). */
export function nextChiSquare(rng: Xoshiro256StarStar, dof: number): number {
  return 2 * nextGamma(rng, dof / 2);
}

/**
 * Student-t(ν) variate scaled to unit variance, ν > 2: z·√((ν − 2)/W) with z standard normal (drawn first) and
 * W ~ χ²(ν). Throws RangeError for ν ≤ 2 (infinite variance: no unit-variance scaling exists).
 */
export function nextStudentTUnitVariance(rng: Xoshiro256StarStar, dof: number): number {
  if (!(dof > 2) || !Number.isFinite(dof)) throw new RangeError(`Student-t degrees of freedom must be > 2, got ${dof}`);
  const z = rng.nextNormal();
  return z * Math.sqrt((dof - 2) / nextChiSquare(rng, dof));
}
