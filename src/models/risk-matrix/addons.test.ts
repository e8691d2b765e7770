import { describe, expect, it } from "vitest";
import { deltaShock, futuresContingency, nakedShortOptionContingency, rollShock } from "./addons.js";
import type { AddonPosition } from "./addons.js";

const JUN24 = Date.UTC(2024, 5, 28, 8);
const perp = (sizeCoin: number): AddonPosition => ({ kind: "perpetual", sizeCoin, deltaCoin: sizeCoin, expiryMs: undefined, timeYears: 0, strikeUsd: undefined });
const future = (sizeCoin: number, expiryMs: number, timeYears: number): AddonPosition => ({
  kind: "future",
  sizeCoin,
  deltaCoin: sizeCoin,
  expiryMs,
  timeYears,
  strikeUsd: undefined,
});
const option = (sizeCoin: number, strikeUsd: number, deltaCoin = 0, expiryMs = JUN24): AddonPosition => ({
  kind: "option",
  sizeCoin,
  deltaCoin,
  expiryMs,
  timeYears: 0.5,
  strikeUsd,
});

describe("rollShock", () => {
  it("W1 (Deribit docs example): 0.314538364 × 0.01 + 0.001187534 × 0.01 = 0.00315725898 BTC (deribit-pm.md §2.7), 1e-15", () => {
    const r = rollShock([perp(0.314538364), future(-0.001187534, JUN24, 0.029866)], 0.075, 0.01, "linear", 1);
    // Exact decimal arithmetic gives 0.00315725898; two products and a sum in doubles stay within 1e-17.
    expect(Math.abs(r - 0.00315725898)).toBeLessThan(1e-15);
  });
  it("above the floor: linear a·T vs exp e^{aT} − 1 (hand values: 0.075 × 2 = 0.15; e^0.15 − 1 = 0.161834242728283)", () => {
    expect(rollShock([future(10, JUN24, 2)], 0.075, 0.01, "linear", 1)).toBeCloseTo(1.5, 14);
    expect(rollShock([future(10, JUN24, 2)], 0.075, 0.01, "exp", 1)).toBeCloseTo(1.61834242728283, 13);
  });
  it("nets deltas within an expiry (option hedged by its own future) but not across expiries", () => {
    expect(rollShock([future(-0.4, JUN24, 0.5), option(1, 60_000, 0.4)], 0.075, 0.01, "linear", 1)).toBeCloseTo(0, 15);
    expect(rollShock([perp(1), future(-1, JUN24, 0.1)], 0.075, 0.01, "linear", 1)).toBeCloseTo(0.01 + 0.01, 15);
  });
  it("a linear bucket is charged in USD: × the index", () => {
    expect(rollShock([perp(2)], 0.1, 0.01, "linear", 60_000)).toBeCloseTo(1200, 9);
  });
});

describe("deltaShock", () => {
  it("is 0 below the threshold (W1: 0.313 BTC ≪ 20M USD)", () => {
    expect(deltaShock([perp(0.314538364), future(-0.001187534, JUN24, 0.03)], 0.00005, 20_000_000, 0.1, 65_666.19, 1)).toBe(0);
  });
  it("hand example: 1000 BTC at 50,000 USD, threshold 20M USD = 400 BTC → rate 0.00005 × 600 = 0.03 → 30 BTC", () => {
    expect(deltaShock([perp(1000)], 0.00005, 20_000_000, 0.1, 50_000, 1)).toBeCloseTo(30, 10);
  });
  it("caps the rate at max_delta_shock and uses |net delta|", () => {
    // 10,000 BTC short: rate min(0.00005 × 9600, 0.1) = 0.1 → 1000 BTC.
    expect(deltaShock([perp(-10_000)], 0.00005, 20_000_000, 0.1, 50_000, 1)).toBeCloseTo(1000, 9);
  });
});

describe("legacy contingencies (deribit-pm.md §5 W4)", () => {
  it("net short per strike: call +10 and put −20 at one strike → 10 × 0.01 = 0.1 BTC", () => {
    expect(nakedShortOptionContingency([option(10, 70_000), option(-20, 70_000)], 0.01, 1)).toBeCloseTo(0.1, 15);
  });
  it("shorts at another strike or expiry are not offset", () => {
    const later = Date.UTC(2024, 8, 27, 8);
    expect(nakedShortOptionContingency([option(10, 70_000), option(-10, 75_000), option(-5, 70_000, 0, later)], 0.01, 1)).toBeCloseTo(0.15, 15);
  });
  it("offsetting futures +100 / −100 BTC: 1 % → 1 BTC (S11), 2 % → 2 BTC (S12)", () => {
    const book = [future(100, JUN24, 0.1), future(-100, Date.UTC(2024, 8, 27, 8), 0.3)];
    expect(futuresContingency(book, 0.01, "offsetting", 1)).toBeCloseTo(1, 15);
    expect(futuresContingency(book, 0.02, "offsetting", 1)).toBeCloseTo(2, 15);
    // Gross basis (model deck: 0.6 % of the cumulative absolute futures position): 0.006 × 200 = 1.2.
    expect(futuresContingency(book, 0.006, "gross", 1)).toBeCloseTo(1.2, 15);
  });
  it("Dederi clone (W5): 0.006 × 2243.3 USD × 10 ETH = 134.598 USD on a linear bucket", () => {
    expect(futuresContingency([future(10, JUN24, 20 / 365)], 0.006, "gross", 2243.3)).toBeCloseTo(134.598, 9);
  });
});
