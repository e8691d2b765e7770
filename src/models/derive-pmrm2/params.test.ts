import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDerivePmrm2Params } from "./params.js";

const readPreset = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../../presets/${file}`, import.meta.url), "utf8"));

describe("Derive PMRM_2 parameter sets", () => {
  it("the test-set preset validates and holds the note's §3 'v2-core test set' column", () => {
    const r = parseDerivePmrm2Params(readPreset("derive-pmrm2.json"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.value;
    expect(p.name).toBe("derive-pmrm2");
    expect(p.margin).toEqual({ imFactor: 1, mmFactor: 0.8 });
    expect(p.staticDiscount).toEqual({
      longBaseDecimal: 0.95,
      longRateMultScale: 1,
      longRateAddScale: 0.08,
      shortBaseDecimal: 1.04,
      shortRateMultScale: 0.5,
      shortRateAddScale: 0.08,
    });
    expect(p.volShock.minVolUpShockDecimal).toBe(0.45);
    // 23 regular scenarios with dampening 1 and 6 tails, all tails vol up.
    expect(p.scenarios.filter((s) => !s.tail)).toHaveLength(23);
    expect(p.scenarios.filter((s) => !s.tail).every((s) => s.dampeningDecimal === 1)).toBe(true);
    const tails = p.scenarios.filter((s) => s.tail);
    expect(tails.map((s) => [s.spotMultiplier, s.dampeningDecimal])).toEqual([
      [0.34, 0.0545],
      [0.67, 0.1091],
      [1.5, 0.072],
      [2, 0.036],
      [3, 0.018],
      [4, 0.012],
    ]);
    expect(tails.every((s) => s.vol === "up")).toBe(true);
    // Note §3: w × |s − 1| is constant (0.036) over the test tails, to the 4 digits published.
    for (const s of tails) expect(Math.abs(s.dampeningDecimal * Math.abs(s.spotMultiplier - 1) - 0.036)).toBeLessThan(5e-5);
  });

  it("the mainnet set validates, carries the static-discount caveat and 8 tails", () => {
    const r = parseDerivePmrm2Params(readPreset("derive-pmrm2-mainnet-2025-06.json"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.name).toBe("derive-pmrm2-mainnet-2025-06");
    expect(r.value.caveats?.some((c) => c.includes("inverted"))).toBe(true);
    expect(r.value.scenarios.filter((s) => s.tail)).toHaveLength(8);
  });

  it("rejects a bad set with invalid_parameter_set issues and paths", () => {
    const bad = structuredClone(readPreset("derive-pmrm2.json")) as Record<string, Record<string, unknown>>;
    (bad.volShock as Record<string, unknown>).dteFloorDays = 0;
    (bad.scenarios as unknown as Record<string, unknown>[])[3] = { spotMultiplier: -1, vol: "sideways", dampeningDecimal: 1, tail: false };
    bad.collaterals = { ETH: { ETH: { riskCancelling: true, mmHaircutDecimal: 0.6, imHaircutDecimal: 0.5 } } };
    bad.margin = { imFactor: 1 };
    bad.effective = "April 2025" as unknown as Record<string, unknown>;
    const r = parseDerivePmrm2Params(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.every((i) => i.code === "invalid_parameter_set")).toBe(true);
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "volShock.dteFloorDays",
        "scenarios[3].spotMultiplier",
        "scenarios[3].vol",
        "collaterals.ETH.ETH.imHaircutDecimal",
        "margin.mmFactor",
        "effective",
      ]),
    );
  });

  it("rejects unknown fields and a wrong model", () => {
    const bad = { ...(readPreset("derive-pmrm2.json") as object), model: "risk-matrix", extra: 1 };
    const r = parseDerivePmrm2Params(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["model"]));
    expect(r.issues.some((i) => i.message.includes("extra") || i.path === "extra")).toBe(true);
  });
});
