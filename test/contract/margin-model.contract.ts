/**
 * The shared contract every {@link MarginModel} must satisfy, as a vitest suite. Each model's test file calls
 * {@link runMarginModelContract} with its factory, a market and sample portfolios (test/contract/*.contract.test.ts).
 *
 * Properties checked on every sample portfolio:
 * - every number anywhere in the result is finite (no NaN/Infinity, also inside details and typed arrays);
 * - IM ≥ MM ≥ 0 per bucket and in total, in the bucket currency and in USD (when the model guarantees it);
 * - bucket IM/MM in USD sum to `totalUsd`;
 * - the result does not depend on the order of the positions (reversed, and random permutations);
 * - scaling every size (and collateral) by k > 0 scales each positively homogeneous component (the scenario
 *   worst case, or whatever the model names) by k;
 * - the empty portfolio has zero margin;
 * - the same input gives the same output (same model twice, and a fresh model), and the input is not mutated;
 * - `model`, `parameterSet` and `sizeConventions` are reported as given.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hasSharedData } from "../helpers/requires.js";
import type { MarketContext } from "../../src/market/context.js";
import type { BucketMargin, MarginModel, MarginResult, ResolvedPortfolio, ResolvedPosition } from "../../src/models/types.js";

export interface SamplePortfolio {
  readonly name: string;
  readonly portfolio: ResolvedPortfolio;
}

export interface MarginModelContractOptions {
  /** Suite name, e.g. "standard". */
  readonly name: string;
  /** A fresh model instance (called more than once: determinism must not rely on shared state). */
  readonly createModel: () => MarginModel;
  /** The market all samples are margined in (called once). */
  readonly market: () => MarketContext;
  /** The market is read from ../shared/data: the suite is skipped (one notice for the run) where that is missing. */
  readonly needsSharedData?: boolean;
  /** Non-empty portfolios resolved against that market; include multi-position and multi-bucket ones. */
  readonly samplePortfolios: (market: MarketContext) => readonly SamplePortfolio[];
  /** The model guarantees IM ≥ MM ≥ 0 (default true). */
  readonly guaranteesImAboveMm?: boolean;
  /**
   * Component names (in `BucketMargin.components`) that are positively homogeneous of degree 1 in the sizes:
   * scaling every size by k scales them by k. E.g. ["worstCase"] for a scenario model. A name absent from a bucket
   * is skipped; at least one must be present in at least one sample.
   */
  readonly homogeneousComponents: readonly string[];
  /**
   * Components homogeneous only under a condition the model states, e.g. a risk matrix whose extended scenarios
   * subtract a fixed dampener: its worst case scales by k only while the worst scenario stays the same standard one.
   */
  readonly conditionallyHomogeneous?: {
    readonly components: readonly string[];
    /** Whether the property applies to this bucket pair (base result, result with sizes × k). */
    readonly when: (base: BucketMargin, scaled: BucketMargin) => boolean;
  };
  /** Also scale collateral balances with k (default true: collateral enters some models' scenario P&L). */
  readonly scaleCollateral?: boolean;
  /** Random permutations and scale factors tried per sample (default 5): keep slow models' suites fast. */
  readonly propertyRuns?: number;
}

/** Relative-plus-absolute closeness: |a − b| ≤ rel·max(|a|, |b|) + abs. */
function close(a: number, b: number, rel: number, abs: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

/** Paths of every number in `value` that is not finite (recursing into arrays, typed arrays and objects). */
export function nonFinitePaths(value: unknown, path = "$", out: string[] = []): string[] {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    Array.from(value as unknown as ArrayLike<number | bigint>).forEach((v, i) => nonFinitePaths(typeof v === "number" ? v : 0, `${path}[${i}]`, out));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFinitePaths(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) nonFinitePaths(v, `${path}.${k}`, out);
  }
  return out;
}

function scalePortfolio(p: ResolvedPortfolio, k: number, scaleCollateral: boolean): ResolvedPortfolio {
  return {
    ...p,
    positions: p.positions.map((x): ResolvedPosition => ({
      ...x,
      sizeCoin: x.sizeCoin * k,
      ...(x.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: x.unrealisedPnlUsdc * k } : {}),
      ...(x.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: x.unrealisedFundingUsdc * k } : {}),
    })),
    collateral: scaleCollateral ? Object.fromEntries(Object.entries(p.collateral).map(([c, v]) => [c, v * k])) : p.collateral,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Tolerances. Sums taken in another order differ by a few ulps per term: 1e-12 relative is far above that and far
// below any real modelling difference. Scaling: k·x computed as Σ (k·size)·row differs from k·Σ size·row by
// rounding only, plus worst-scenario ties (same loss either way), so 1e-9 relative.
const ORDER_REL = 1e-12;
const SCALE_REL = 1e-9;
const ABS = 1e-9;

function expectSameMargins(a: MarginResult, b: MarginResult, rel: number): void {
  expect(Object.keys(b.byCurrency).sort()).toEqual(Object.keys(a.byCurrency).sort());
  expect(close(a.totalUsd.initialMargin, b.totalUsd.initialMargin, rel, ABS), `total IM ${a.totalUsd.initialMargin} vs ${b.totalUsd.initialMargin}`).toBe(true);
  expect(close(a.totalUsd.maintenanceMargin, b.totalUsd.maintenanceMargin, rel, ABS), `total MM ${a.totalUsd.maintenanceMargin} vs ${b.totalUsd.maintenanceMargin}`).toBe(true);
  for (const [c, x] of Object.entries(a.byCurrency)) {
    const y = b.byCurrency[c];
    if (y === undefined) continue;
    expect(close(x.initialMargin, y.initialMargin, rel, ABS), `${c} IM ${x.initialMargin} vs ${y.initialMargin}`).toBe(true);
    expect(close(x.maintenanceMargin, y.maintenanceMargin, rel, ABS), `${c} MM ${x.maintenanceMargin} vs ${y.maintenanceMargin}`).toBe(true);
    for (const [name, v] of Object.entries(x.components)) {
      const w = y.components[name];
      expect(w !== undefined && close(v, w, rel, ABS), `${c}.components.${name} ${v} vs ${String(w)}`).toBe(true);
    }
  }
}

/** Register the contract suite for one model. */
export function runMarginModelContract(o: MarginModelContractOptions): void {
  const runs = o.propertyRuns ?? 5;
  const guarantees = o.guaranteesImAboveMm ?? true;
  const scaleCollateral = o.scaleCollateral ?? true;

  if (o.needsSharedData === true && !hasSharedData) {
    describe.skip(`MarginModel contract: ${o.name} (needs ../shared/data)`, () => {
      it("runs on the real Deribit market of ../shared/data", () => undefined);
    });
    return;
  }
  describe(`MarginModel contract: ${o.name}`, () => {
    let conditionalChecks = 0;
    const market = o.market();
    const model = o.createModel();
    const samples = o.samplePortfolios(market);
    const results = new Map<string, MarginResult>(samples.map((s) => [s.name, model.compute(s.portfolio, market)]));
    const resultOf = (name: string): MarginResult => results.get(name) as MarginResult;

    it("has sample portfolios with positions", () => {
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) expect(s.portfolio.positions.length, s.name).toBeGreaterThan(0);
    });

    describe.each(samples.map((s) => [s.name, s] as const))("sample %s", (name, sample) => {
      it("reports only finite numbers, anywhere in the result", () => {
        expect(nonFinitePaths(resultOf(name))).toEqual([]);
      });

      it("reports its id, parameter set and the size conventions used", () => {
        const r = resultOf(name);
        expect(r.model).toBe(model.id);
        expect(r.parameterSet).toEqual(model.parameterSet);
        const used = new Set(sample.portfolio.positions.map((p) => p.sizeConvention));
        expect([...r.sizeConventions].sort()).toEqual([...used].sort());
      });

      it("has bucket USD figures that sum to totalUsd", () => {
        const r = resultOf(name);
        const buckets = Object.values(r.byCurrency);
        expect(buckets.length).toBeGreaterThan(0);
        const im = buckets.reduce((s, b) => s + b.initialMarginUsd, 0);
        const mm = buckets.reduce((s, b) => s + b.maintenanceMarginUsd, 0);
        expect(close(im, r.totalUsd.initialMargin, ORDER_REL, ABS), `${im} vs ${r.totalUsd.initialMargin}`).toBe(true);
        expect(close(mm, r.totalUsd.maintenanceMargin, ORDER_REL, ABS), `${mm} vs ${r.totalUsd.maintenanceMargin}`).toBe(true);
      });

      it.runIf(guarantees)("has IM ≥ MM ≥ 0 per bucket and in total", () => {
        const r = resultOf(name);
        for (const b of Object.values(r.byCurrency)) {
          expect(b.maintenanceMargin, b.currency).toBeGreaterThanOrEqual(0);
          expect(b.initialMargin - b.maintenanceMargin, b.currency).toBeGreaterThanOrEqual(-ABS);
          expect(b.maintenanceMarginUsd, b.currency).toBeGreaterThanOrEqual(0);
          expect(b.initialMarginUsd - b.maintenanceMarginUsd, b.currency).toBeGreaterThanOrEqual(-ABS);
        }
        expect(r.totalUsd.maintenanceMargin).toBeGreaterThanOrEqual(0);
        expect(r.totalUsd.initialMargin - r.totalUsd.maintenanceMargin).toBeGreaterThanOrEqual(-ABS);
      });

      it("does not depend on the order of the positions", () => {
        const p = sample.portfolio;
        expectSameMargins(resultOf(name), model.compute({ ...p, positions: [...p.positions].reverse() }, market), ORDER_REL);
        fc.assert(
          fc.property(fc.shuffledSubarray([...p.positions], { minLength: p.positions.length, maxLength: p.positions.length }), (shuffled) => {
            expectSameMargins(resultOf(name), model.compute({ ...p, positions: shuffled }, market), ORDER_REL);
          }),
          { numRuns: runs, seed: 20240617 },
        );
      });

      it("scales homogeneous components (and worst-scenario contributions) by k when every size is scaled by k > 0", () => {
        const base = resultOf(name);
        const check = (what: string, actual: number | undefined, expected: number, k: number): void => {
          expect(actual !== undefined && close(actual, expected, SCALE_REL, ABS * Math.max(1, k)), `k=${k} ${what}: ${String(actual)} vs ${expected}`).toBe(true);
        };
        fc.assert(
          fc.property(fc.oneof(fc.constantFrom(0.5, 2, 10), fc.double({ min: 0.01, max: 100, noNaN: true })), (k) => {
            const scaled = model.compute(scalePortfolio(sample.portfolio, k, scaleCollateral), market);
            for (const [c, b] of Object.entries(base.byCurrency)) {
              const sb = scaled.byCurrency[c];
              expect(sb, `bucket ${c} at k=${k}`).toBeDefined();
              if (sb === undefined) continue;
              for (const component of o.homogeneousComponents) {
                const v = b.components[component];
                if (v !== undefined) check(`${c}.${component}`, sb.components[component], k * v, k);
              }
              const cond = o.conditionallyHomogeneous;
              if (cond !== undefined && cond.when(b, sb)) {
                conditionalChecks += 1;
                for (const component of cond.components) {
                  const v = b.components[component];
                  if (v !== undefined) check(`${c}.${component}`, sb.components[component], k * v, k);
                }
              }
              // Raw scenario P&L is linear in the sizes: in the same worst scenario each position's share scales by k.
              if (b.worstScenario !== undefined && b.worstScenario.id === sb.worstScenario?.id && b.contributions !== undefined) {
                for (const x of b.contributions) {
                  check(`${c} contribution of ${x.instrument}`, sb.contributions?.find((y) => y.instrument === x.instrument)?.pnl, k * x.pnl, k);
                }
              }
            }
          }),
          { numRuns: runs, seed: 1718619740 },
        );
      });

      it("is deterministic and does not mutate its input", () => {
        const frozen = deepFreeze(structuredClone(sample.portfolio));
        const again = model.compute(frozen, market);
        expect(again).toEqual(resultOf(name));
        expect(o.createModel().compute(frozen, market)).toEqual(again);
        expect(frozen).toEqual(sample.portfolio);
      });
    });

    it("names at least one homogeneous component present in the samples (a scaling check that ran)", () => {
      const present = samples.some((s) =>
        Object.values(resultOf(s.name).byCurrency).some((b) => o.homogeneousComponents.some((c) => b.components[c] !== undefined)),
      );
      // Runs after the sample suites (vitest keeps registration order): a conditional check must have applied at least once.
      expect(present || conditionalChecks > 0, `conditional checks run: ${conditionalChecks}`).toBe(true);
    });

    it("gives zero margin for the empty portfolio", () => {
      const r = model.compute({ positions: [], collateral: {}, notes: [] }, market);
      // `=== 0` accepts -0 too: a sum of no terms may be either.
      expect(r.totalUsd.initialMargin === 0 && r.totalUsd.maintenanceMargin === 0, JSON.stringify(r.totalUsd)).toBe(true);
      for (const b of Object.values(r.byCurrency)) {
        expect(b.initialMargin === 0 && b.maintenanceMargin === 0, b.currency).toBe(true);
      }
      expect(r.sizeConventions).toEqual([]);
      expect(nonFinitePaths(r)).toEqual([]);
    });
  });
}
