/**
 * Arrange a netrisk portfolio and market into Derive PMRM_2 bucket inputs: one bucket per underlying (one Derive risk
 * manager), options grouped by expiry, the USDC perpetual, cash and collateral, each feed with its confidence.
 * This is the model's input boundary: anything Derive cannot margin becomes an issue here, never a silent guess.
 * @module
 */
import { fail, issue, joinPath, ok, type Issue, type Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { InstrumentQuote, OptionInstrument, PerpetualInstrument } from "../../market/types.js";
import type { ResolvedPortfolio } from "../types.js";
import type { DeriveBucketInput, DeriveCollateralInput, DeriveExpiryInput, DeriveOptionLeg, DerivePerpInput } from "./inputs.js";
import type { DerivePmrm2Params } from "./params.js";

/** Derive's cash asset (wrapped USDC) and the settlement currency of every Derive instrument. */
export const DERIVE_CASH_CURRENCY = "USDC";

/** Bucket inputs plus notes for the result. */
export interface DeriveArrangement {
  readonly buckets: readonly DeriveBucketInput[];
  readonly notes: readonly string[];
}

interface PendingBucket {
  perp?: DerivePerpInput;
  readonly options: { readonly instrument: OptionInstrument; readonly sizeCoin: number; readonly path: string }[];
  readonly collateral: Map<string, number>;
}

/** Read a confidence (missing = 1); out of [0, 1] or non-finite is an issue. */
function confidence(value: number | undefined, path: string, issues: Issue[]): number {
  if (value === undefined) return 1;
  if (!(value >= 0 && value <= 1)) {
    issues.push(issue("out_of_range", path, `confidence must be in [0, 1], got ${String(value)}`));
    return 1;
  }
  return value;
}

/**
 * Build the bucket inputs. Issues: inverse or non-USDC instruments and dated futures (`unsupported`: Derive lists
 * only USDC options and perpetuals), negative non-cash collateral, confidences outside [0, 1], a missing price of a
 * collateral asset (`missing_index`), a USDC price ≤ 0.
 */
export function arrangeDerivePortfolio(
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  params: DerivePmrm2Params,
): Result<DeriveArrangement> {
  const issues: Issue[] = [];
  const notes: string[] = [];
  const snapshot = market.snapshot;
  const pending = new Map<string, PendingBucket>();
  const bucketOf = (base: string): PendingBucket => {
    let b = pending.get(base);
    if (b === undefined) pending.set(base, (b = { options: [], collateral: new Map() }));
    return b;
  };
  const spotBalances = new Map<string, number>(Object.entries(portfolio.collateral));

  portfolio.positions.forEach((p, i) => {
    const path = joinPath("positions", p.inputIndices[0] ?? i, "instrument");
    const inst = p.instrument;
    if (inst.kind === "spot") {
      spotBalances.set(inst.currency, (spotBalances.get(inst.currency) ?? 0) + p.sizeCoin);
      return;
    }
    if (inst.settlement !== "linear" || inst.settlementCurrency !== DERIVE_CASH_CURRENCY || inst.kind === "future") {
      issues.push(issue("unsupported", path, `${inst.name}: Derive PMRM_2 margins only USDC-settled options and perpetuals`));
      return;
    }
    const b = bucketOf(inst.base);
    if (inst.kind === "option") {
      b.options.push({ instrument: inst, sizeCoin: p.sizeCoin, path });
      return;
    }
    const prev = b.perp;
    // A perp with an average price carries its P&L since it as the unrealised P&L Derive's MtM counts (the validator
    // refuses both fields on one position).
    const sincePrice = p.averagePrice !== undefined ? p.sizeCoin * (market.futureMarkUsd(inst) - p.averagePrice) : 0;
    b.perp = perpInput(inst, p.sizeCoin, (p.unrealisedPnlUsdc ?? 0) + sincePrice, p.unrealisedFundingUsdc ?? 0, market, prev);
  });

  const stableUsd = snapshot.indexUsd[DERIVE_CASH_CURRENCY] ?? 1;
  if (!(stableUsd > 0)) issues.push(issue("not_positive", joinPath("indexUsd", DERIVE_CASH_CURRENCY), "USDC price must be > 0"));
  const cashUsdc = spotBalances.get(DERIVE_CASH_CURRENCY) ?? 0;
  spotBalances.delete(DERIVE_CASH_CURRENCY);

  // Collateral goes to the first underlying (derivative buckets first, then alphabetical) whose manager accepts it.
  for (const [currency, amount] of [...spotBalances.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (amount === 0) continue;
    const accepting = Object.keys(params.collaterals).filter((u) => params.collaterals[u]?.[currency] !== undefined).sort();
    const target = accepting.find((u) => pending.has(u)) ?? accepting[0];
    if (target === undefined) {
      notes.push(`${currency} balance ${amount} is not collateral in parameter set ${params.name}: not counted.`);
      continue;
    }
    if (amount < 0) {
      issues.push(issue("out_of_range", joinPath("collateral", currency), `Derive collateral cannot be negative (only ${DERIVE_CASH_CURRENCY} cash can), got ${amount}`));
      continue;
    }
    if (snapshot.indexUsd[currency] === undefined) {
      issues.push(issue("missing_index", joinPath("indexUsd", currency), `no price for collateral ${currency}`));
      continue;
    }
    bucketOf(target).collateral.set(currency, amount);
  }

  const bases = [...pending.keys()].sort();
  if (bases.length > 1 && cashUsdc !== 0)
    notes.push(
      `Derive margins one underlying per subaccount: the ${DERIVE_CASH_CURRENCY} cash of ${cashUsdc} is not split between ` +
        `${bases.join(", ")}; each bucket's netIm/netMm exclude it (account net margin = sum of buckets + cash).`,
    );
  const buckets: DeriveBucketInput[] = [];
  for (const base of bases) {
    const b = pending.get(base);
    if (b === undefined) continue;
    const perpName = b.perp?.name ?? `${base}_${DERIVE_CASH_CURRENCY}-PERPETUAL`;
    const quote = (name: string): InstrumentQuote | undefined => snapshot.instruments[name];
    if (snapshot.indexUsd[base] === undefined) {
      issues.push(issue("missing_index", joinPath("indexUsd", base), `no index (spot) price for ${base}`));
      continue;
    }
    const spotUsd = market.indexUsd(base);
    buckets.push({
      base,
      spotUsd,
      spotConfidence: confidence(snapshot.indexConfidence?.[base], joinPath("indexConfidence", base), issues),
      perpConfidence: confidence(quote(perpName)?.markPriceConfidence, joinPath("instruments", perpName, "markPriceConfidence"), issues),
      stableUsd,
      cashUsdc: bases.length === 1 ? cashUsdc : 0,
      ...(b.perp === undefined ? {} : { perp: b.perp }),
      expiries: expiriesOf(b.options, market, issues),
      collaterals: [...b.collateral.entries()].map(([currency, amount]): DeriveCollateralInput => ({
        currency,
        amount,
        priceUsd: snapshot.indexUsd[currency] ?? 0,
        confidence: confidence(snapshot.indexConfidence?.[currency], joinPath("indexConfidence", currency), issues),
        params: params.collaterals[base]?.[currency] ?? { riskCancelling: false, mmHaircutDecimal: 0, imHaircutDecimal: 0 },
      })),
    });
  }
  return issues.length > 0 ? fail(...issues) : ok({ buckets, notes });
}

function perpInput(
  inst: PerpetualInstrument,
  sizeCoin: number,
  unrealisedPnlUsdc: number,
  unrealisedFundingUsdc: number,
  market: MarketContext,
  prev: DerivePerpInput | undefined,
): DerivePerpInput {
  // One perp per manager: a second position of the same perp (unmerged duplicate) adds to the first.
  return {
    name: inst.name,
    sizeCoin: sizeCoin + (prev?.sizeCoin ?? 0),
    priceUsd: market.futureMarkUsd(inst),
    unrealisedPnlUsdc: unrealisedPnlUsdc + (prev?.unrealisedPnlUsdc ?? 0),
    unrealisedFundingUsdc: unrealisedFundingUsdc + (prev?.unrealisedFundingUsdc ?? 0),
  };
}

/** Group options by expiry (ascending) with one forward, rate and confidence set per expiry. */
function expiriesOf(
  options: PendingBucket["options"],
  market: MarketContext,
  issues: Issue[],
): DeriveExpiryInput[] {
  const byExpiry = new Map<number, PendingBucket["options"]>();
  for (const o of options) {
    const list = byExpiry.get(o.instrument.expiryMs) ?? [];
    list.push(o);
    byExpiry.set(o.instrument.expiryMs, list);
  }
  return [...byExpiry.entries()]
    .sort(([a], [b]) => a - b)
    .map(([expiryMs, list]) => {
      const secondsToExpiry = (expiryMs - market.asOfMs) / 1000;
      const first = list[0]?.instrument;
      const base = first?.base ?? "";
      let forwardConfidence = 1;
      let rateConfidence = 1;
      const legs: DeriveOptionLeg[] = list.map(({ instrument, sizeCoin }) => {
        const q = market.snapshot.instruments[instrument.name];
        const qPath = (field: string): string => joinPath("instruments", instrument.name, field);
        forwardConfidence = Math.min(forwardConfidence, confidence(q?.underlyingPriceConfidence, qPath("underlyingPriceConfidence"), issues));
        rateConfidence = Math.min(rateConfidence, confidence(q?.rateConfidence, qPath("rateConfidence"), issues));
        return {
          name: instrument.name,
          sizeCoin,
          isCall: instrument.optionKind === "call",
          strikeUsd: instrument.strikeUsd,
          // Expired options settle at intrinsic value: no vol is needed (the kernel prices τ = 0 at intrinsic).
          volDecimal: secondsToExpiry > 0 ? market.optionInputs(instrument).volDecimal : 0,
          volConfidence: confidence(q?.markIvConfidence, qPath("markIvConfidence"), issues),
        };
      });
      return {
        expiryMs,
        secondsToExpiry,
        // One forward per expiry, from the forward curve (the index once expired).
        forwardUsd: market.forwardUsd(base, expiryMs),
        rateDecimal: first !== undefined && secondsToExpiry > 0 ? market.optionInputs(first).rateDecimal : 0,
        forwardConfidence,
        rateConfidence,
        legs,
      };
    });
}
