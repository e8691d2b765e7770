/**
 * Black-76 Greeks with their units in the names, for linear (USD-valued) and inverse (coin-valued) options.
 * Conventions (docs/pricing.md has the full table):
 *
 * - Greeks are of the value of an option on 1 coin of underlying, long.
 * - Delta and gamma are with respect to the forward F (the expiry's `underlying_price` at Deribit), σ, T, r held.
 * - Vega per 1.00 of volatility (σ decimal) and per vol point (0.01).
 * - Theta is the change as calendar time passes (T falls), F and σ held, per year and per calendar day, where one
 *   day is 1/365.25 year: the same ACT/365.25 year as timeYears (Deribit's `time_to_maturity`), so thetaPerDay is
 *   exactly the first-order change over one day of the T we price with. Deribit's own theta is also per day.
 * - Rho per 1.00 of rate and per percentage point, F held (Black-76: only the discount factor depends on r, so
 *   rho = −T·V).
 *
 * Inverse options (value in coin, V_coin = V_usd/F): the Greeks of V_coin as functions of F, plus Deribit's
 * delta: "Black-Scholes delta minus the mark price in coin" (Net Transaction Delta, NTD = D·N(d1) − V_coin for a
 * call), which equals F·∂V_coin/∂F, the coin P&L per unit relative move of F, to first order.
 *
 * Domain as black76.ts. At T = 0 (expiring now) delta is the step D·1{F > K} (½ at F = K) and gamma, vega, theta
 * and rho are 0; at σ = 0 with T > 0, gamma is 0, vega is its σ → 0 limit (non-zero only at F = K) and theta is r·V.
 * @module
 */
import { normCdf, ONE_OVER_SQRT_TWO_PI } from "../math/normal.js";
import { discountFactor, logMoneyness } from "./black76.js";
import type { Black76Input } from "./black76.js";
import { normalisedBlack, normalisedVega } from "./normalised-black.js";

/** Calendar days per year of timeYears (ACT/365.25). */
export const DAYS_PER_YEAR = 365.25;

/** Greeks of the USD value per 1 coin of underlying (linear options; also the `usd` part of inverse Greeks). */
export interface Black76Greeks {
  /** Option value, USD per 1 coin of underlying. */
  readonly priceUsd: number;
  /** ∂priceUsd/∂forwardUsd: the coin-equivalent exposure (Black delta, discounted), e.g. 0.52 for an ATM call. */
  readonly deltaCoin: number;
  /** ∂²priceUsd/∂forwardUsd², coin per USD. */
  readonly gammaPerUsd: number;
  /** ∂priceUsd/∂σ, USD per 1.00 of vol. */
  readonly vegaUsdPerVol: number;
  /** USD per vol point (σ + 0.01): vegaUsdPerVol / 100. Deribit's `vega`. */
  readonly vegaUsdPerVolPoint: number;
  /** −∂priceUsd/∂T, USD per year of calendar time. Usually negative for a long option. */
  readonly thetaUsdPerYear: number;
  /** thetaUsdPerYear / 365.25: USD per calendar day. */
  readonly thetaUsdPerDay: number;
  /** ∂priceUsd/∂r per 1.00 of rate, forward held: −T·priceUsd. */
  readonly rhoUsdPerRate: number;
  /** Per percentage point of rate: rhoUsdPerRate / 100. */
  readonly rhoUsdPerPercent: number;
}

/** Greeks of the coin value per 1 coin of underlying (inverse, coin-settled options), plus the USD Greeks. */
export interface InverseGreeks {
  /** Option value in coin per 1 coin of underlying: priceUsd / forwardUsd (Deribit's `mark_price` unit). */
  readonly priceCoin: number;
  /**
   * Deribit's option delta in coin: Black delta minus the price in coin (Net Transaction Delta),
   * = usd.deltaCoin − priceCoin = F·∂priceCoin/∂F. Coin P&L ≈ deltaCoin·(ΔF/F).
   */
  readonly deltaCoin: number;
  /** ∂priceCoin/∂forwardUsd, coin per USD. */
  readonly deltaCoinPerUsd: number;
  /** ∂²priceCoin/∂forwardUsd², coin per USD². */
  readonly gammaCoinPerUsd2: number;
  /** ∂priceCoin/∂σ, coin per 1.00 of vol. */
  readonly vegaCoinPerVol: number;
  /** Coin per vol point. */
  readonly vegaCoinPerVolPoint: number;
  /** −∂priceCoin/∂T, coin per year. */
  readonly thetaCoinPerYear: number;
  /** Coin per calendar day (1/365.25 year). */
  readonly thetaCoinPerDay: number;
  /** ∂priceCoin/∂r per 1.00 of rate, forward held. */
  readonly rhoCoinPerRate: number;
  /** Coin per percentage point of rate. */
  readonly rhoCoinPerPercent: number;
  /** Greeks of the USD value V = priceCoin·F (Deribit's ticker shows the plain Black delta `usd.deltaCoin`). */
  readonly usd: Black76Greeks;
}

/** USD-value Greeks of one option; see the module comment for units and degenerate cases. */
export function black76Greeks(i: Black76Input): Black76Greeks {
  const { isCall, forwardUsd: f, strikeUsd: k, timeYears: tYears, volDecimal: vol } = i;
  const r = i.rateDecimal ?? 0;
  const d = discountFactor(r, tYears);
  const sqrtT = Math.sqrt(tYears);
  const s = vol * sqrtT;
  const x = logMoneyness(f, k);
  let price: number;
  let delta: number;
  let gamma = 0;
  let vega = 0;
  let thetaDecay = 0; // the σ part of theta, −D·F·φ(d1)·σ/(2√T)
  if (s > 0) {
    const sqrtFK = Math.sqrt(f * k);
    price = d * (sqrtFK * normalisedBlack(x, s, isCall)); // same rounding as black76PriceUsd
    const d1 = x / s + 0.5 * s;
    delta = isCall ? d * normCdf(d1) : -d * normCdf(-d1);
    // F·φ(d1) = √(FK)·e^{x/2}·φ(d1) = √(FK)·ν with ν the normalised vega (accurate where φ(d1) underflows alone).
    const fPhi = sqrtFK * normalisedVega(x, s);
    gamma = (d * fPhi) / (f * f * s);
    vega = d * fPhi * sqrtT;
    thetaDecay = (-d * fPhi * vol) / (2 * sqrtT);
  } else {
    price = d * Math.max(isCall ? f - k : k - f, 0);
    const itm = isCall ? f > k : f < k;
    delta = (isCall ? d : -d) * (f === k ? 0.5 : itm ? 1 : 0);
    // σ → 0 with T > 0: ∂V/∂σ → D·F·φ(0)·√T at the money, 0 elsewhere.
    if (tYears > 0 && f === k) vega = d * f * ONE_OVER_SQRT_TWO_PI * sqrtT;
  }
  const thetaPerYear = tYears > 0 ? r * price + thetaDecay : 0;
  const rho = -tYears * price;
  return {
    priceUsd: price,
    deltaCoin: delta,
    gammaPerUsd: gamma,
    vegaUsdPerVol: vega,
    vegaUsdPerVolPoint: vega / 100,
    thetaUsdPerYear: thetaPerYear,
    thetaUsdPerDay: thetaPerYear / DAYS_PER_YEAR,
    rhoUsdPerRate: rho,
    rhoUsdPerPercent: rho / 100,
  };
}

/** Coin-value Greeks of an inverse (coin-settled) option from its USD Greeks at forward F. */
export function inverseGreeksFromUsd(usd: Black76Greeks, forwardUsd: number): InverseGreeks {
  const f = forwardUsd;
  const priceCoin = usd.priceUsd / f;
  const ntd = usd.deltaCoin - priceCoin;
  const deltaPerUsd = ntd / f;
  // d²(V/F)/dF² = Γ/F − 2Δ/F² + 2V/F³ = (Γ − 2·(Δ − V/F)/F)/F.
  const gamma = (usd.gammaPerUsd - (2 * ntd) / f) / f;
  const vega = usd.vegaUsdPerVol / f;
  const theta = usd.thetaUsdPerYear / f;
  const rho = usd.rhoUsdPerRate / f;
  return {
    priceCoin,
    deltaCoin: ntd,
    deltaCoinPerUsd: deltaPerUsd,
    gammaCoinPerUsd2: gamma,
    vegaCoinPerVol: vega,
    vegaCoinPerVolPoint: vega / 100,
    thetaCoinPerYear: theta,
    thetaCoinPerDay: theta / DAYS_PER_YEAR,
    rhoCoinPerRate: rho,
    rhoCoinPerPercent: rho / 100,
    usd,
  };
}

/** Coin-value Greeks of one inverse (coin-settled) option; see {@link InverseGreeks}. */
export function black76InverseGreeks(i: Black76Input): InverseGreeks {
  return inverseGreeksFromUsd(black76Greeks(i), i.forwardUsd);
}
