/**
 * Read-only views of an account for the service's analysis routes: the risk matrix with every position's P&L in
 * every scenario, Greeks per underlying and expiry (coin and USD), and the shock curve (equity and MM against a price
 * shock of one underlying, with the breach point marked, as OKX's position-builder graph but with the breach).
 * Pure; computed from the account's engine and market.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { formatExpiryCode } from "../market/instrument.js";
import { black76Greeks } from "../pricing/greeks.js";
import { currencyUsdRate } from "../risk/marks.js";
import { evaluateAccount, inEngine } from "./account.js";
import type { Account } from "./account.js";
import { createMarginEngine, isRiskMatrixModel } from "./engine.js";
import { marketMover } from "./market-move.js";

/** Every scenario of every bucket, with each position's P&L in it (before the model's aggregation rules). */
export interface ScenarioMatrix {
  readonly buckets: readonly {
    readonly bucket: string;
    readonly currency: string;
    readonly scenarios: readonly { readonly id: string; readonly priceMove: number; readonly volMove: string; readonly tail: boolean; readonly pnl: number }[];
    readonly worstScenario: string | null;
    /** Per position: its P&L in each scenario, in the order of `scenarios` (raw, before offsets and dampeners). */
    readonly positions: readonly { readonly instrument: string; readonly sizeCoin: number; readonly pnl: readonly number[] }[];
  }[];
}

/**
 * The risk matrix with its per-position breakdown. Risk-matrix models only (`unsupported` otherwise): the rows are
 * the engine's shared risk arrays, so a position's P&L in scenario j is size × row[j].
 */
export function scenarioMatrix(account: Account): Result<ScenarioMatrix> {
  const { engine } = account;
  if (!isRiskMatrixModel(engine.model)) return fail(issue("unsupported", "model", `${engine.model.id} has no scenario matrix (risk-matrix models only: deribit, derive-pmrm2's scenarios are in its margin details)`));
  const ev = evaluateAccount(account);
  if (!ev.ok) return ev;
  const arrays = engine.sharedArrays();
  const buckets = Object.entries(ev.value.margin.byCurrency).map(([key, b]) => {
    const scenarios = (b.scenarios ?? []).map((s) => ({ id: s.id, priceMove: s.priceMove, volMove: s.volMove, tail: s.tail, pnl: s.pnl }));
    const positions = (b.contributions ?? []).map((c) => {
      const row = arrays?.rowOf.get(c.instrument);
      const S = arrays?.scenarioCount ?? 0;
      const pnl = row === undefined || arrays === undefined ? [] : Array.from(arrays.data.subarray(row * S, row * S + scenarios.length), (v) => v * c.sizeCoin);
      return { instrument: c.instrument, sizeCoin: c.sizeCoin, pnl };
    });
    return { bucket: key, currency: b.currency, scenarios, worstScenario: b.worstScenario?.id ?? null, positions };
  });
  return ok({ buckets });
}

export interface GreeksLine {
  readonly underlying: string;
  /** Deribit expiry code, or "PERPETUAL" for undated positions. */
  readonly expiry: string;
  readonly expiryMs: number | null;
  /** Exposure of the USD value to the underlying, coin; and × index, USD. */
  readonly deltaCoin: number;
  readonly deltaUsd: number;
  /** ∂²V/∂S², coin per USD; and the USD change of delta for a 1 % move, USD. */
  readonly gammaCoinPerUsd: number;
  readonly gammaUsdPerPercent: number;
  /** Per vol point (0.01), USD and coin. */
  readonly vegaUsd: number;
  readonly vegaCoin: number;
  /** Per calendar day, USD and coin. */
  readonly thetaUsd: number;
  readonly thetaCoin: number;
}

/** Greeks per underlying and expiry (options by Black-76 on their forward; futures and perpetuals: delta = size). */
export function accountGreeks(account: Account): Result<{ lines: GreeksLine[]; byUnderlying: Record<string, Omit<GreeksLine, "underlying" | "expiry" | "expiryMs">> }> {
  const market = account.engine.market;
  const lines = new Map<string, GreeksLine>();
  for (const p of account.positions) {
    const inst = p.instrument;
    if (inst.kind === "spot") continue;
    const index = market.indexUsd(inst.base);
    const expiryMs = inst.kind === "perpetual" ? null : inst.expiryMs;
    const key = `${inst.base}|${expiryMs ?? "perp"}`;
    let d = p.sizeCoin;
    let g = 0;
    let v = 0;
    let t = 0;
    if (inst.kind === "option") {
      const i = market.optionInputs(inst);
      const gr = black76Greeks({ isCall: inst.optionKind === "call", forwardUsd: i.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: i.timeYears, volDecimal: i.volDecimal, rateDecimal: i.rateDecimal });
      // Linear options are worth USD(C) × the settlement currency's price; inverse ones are their USD value in coin.
      const rate = inst.settlement === "linear" ? currencyUsdRate(market, inst.settlementCurrency) : 1;
      d = p.sizeCoin * gr.deltaCoin * rate;
      g = p.sizeCoin * gr.gammaPerUsd * rate;
      v = p.sizeCoin * gr.vegaUsdPerVolPoint * rate;
      t = p.sizeCoin * gr.thetaUsdPerDay * rate;
    }
    const prev = lines.get(key);
    const add = (a: number | undefined, b: number): number => (a ?? 0) + b;
    lines.set(key, {
      underlying: inst.base,
      expiry: expiryMs === null ? "PERPETUAL" : formatExpiryCode(expiryMs),
      expiryMs,
      deltaCoin: add(prev?.deltaCoin, d),
      deltaUsd: add(prev?.deltaUsd, d * index),
      gammaCoinPerUsd: add(prev?.gammaCoinPerUsd, g),
      gammaUsdPerPercent: add(prev?.gammaUsdPerPercent, g * index * index * 0.01),
      vegaUsd: add(prev?.vegaUsd, v),
      vegaCoin: add(prev?.vegaCoin, v / index),
      thetaUsd: add(prev?.thetaUsd, t),
      thetaCoin: add(prev?.thetaCoin, t / index),
    });
  }
  const sorted = [...lines.values()].sort((a, b) => a.underlying.localeCompare(b.underlying) || (a.expiryMs ?? -1) - (b.expiryMs ?? -1));
  const byUnderlying: Record<string, Omit<GreeksLine, "underlying" | "expiry" | "expiryMs">> = {};
  for (const l of sorted) {
    const { underlying, expiry: _e, expiryMs: _m, ...rest } = l;
    const acc = byUnderlying[underlying];
    byUnderlying[underlying] = acc === undefined ? { ...rest } : (Object.fromEntries(Object.entries(rest).map(([k, x]) => [k, (acc as Record<string, number>)[k] as number + x])) as typeof rest);
  }
  return ok({ lines: sorted, byUnderlying });
}

export interface ShockPoint {
  readonly moveDecimal: number;
  readonly indexUsd: number;
  readonly equityUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly initialMarginUsd: number;
  /** MM / equity (null when equity ≤ 0 with MM > 0). */
  readonly maintenanceRatio: number | null;
  readonly state: string;
}

export interface ShockCurve {
  readonly underlying: string;
  readonly points: readonly ShockPoint[];
  /** The smallest move on each side at which MM ≥ liquidation threshold × equity (bisected to 1e-4), or null. */
  readonly breach: { readonly down: ShockPoint | null; readonly up: ShockPoint | null };
}

/**
 * Equity and MM against a shock of one underlying's price from −50 % to +50 % (step 5 % by default; every price of
 * the underlying moves, options sticky-strike: account/market-move.ts), with the breach point on each side.
 */
export function shockCurve(account: Account, underlying: string, options: { fromDecimal?: number; toDecimal?: number; steps?: number } = {}): Result<ShockCurve> {
  const market = account.engine.market;
  if (!market.bases.includes(underlying)) return fail(issue("missing_index", "underlying", `the market has no index for ${underlying}`));
  const from = options.fromDecimal ?? -0.5;
  const to = options.toDecimal ?? 0.5;
  const steps = options.steps ?? 20;
  const mover = marketMover(market, account.positions.map((p) => p.instrument.name));
  const threshold = account.rules.health.liquidationRatio;
  let failure: Result<never> | undefined;
  const at = (m: number): ShockPoint | undefined => {
    const moved = m === 0 ? market : mover({ [underlying]: m });
    const engine = m === 0 ? account.engine : createMarginEngine(account.engine.model, moved, { coinCollateralOffset: account.rules.coinCollateralOffset, fastArrays: true });
    const ev = evaluateAccount(m === 0 ? account : inEngine(account, engine));
    if (!ev.ok) {
      failure ??= ev;
      return undefined;
    }
    const f = ev.value.figures;
    return { moveDecimal: m, indexUsd: moved.indexUsd(underlying), equityUsd: f.equityUsd, maintenanceMarginUsd: f.maintenanceMarginUsd, initialMarginUsd: f.initialMarginUsd, maintenanceRatio: f.maintenanceRatio, state: ev.value.health.state };
  };
  const breached = (p: ShockPoint): boolean => p.maintenanceMarginUsd >= threshold * p.equityUsd && (p.maintenanceMarginUsd > 0 || p.equityUsd < 0);
  const points: ShockPoint[] = [];
  for (let k = 0; k <= steps; k++) {
    const p = at(from + ((to - from) * k) / steps);
    if (p === undefined) return failure as Result<never>;
    points.push(p);
  }
  const side = (dir: -1 | 1): ShockPoint | null => {
    const zero = at(0);
    if (zero === undefined) return null;
    if (breached(zero)) return zero;
    const path = points.filter((p) => Math.sign(p.moveDecimal) === dir).sort((a, b) => Math.abs(a.moveDecimal) - Math.abs(b.moveDecimal));
    let lo = 0;
    const hit = path.find(breached);
    if (hit === undefined) return null;
    let hi = hit.moveDecimal;
    let best = hit;
    const prevOk = path.filter((p) => Math.abs(p.moveDecimal) < Math.abs(hi) && !breached(p)).pop();
    if (prevOk !== undefined) lo = prevOk.moveDecimal;
    for (let i = 0; i < 40 && Math.abs(hi - lo) > 1e-4; i++) {
      const mid = (lo + hi) / 2;
      const p = at(mid);
      if (p === undefined) break;
      if (breached(p)) {
        hi = mid;
        best = p;
      } else lo = mid;
    }
    return best;
  };
  const down = side(-1);
  const up = side(1);
  if (failure !== undefined) return failure;
  return ok({ underlying, points, breach: { down, up } });
}
