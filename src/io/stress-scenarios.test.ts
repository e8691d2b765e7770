import { describe, expect, it } from "vitest";
import { parseStressScenariosJson, validateStressScenarios } from "./stress-scenarios.js";
import { userStressScenarios } from "../risk/stress/user.js";
import { unwrap } from "../errors.js";

const example = {
  scenarios: [
    { name: "btc-crash-vol-up", description: "BTC −30 %, vols ×1.5", horizonDays: 2, priceMoves: { BTC: -0.3, ETH: -0.35 }, volMoves: { BTC: 0.5 } },
    { name: "usdc-depeg-intraday", priceMoves: { USDC: -0.1221 } },
  ],
};

describe("stress scenario file", () => {
  it("valid file → joint set with unlisted factors unchanged (and noted)", () => {
    const scenarios = unwrap(validateStressScenarios(example));
    const set = userStressScenarios(scenarios, { priceFactors: ["BTC"], source: "s.json" });
    expect(set.method).toBe("user");
    expect(set.priceFactors).toEqual(["BTC", "ETH", "USDC"]);
    expect(Array.from(set.priceRelativeMove)).toEqual([-0.3, -0.35, 0, 0, 0, -0.1221]);
    expect(set.volFactors).toEqual(["BTC"]);
    expect(Array.from(set.volRatio)).toEqual([1.5, 1]);
    expect(set.labels).toEqual(["btc-crash-vol-up", "usdc-depeg-intraday"]);
    expect(set.horizonDays).toBe(2);
    expect(set.notes).toContain("usdc-depeg-intraday: unchanged BTC, ETH, vol:BTC");
  });

  it("bad input: unknown field, move ≤ −1, bad code, duplicate names, invalid JSON", () => {
    const codes = (v: unknown): string[] => {
      const r = validateStressScenarios(v);
      return r.ok ? [] : r.issues.map((i) => `${i.path} ${i.code}`);
    };
    expect(codes({ scenarios: [{ name: "a", priceMoves: { BTC: -0.1 }, volMove: { BTC: 1 } }] })).toEqual(["scenarios[0].volMove invalid_value"]);
    expect(codes({ scenarios: [{ name: "a", priceMoves: { BTC: -1 } }] })).toEqual(["scenarios[0].priceMoves.BTC out_of_range"]);
    expect(codes({ scenarios: [{ name: "a", priceMoves: { btc: -0.1 } }] })).toEqual(["scenarios[0].priceMoves.btc invalid_value"]);
    expect(codes({ scenarios: [{ name: "a", priceMoves: {} }, { name: "a", priceMoves: {} }] })).toEqual(["scenarios[1].name duplicate"]);
    expect(codes({ scenarios: [] })).toEqual(["scenarios out_of_range"]);
    const j = parseStressScenariosJson("{", "s.json");
    expect(!j.ok && j.issues[0]).toMatchObject({ code: "invalid_json", path: "s.json" });
  });
});
