// SPAN worked examples E1–E5 of ../shared/reference/classic-methods.md §1.12, reproduced with the SPAN core.
//
// Tolerances: risk arrays that the sources publish rounded ($10 in McMillan, $1 in CME's Treasury example) are
// generated with the same rounding step and compared EXACTLY (toEqual). Requirements that are sums of rounded
// arrays are exact too. Results that multiply by a rate (0.55, 0.70) are compared to 1e-9 USD: the published figures
// are exact to the cent and the only difference is binary rounding of products such as 0.55 × 1,750 (≤ 1e-12).
import { describe, expect, it } from "vitest";
import { computeSpan, scenarioLossVector } from "./core.js";
import type { SpanCommodityParams, SpanPosition } from "./core.js";
import { futureRiskArray, spanScenarios } from "./scenarios.js";
import { scanningSpreadVector } from "./spreads.js";

const CME = spanScenarios(); // ±2 × PSR at 35 %
const USD = 1e-9;

/** Profit-positive book values → SPAN's loss-positive arrays. */
const neg = (v: readonly number[]): number[] => v.map((x) => -x + 0);

const plainParams: SpanCommodityParams = { intraSpreads: [], som: { method: "max_side", ratePerContract: 0 }, wprMethod: "normal" };
const opts = { novMode: "report", floorAtZero: false } as const;

function future(id: string, commodity: string, tier: string, quantity: number, riskArray: readonly number[]): SpanPosition {
  return { id, commodity, tier, quantity, riskArray, compositeDelta: 1 };
}

describe("E1: long 1 S&P 500 future (McMillan ch. 34, PSR $10,000)", () => {
  // Book P/L, profit positive.
  const bookPnl = [0, 0, 3330, 3330, -3330, -3330, 6670, 6670, -6670, -6670, 10000, 10000, -10000, -10000, 7000, -7000];

  it("generates the published risk array: 1/3 steps rounded to $10, extreme row = 0.35 × 2 × PSR", () => {
    expect(futureRiskArray(10000, CME, 10)).toEqual(neg(bookPnl));
  });

  it("requires the largest loss, $10,000", () => {
    const r = computeSpan([future("SP", "SP", "M1", 1, futureRiskArray(10000, CME, 10))], { SP: plainParams }, [], CME, opts);
    expect(r.total).toBe(10000);
    expect(r.commodities[0]?.scanRisk).toBe(10000);
    // Scenario 13 (price down 3/3, vol up) is the first of the tied worst scenarios 13 and 14.
    expect(r.commodities[0]?.scanIndex).toBe(12);
  });
});

describe("E2: Dec 410 call on S&P futures, and the covered and ratio writes (McMillan pp. 669–670)", () => {
  const futurePnl = [0, 0, 3330, 3330, -3330, -3330, 6670, 6670, -6670, -6670, 10000, 10000, -10000, -10000, 7000, -7000];
  const callPnl = [460, -610, 2640, 1730, -1270, -2340, 5210, 4540, -2540, -3430, 8060, 7640, -3380, -3990, 3130, -1500];
  const coveredPnl = [-460, 610, 690, 1600, -2060, -990, 1460, 2130, -4130, -3240, 1940, 2360, -6620, -6010, 3870, -5500];
  const fut = neg(futurePnl);
  const call = neg(callPnl);
  const call410 = (q: number): SpanPosition => ({ ...future("C410", "SP", "M1", q, call), option: { kind: "call", valuePerContract: 0 } });

  it("long call alone: $3,990 in scenario 14 (futures down 3/3, vol down), as the book states", () => {
    const r = computeSpan([call410(1)], { SP: plainParams }, [], CME, opts);
    expect(r.total).toBe(3990);
    expect(r.commodities[0]?.scanIndex).toBe(13);
  });

  it("covered write (long future, short call): the book's column exactly, worst $6,620 in scenario 13", () => {
    const positions = [future("SP", "SP", "M1", 1, fut), call410(-1)];
    expect(Array.from(scenarioLossVector(positions))).toEqual(neg(coveredPnl));
    const r = computeSpan(positions, { SP: plainParams }, [], CME, opts);
    expect(r.total).toBe(6620);
    expect(r.commodities[0]?.scanIndex).toBe(12);
  });

  it("ratio write 3 long futures / 5 short calls: $13,500 in scenario 16 (derived in the note)", () => {
    const derivedPnl = [-2300, 3050, -3210, 1340, -3640, 1710, -6040, -2690, -7310, -2860, -10300, -8200, -13100, -10050, 5350, -13500];
    const positions = [future("SP", "SP", "M1", 3, fut), call410(-5)];
    expect(Array.from(scenarioLossVector(positions))).toEqual(neg(derivedPnl));
    const r = computeSpan(positions, { SP: plainParams }, [], CME, opts);
    expect(r.total).toBe(13500);
    expect(r.commodities[0]?.scanIndex).toBe(15);
  });
});

describe("E3: CME intra (calendar) spread with tiered outrights", () => {
  // Product X: Month 2 and Month 3 outrights $500, Month 4 $750; intra charges M2/M3 $200, M2/M4 $50, M3/M4 $0.
  const psr: Record<string, number> = { M2: 500, M3: 500, M4: 750 };
  const leg = (tier: string, side: "A" | "B") => ({ key: tier, ratio: 1, side });
  const params: SpanCommodityParams = {
    ...plainParams,
    intraSpreads: [
      { legs: [leg("M2", "A"), leg("M3", "B")], chargePerSpread: 200 },
      { legs: [leg("M2", "A"), leg("M4", "B")], chargePerSpread: 50 },
      { legs: [leg("M3", "A"), leg("M4", "B")], chargePerSpread: 0 },
    ],
  };
  const pos = (tier: string, q: number): SpanPosition => future(`X-${tier}`, "X", tier, q, futureRiskArray(psr[tier] as number, CME));

  it.each([
    ["M2", "M3", 200, 200],
    ["M2", "M4", 300, 50],
    ["M3", "M4", 250, 0],
  ] as const)("+1 %s / −1 %s → $%d (intra charge $%d)", (longTier, shortTier, expected, intra) => {
    const r = computeSpan([pos(longTier, 1), pos(shortTier, -1)], { X: params }, [], CME, opts);
    expect(r.total).toBe(expected);
    expect(r.commodities[0]?.intraSpreadCharge).toBe(intra);
    // |Outright(leg1) − Outright(leg2)| is the scan of the tiered arrays taking the same scenario.
    expect(r.commodities[0]?.scanRisk).toBe(Math.abs((psr[longTier] as number) - (psr[shortTier] as number)));
  });

  it("the spread also forms short the near month and long the far one (A vs B is long vs short, either way round)", () => {
    const r = computeSpan([pos("M2", -1), pos("M4", 1)], { X: params }, [], CME, opts);
    expect(r.total).toBe(300);
  });
});

describe("E4: CME scanning-based spread, +2 30-yr bonds / −3 10-yr notes at a 70 % credit", () => {
  // The Treasury arrays: 1/3 steps rounded to $1 and rows 15/16 = 0.99 × the 3/3 move, i.e. an extreme of 3 × PSR at
  // 33 % cover (classic-methods.md §1.2 note and E4).
  const treasury = spanScenarios({ multiplier: 3, coverFraction: 0.33 });
  const published = [0, 0, 152.8, 152.8, 946.7, 946.7, 307.2, 307.2, 1893.3, 1893.3, 460.0, 460.0, 2840.0, 2840.0, 455.4, 2811.6];

  it("reproduces the published scan column and the $2,840 requirement (scenario 13)", () => {
    const bond = futureRiskArray(3100, treasury, 1).map((x) => 2 * x);
    const note = futureRiskArray(1600, treasury, 1).map((x) => -3 * x);
    // The page's leg values for scenario 13 and (sign-corrected) 15.
    expect([bond[12], note[12]]).toEqual([6200, -4800]);
    expect([bond[14], note[14]]).toEqual([-6138, 4752]);
    const v = scanningSpreadVector([bond, note], 0.7);
    v.forEach((x, j) => expect(Math.abs(x - (published[j] as number)), `scenario ${j + 1}: ${x}`).toBeLessThan(USD));
    expect(Math.max(...v)).toBeCloseTo(2840, 9);
    expect(v.indexOf(Math.max(...v))).toBe(12);
    // Against the outright requirement 2 × 3,100 + 3 × 1,600 = $11,000.
    const outright = computeSpan(
      [future("30Y", "30Y", "M1", 2, futureRiskArray(3100, treasury, 1)), future("10Y", "10Y", "M1", -3, futureRiskArray(1600, treasury, 1))],
      { "30Y": plainParams, "10Y": plainParams },
      [],
      treasury,
      opts,
    );
    expect(outright.total).toBe(11000);
  });
});

describe("E5: CME inter-commodity spread, corn vs soybeans", () => {
  const spread = {
    legs: [
      { key: "CORN", ratio: 2, side: "A" as const },
      { key: "SOY", ratio: 1, side: "B" as const },
    ],
    creditRate: 0.55,
  };
  const run = (cornOutright: number, soyOutright: number) =>
    computeSpan(
      [future("C", "CORN", "M1", 2, futureRiskArray(cornOutright, CME)), future("S", "SOY", "M1", -1, futureRiskArray(soyOutright, CME))],
      { CORN: plainParams, SOY: plainParams },
      [spread],
      CME,
      opts,
    );

  it("2:1 at 55 %, outrights $1,750 and $2,500: outright sum $6,000, credit $3,300, requirement $2,700", () => {
    const r = run(1750, 2500);
    const [corn, soy] = r.commodities.slice().sort((a, b) => (a.commodity < b.commodity ? -1 : 1));
    expect((corn?.scanRisk ?? 0) + (soy?.scanRisk ?? 0)).toBe(6000);
    // Futures only: the weighted price risk per delta equals the outright rate.
    expect(corn?.weightedPriceRisk).toBe(1750);
    expect(soy?.weightedPriceRisk).toBe(2500);
    expect(Math.abs((corn?.interCommodityCredit ?? 0) + (soy?.interCommodityCredit ?? 0) - 3300)).toBeLessThan(USD);
    expect(Math.abs(r.total - 2700)).toBeLessThan(USD);
  });

  it("the textbook variant: 2 corn at $900 + 1 soy at $2,100 = $3,900, at 55 % → $1,755", () => {
    expect(Math.abs(run(900, 2100).total - 1755)).toBeLessThan(USD);
  });

  it("no credit when both legs are long (the spread needs opposite deltas)", () => {
    const r = computeSpan(
      [future("C", "CORN", "M1", 2, futureRiskArray(1750, CME)), future("S", "SOY", "M1", 1, futureRiskArray(2500, CME))],
      { CORN: plainParams, SOY: plainParams },
      [spread],
      CME,
      opts,
    );
    expect(r.total).toBe(6000);
  });
});
