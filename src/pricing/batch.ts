/**
 * Struct-of-arrays Black-76 for whole option chains: prices, Greeks and implied vols over Float64Array columns,
 * for `netrisk price --batch` and for risk arrays (one pass per scenario over every option of a snapshot).
 *
 * Why a separate API: no object per option (the scalar API allocates a Greeks object), columns that move to worker
 * threads as transferable buffers, and per-expiry work shared between consecutive rows with the same timeYears and
 * rate (√T and the discount factor; chains come sorted by expiry). Results equal the scalar functions' bit for bit
 * (batch.test.ts).
 *
 * The kernels do not validate (domain as black76.ts); call {@link validateChain} first on untrusted input.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { normCdf, ONE_OVER_SQRT_TWO_PI } from "../math/normal.js";
import { discountFactor, logMoneyness } from "./black76.js";
import { failureIssue, impliedTotalVol, IV_BELOW_INTRINSIC } from "./implied-vol.js";
import type { ImpliedVolFailure } from "./implied-vol.js";
import { normalisedBlack, normalisedBlackOtmCall, normalisedIntrinsic, normalisedVega } from "./normalised-black.js";

/** Option settlement: `linear` values in USD, `inverse` in coin (USD value / forward). */
export type OptionSettlement = "linear" | "inverse";

/** One row per option. All columns have the same length. */
export interface OptionChainColumns {
  /** 1 = call, 0 = put. */
  readonly isCall: Uint8Array;
  readonly forwardUsd: Float64Array;
  readonly strikeUsd: Float64Array;
  readonly timeYears: Float64Array;
  /** Volatility per row, decimal. Not needed (may be empty) for {@link impliedVolBatch}. */
  readonly volDecimal: Float64Array;
  /** Continuously-compounded rate per row, decimal; absent means 0 for every row. */
  readonly rateDecimal?: Float64Array;
}

/** Greeks of the USD value per 1 coin of underlying, one row per option (units as in greeks.ts). */
export interface Black76GreeksColumns {
  readonly priceUsd: Float64Array;
  readonly deltaCoin: Float64Array;
  readonly gammaPerUsd: Float64Array;
  readonly vegaUsdPerVol: Float64Array;
  readonly thetaUsdPerYear: Float64Array;
  readonly rhoUsdPerRate: Float64Array;
}

/** Greeks of the coin value per 1 coin of underlying (inverse options), one row per option. */
export interface InverseGreeksColumns {
  readonly priceCoin: Float64Array;
  /** Deribit's delta (NTD): Black delta minus the coin price. */
  readonly deltaCoin: Float64Array;
  readonly deltaCoinPerUsd: Float64Array;
  readonly gammaCoinPerUsd2: Float64Array;
  readonly vegaCoinPerVol: Float64Array;
  readonly thetaCoinPerYear: Float64Array;
  readonly rhoCoinPerRate: Float64Array;
}

/** Allocates USD Greeks columns for n options. */
export function allocateGreeksColumns(n: number): Black76GreeksColumns {
  return {
    priceUsd: new Float64Array(n),
    deltaCoin: new Float64Array(n),
    gammaPerUsd: new Float64Array(n),
    vegaUsdPerVol: new Float64Array(n),
    thetaUsdPerYear: new Float64Array(n),
    rhoUsdPerRate: new Float64Array(n),
  };
}

/** Allocates coin Greeks columns for n options. */
export function allocateInverseGreeksColumns(n: number): InverseGreeksColumns {
  return {
    priceCoin: new Float64Array(n),
    deltaCoin: new Float64Array(n),
    deltaCoinPerUsd: new Float64Array(n),
    gammaCoinPerUsd2: new Float64Array(n),
    vegaCoinPerVol: new Float64Array(n),
    thetaCoinPerYear: new Float64Array(n),
    rhoCoinPerRate: new Float64Array(n),
  };
}

/**
 * Checks a chain for the kernels' domain: equal column lengths, forward and strike finite and > 0, time and vol
 * finite and >= 0 (vol only when `withVol`), rate finite. Paths are `forwardUsd[3]`-style. Empty list when valid.
 */
export function validateChain(chain: OptionChainColumns, withVol = true): Issue[] {
  const issues: Issue[] = [];
  const n = chain.forwardUsd.length;
  const columns: [string, ArrayLike<number> | undefined][] = [
    ["isCall", chain.isCall],
    ["strikeUsd", chain.strikeUsd],
    ["timeYears", chain.timeYears],
    ["volDecimal", withVol ? chain.volDecimal : undefined],
    ["rateDecimal", chain.rateDecimal],
  ];
  for (const [name, col] of columns) {
    if (col !== undefined && col.length !== n) {
      issues.push(issue("invalid_value", name, `column has ${col.length} rows, forwardUsd has ${n}`));
    }
  }
  if (issues.length > 0) return issues;
  for (let i = 0; i < n; i++) {
    const check = (name: string, v: number | undefined, strictlyPositive: boolean): void => {
      if (v === undefined || !Number.isFinite(v)) issues.push(issue("non_finite", joinPath(name, i), `expected a finite number, got ${v}`));
      else if (strictlyPositive ? !(v > 0) : v < 0) {
        issues.push(issue(strictlyPositive ? "not_positive" : "out_of_range", joinPath(name, i), `got ${v}`));
      }
    };
    check("forwardUsd", chain.forwardUsd[i], true);
    check("strikeUsd", chain.strikeUsd[i], true);
    check("timeYears", chain.timeYears[i], false);
    if (withVol) check("volDecimal", chain.volDecimal[i], false);
    const r = chain.rateDecimal?.[i];
    if (r !== undefined && !Number.isFinite(r)) issues.push(issue("non_finite", joinPath("rateDecimal", i), `got ${r}`));
  }
  return issues;
}

/**
 * Prices of every option in the settlement unit (USD per coin for linear, coin per coin for inverse), into `out`
 * (allocated when absent). Equal to black76PriceUsd / black76PriceCoin row by row.
 */
export function black76PriceBatch(chain: OptionChainColumns, settlement: OptionSettlement, out?: Float64Array): Float64Array {
  const n = chain.forwardUsd.length;
  const prices = out ?? new Float64Array(n);
  const { isCall, forwardUsd, strikeUsd, timeYears, volDecimal, rateDecimal } = chain;
  const inverse = settlement === "inverse";
  let tPrev = NaN;
  let rPrev = NaN;
  let sqrtT = 0;
  let disc = 1;
  let xPrev = NaN;
  let sPrev = NaN;
  let otmPrev = 0;
  for (let i = 0; i < n; i++) {
    const f = forwardUsd[i] as number;
    const k = strikeUsd[i] as number;
    const t = timeYears[i] as number;
    const r = rateDecimal ? (rateDecimal[i] as number) : 0;
    if (t !== tPrev || r !== rPrev) {
      // Shared per expiry: consecutive rows of one expiry reuse √T and the discount factor.
      sqrtT = Math.sqrt(t);
      disc = discountFactor(r, t);
      tPrev = t;
      rPrev = r;
    }
    const s = (volDecimal[i] as number) * sqrtT;
    const call = isCall[i] === 1;
    let undiscounted: number;
    if (s > 0) {
      // b(x, s, θ) = intrinsic + b_otm(−|x|, s) for either θ (normalisedBlack's reduction), so a call and a put at the
      // same strike, forward and vol (adjacent in a sorted chain; 509 of Deribit's 652 pairs on 2025-12-30) share
      // the expensive out-of-the-money value. Same arithmetic as normalisedBlack, hence bit-identical results.
      const x = logMoneyness(f, k);
      const xOtm = -Math.abs(x);
      if (xOtm !== xPrev || s !== sPrev) {
        otmPrev = normalisedBlackOtmCall(xOtm, s);
        xPrev = xOtm;
        sPrev = s;
      }
      const xc = call ? x : -x;
      undiscounted = Math.sqrt(f * k) * (xc <= 0 ? otmPrev : normalisedIntrinsic(xc) + otmPrev);
    } else {
      undiscounted = Math.max(call ? f - k : k - f, 0);
    }
    const price = disc * undiscounted;
    prices[i] = inverse ? price / f : price;
  }
  return prices;
}

/**
 * USD-value Greeks of every option (linear options, or the USD side of inverse ones), into `out` (allocated when
 * absent). Equal to black76Greeks row by row; per-day and per-point variants are the /365.25 and /100 scalings.
 */
export function black76GreeksBatch(chain: OptionChainColumns, out?: Black76GreeksColumns): Black76GreeksColumns {
  const n = chain.forwardUsd.length;
  const g = out ?? allocateGreeksColumns(n);
  const { isCall, forwardUsd, strikeUsd, timeYears, volDecimal, rateDecimal } = chain;
  let tPrev = NaN;
  let rPrev = NaN;
  let sqrtT = 0;
  let disc = 1;
  for (let i = 0; i < n; i++) {
    const f = forwardUsd[i] as number;
    const k = strikeUsd[i] as number;
    const t = timeYears[i] as number;
    const vol = volDecimal[i] as number;
    const r = rateDecimal ? (rateDecimal[i] as number) : 0;
    if (t !== tPrev || r !== rPrev) {
      sqrtT = Math.sqrt(t);
      disc = discountFactor(r, t);
      tPrev = t;
      rPrev = r;
    }
    const call = isCall[i] === 1;
    const s = vol * sqrtT;
    let price: number;
    let delta: number;
    let gamma = 0;
    let vega = 0;
    let decay = 0;
    if (s > 0) {
      // Same operations, in the same order, as greeks.ts black76Greeks (bit-identical results).
      const x = logMoneyness(f, k);
      const sqrtFK = Math.sqrt(f * k);
      price = disc * (sqrtFK * normalisedBlack(x, s, call));
      const d1 = x / s + 0.5 * s;
      delta = call ? disc * normCdf(d1) : -disc * normCdf(-d1);
      const fPhi = sqrtFK * normalisedVega(x, s);
      gamma = (disc * fPhi) / (f * f * s);
      vega = disc * fPhi * sqrtT;
      decay = (-disc * fPhi * vol) / (2 * sqrtT);
    } else {
      price = disc * Math.max(call ? f - k : k - f, 0);
      const itm = call ? f > k : f < k;
      delta = (call ? disc : -disc) * (f === k ? 0.5 : itm ? 1 : 0);
      if (t > 0 && f === k) vega = disc * f * ONE_OVER_SQRT_TWO_PI * sqrtT;
    }
    g.priceUsd[i] = price;
    g.deltaCoin[i] = delta;
    g.gammaPerUsd[i] = gamma;
    g.vegaUsdPerVol[i] = vega;
    g.thetaUsdPerYear[i] = t > 0 ? r * price + decay : 0;
    g.rhoUsdPerRate[i] = -t * price;
  }
  return g;
}

/**
 * Coin-value Greeks of every inverse option from USD Greeks columns (as computed by {@link black76GreeksBatch}) and
 * the forwards; into `out` (allocated when absent). Equal to inverseGreeksFromUsd row by row.
 */
export function inverseGreeksBatch(
  usd: Black76GreeksColumns,
  forwardUsd: Float64Array,
  out?: InverseGreeksColumns,
): InverseGreeksColumns {
  const n = forwardUsd.length;
  const c = out ?? allocateInverseGreeksColumns(n);
  for (let i = 0; i < n; i++) {
    const f = forwardUsd[i] as number;
    const priceCoin = (usd.priceUsd[i] as number) / f;
    const ntd = (usd.deltaCoin[i] as number) - priceCoin;
    c.priceCoin[i] = priceCoin;
    c.deltaCoin[i] = ntd;
    c.deltaCoinPerUsd[i] = ntd / f;
    c.gammaCoinPerUsd2[i] = ((usd.gammaPerUsd[i] as number) - (2 * ntd) / f) / f;
    c.vegaCoinPerVol[i] = (usd.vegaUsdPerVol[i] as number) / f;
    c.thetaCoinPerYear[i] = (usd.thetaUsdPerYear[i] as number) / f;
    c.rhoCoinPerRate[i] = (usd.rhoUsdPerRate[i] as number) / f;
  }
  return c;
}

/** Result of a batch implied-volatility solve. */
export interface ImpliedVolBatchResult {
  /** σ per row, decimal; NaN exactly on the rows listed in `issues` (the only NaN this package hands out). */
  readonly volDecimal: Float64Array;
  /** One issue per failed row, path `price[i]`, codes as impliedVolUsd. Empty when every row solved. */
  readonly issues: readonly Issue[];
}

/**
 * Implied volatilities of a chain from prices in the settlement unit (USD for linear, coin for inverse). Validates
 * the chain (without volDecimal) and the prices first; invalid input fails as a whole. Per-row outcomes that are
 * properties of the price (below intrinsic, above bound, no solution) are reported per row, so one bad quote does
 * not lose the chain.
 */
export function impliedVolBatch(
  chain: OptionChainColumns,
  price: Float64Array,
  settlement: OptionSettlement,
): Result<ImpliedVolBatchResult> {
  const n = chain.forwardUsd.length;
  const invalid = validateChain(chain, false);
  if (price.length !== n) invalid.push(issue("invalid_value", "price", `column has ${price.length} rows, forwardUsd has ${n}`));
  for (let i = 0; i < n && invalid.length === 0; i++) {
    const t = chain.timeYears[i] as number;
    if (!(t > 0)) invalid.push(issue("not_positive", joinPath("timeYears", i), `implied vol needs time to expiry, got ${t}`));
    const p = price[i] as number;
    if (!Number.isFinite(p)) invalid.push(issue("non_finite", joinPath("price", i), `got ${p}`));
  }
  if (invalid.length > 0) return fail(...invalid);
  const vol = new Float64Array(n);
  const issues: Issue[] = [];
  const inverse = settlement === "inverse";
  for (let i = 0; i < n; i++) {
    const f = chain.forwardUsd[i] as number;
    const k = chain.strikeUsd[i] as number;
    const t = chain.timeYears[i] as number;
    const r = chain.rateDecimal ? (chain.rateDecimal[i] as number) : 0;
    const p = price[i] as number;
    const priceUsd = inverse ? p * f : p;
    const call = chain.isCall[i] === 1;
    const totalVol =
      priceUsd < 0
        ? IV_BELOW_INTRINSIC
        : impliedTotalVol(logMoneyness(f, k), priceUsd / (discountFactor(r, t) * Math.sqrt(f * k)), call);
    if (totalVol >= 0) {
      vol[i] = totalVol / Math.sqrt(t);
    } else {
      vol[i] = NaN;
      issues.push(failureIssue(totalVol as ImpliedVolFailure, joinPath("price", i), call));
    }
  }
  return ok({ volDecimal: vol, issues });
}
