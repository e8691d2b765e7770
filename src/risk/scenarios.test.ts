import { describe, expect, it } from "vitest";
import {
  edgePriceCoinRescale,
  formatMovePercent,
  gridScenarios,
  priceGrid,
  rangeOverMoveWeight,
  tailScenarios,
  VOL_SHIFTS_ASCENDING,
} from "./scenarios.js";

describe("priceGrid", () => {
  it("BTC R = 0.16, B = 4: −16 … +16 % in 4 % steps (deribit-pm.md §2.3)", () => {
    const expected = [-0.16, -0.12, -0.08, -0.04, 0, 0.04, 0.08, 0.12, 0.16];
    const grid = priceGrid(0.16, 4);
    expect(grid).toHaveLength(9);
    // 1 ulp of 0.16 is 2.8e-17: the grid points are the nearest doubles of the printed moves.
    grid.forEach((m, k) => expect(Math.abs(m - (expected[k] as number))).toBeLessThan(1e-16));
    expect(grid[0]).toBe(-0.16);
    expect(grid[8]).toBe(0.16);
    expect(Object.is(grid[4], 0)).toBe(true);
  });

  it("ETH R = 0.18: steps of 4.5 %", () => {
    expect(priceGrid(0.18, 4).map(formatMovePercent)).toEqual(["-18%", "-13.5%", "-9%", "-4.5%", "0%", "+4.5%", "+9%", "+13.5%", "+18%"]);
  });
});

describe("gridScenarios", () => {
  it("lays out index = 3k + v with v = down, unchanged, up and readable ids", () => {
    const s = gridScenarios(priceGrid(0.16, 4), VOL_SHIFTS_ASCENDING);
    expect(s).toHaveLength(27);
    expect(s[0]?.id).toBe("std:-16%:down");
    expect(s[1]?.id).toBe("std:-16%:unchanged");
    expect(s[2]?.id).toBe("std:-16%:up");
    expect(s[3 * 8 + 2]?.id).toBe("std:+16%:up");
    expect(s[13]).toMatchObject({ id: "std:0%:unchanged", priceMove: 0, volShift: "unchanged", tail: false, weight: 1, coinRescale: 1 });
  });
});

describe("tail weights", () => {
  // deribit-pm.md §2.5 prints the fractions to 4 significant digits; tolerance half a unit of the last digit.
  it.each([
    [-0.66, 0.2424],
    [-0.33, 0.4848],
    [0.5, 0.32],
    [1, 0.16],
    [2, 0.08],
    [3, 0.0533],
    [4, 0.04],
    [5, 0.032],
  ])("F·R/|m| for R = 0.16, F = 1 at %f is %f", (m, expected) => {
    expect(Math.abs(rangeOverMoveWeight(m, 0.16, 1) - expected)).toBeLessThanOrEqual(5e-5);
  });

  it("the coin rescale turns an inverse future's tail P&L into its grid-edge P&L (deribit-pm.md §2.5 check)", () => {
    // Inverse future per coin: m/(1+m). Weighted and rescaled: R/|m| · m/(1+m) · (1+m)/(1+sR) = sR/(1+sR).
    for (const m of [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]) {
      const tail = (m / (1 + m)) * rangeOverMoveWeight(m, 0.16, 1) * edgePriceCoinRescale(m, 0.16);
      const edge = m < 0 ? -0.16 / 0.84 : 0.16 / 1.16;
      expect(tail).toBeCloseTo(edge, 15);
    }
  });

  it("builds vol-up-only tail scenarios with ids ext:<move>:up", () => {
    const t = tailScenarios([-0.66, 5], { volShift: "up", weight: (m) => rangeOverMoveWeight(m, 0.16, 1), coinRescale: () => 1 });
    expect(t.map((s) => s.id)).toEqual(["ext:-66%:up", "ext:+500%:up"]);
    expect(t.every((s) => s.tail && s.volShift === "up")).toBe(true);
  });
});
