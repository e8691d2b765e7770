/**
 * Loaders for the Derive PMRM_2 fixtures (test/fixtures/derive): the preset, the published test vectors TC-D1/TC-D2
 * (market snapshot + portfolio in netrisk's formats, expected figures from derive-pmrm2.md §4) and the scipy reference
 * cases of generate.py.
 */
import { readFileSync } from "node:fs";
import { validateMarket } from "../../src/io/market.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { MarketSnapshot } from "../../src/market/types.js";
import type { DeriveBucketInput } from "../../src/models/derive-pmrm2/inputs.js";
import { parseDerivePmrm2Params, type DerivePmrm2Params } from "../../src/models/derive-pmrm2/params.js";
import type { ResolvedPortfolio, ResolvedPosition } from "../../src/models/types.js";

const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** A validated parameter set from presets/. */
export function loadPreset(file = "derive-pmrm2.json"): DerivePmrm2Params {
  const r = parseDerivePmrm2Params(JSON.parse(repoFile(`presets/${file}`)));
  if (!r.ok) throw new Error(`preset ${file} invalid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

export interface VectorPosition {
  readonly instrument: string;
  readonly size: number;
  readonly unrealisedPnlUsdc?: number;
  readonly unrealisedFundingUsdc?: number;
}

/** One published Derive test vector. `market` is a market.json, `expected` the note's figures (see each fixture). */
export interface DeriveVector {
  readonly source: { readonly case: string };
  readonly secondsToExpiry?: number;
  readonly market: unknown;
  readonly portfolio: { readonly positions: readonly VectorPosition[]; readonly collateral: Readonly<Record<string, number>> };
  readonly expected: Record<string, unknown> & { readonly toleranceRelative: number; readonly bucket: string };
}

export function loadVector(file: string): DeriveVector {
  return JSON.parse(repoFile(`test/fixtures/derive/${file}`)) as DeriveVector;
}

/** The vector's market.json validated by the project's market reader. */
export function vectorSnapshot(v: DeriveVector): MarketSnapshot {
  const r = validateMarket(v.market);
  if (!r.ok) throw new Error(`fixture market invalid: ${JSON.stringify(r.issues)}`);
  return r.value;
}

/** The vector's portfolio with instruments resolved by the project's instrument parser. */
export function resolvePortfolio(v: DeriveVector): ResolvedPortfolio {
  const positions: ResolvedPosition[] = v.portfolio.positions.map((p, i) => {
    const inst = parseInstrument(p.instrument);
    if (!inst.ok) throw new Error(`bad instrument ${p.instrument}`);
    return {
      instrument: inst.value,
      sizeCoin: p.size,
      sizeConvention: "coin",
      inputIndices: [i],
      ...(p.unrealisedPnlUsdc === undefined ? {} : { unrealisedPnlUsdc: p.unrealisedPnlUsdc }),
      ...(p.unrealisedFundingUsdc === undefined ? {} : { unrealisedFundingUsdc: p.unrealisedFundingUsdc }),
    };
  });
  return { positions, collateral: v.portfolio.collateral, notes: [] };
}

/**
 * The bucket input of a single-underlying vector, read straight from the snapshot fields (no market context): the
 * kernel-level path. Option vol/forward from the quote, rate from `ratesDecimal.USDC`, T from the timestamps.
 */
export function vectorBucketInput(v: DeriveVector): DeriveBucketInput {
  const m = vectorSnapshot(v);
  const base = v.expected.bucket;
  const portfolio = resolvePortfolio(v);
  const perpPos = portfolio.positions.find((p) => p.instrument.kind === "perpetual");
  const perpName = `${base}_USDC-PERPETUAL`;
  const expiries = portfolio.positions.flatMap((p) => {
    const inst = p.instrument;
    if (inst.kind !== "option") return [];
    const q = m.instruments[inst.name] ?? {};
    return [
      {
        expiryMs: inst.expiryMs,
        secondsToExpiry: (inst.expiryMs - m.timestampMs) / 1000,
        forwardUsd: q.underlyingPrice ?? Number.NaN,
        rateDecimal: m.ratesDecimal?.USDC ?? 0,
        forwardConfidence: q.underlyingPriceConfidence ?? 1,
        rateConfidence: q.rateConfidence ?? 1,
        legs: [
          {
            name: inst.name,
            sizeCoin: p.sizeCoin,
            isCall: inst.optionKind === "call",
            strikeUsd: inst.strikeUsd,
            volDecimal: q.markIv ?? Number.NaN,
            volConfidence: q.markIvConfidence ?? 1,
          },
        ],
      },
    ];
  });
  return {
    base,
    spotUsd: m.indexUsd[base] ?? Number.NaN,
    spotConfidence: m.indexConfidence?.[base] ?? 1,
    perpConfidence: m.instruments[perpName]?.markPriceConfidence ?? 1,
    stableUsd: m.indexUsd.USDC ?? 1,
    cashUsdc: v.portfolio.collateral.USDC ?? 0,
    ...(perpPos === undefined
      ? {}
      : {
          perp: {
            name: perpName,
            sizeCoin: perpPos.sizeCoin,
            priceUsd: m.instruments[perpName]?.markPrice ?? Number.NaN,
            unrealisedPnlUsdc: perpPos.unrealisedPnlUsdc ?? 0,
            unrealisedFundingUsdc: perpPos.unrealisedFundingUsdc ?? 0,
          },
        }),
    expiries,
    collaterals: [],
  };
}

/** One scipy reference case of generate.py. */
export interface ReferenceCase {
  readonly name: string;
  readonly input: DeriveBucketInput;
  readonly expected: {
    readonly mtm: number;
    readonly optionsMtm: number;
    readonly discountedMtm: number;
    readonly scenarioPnls: readonly number[];
    readonly skewLinear: number;
    readonly skewAbs: number;
    readonly basisContingency: number;
    readonly minSpan: number;
    readonly worstRegular: number | null;
    readonly worstTail: number | null;
    readonly worstSkew: number;
    readonly mmContingency: number;
    readonly imContingency: number;
    readonly oracleContingencyIm: number;
    readonly pegAdjustment: number;
    readonly netIm: number;
    readonly netMm: number;
    readonly requiredIm: number;
    readonly requiredMm: number;
    readonly expiries: readonly {
      readonly tauYears: number;
      readonly discountFactor: number;
      readonly forwardFixedUsd: number;
      readonly volMultiplierUp: number;
      readonly volMultiplierDown: number;
      readonly staticDiscountLong: number;
      readonly staticDiscountShort: number;
      readonly skewCap: number;
      readonly skewKStar: number;
      readonly mtm: number;
      readonly discountedMtm: number;
      readonly basisContingency: number;
      readonly legVols: readonly { readonly up: number; readonly down: number; readonly skewLinear: number; readonly skewAbs: number }[];
    }[];
  };
}

export function loadReferenceCases(): readonly ReferenceCase[] {
  return (JSON.parse(repoFile("test/fixtures/derive/reference-cases.json")) as { cases: ReferenceCase[] }).cases;
}
