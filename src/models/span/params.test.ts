// The crypto SPAN parameter set: the shipped preset parses, bad sets come back as issues with paths, and the preset
// is exactly what its calibration script computes from ../shared/data.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hasSharedData } from "../../../test/helpers/requires.js";
import { parseSpanParams } from "./params.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const preset = JSON.parse(readFileSync(new URL("../../../presets/span-crypto.json", import.meta.url), "utf8")) as Record<string, unknown>;
const clone = (): Record<string, unknown> => structuredClone(preset);
const paths = (input: unknown): string[] => {
  const r = parseSpanParams(input);
  return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path}`);
};

describe("parseSpanParams", () => {
  it("accepts the shipped preset with BTC, ETH and SOL and the CME extreme scenarios", () => {
    const r = parseSpanParams(preset);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.value.commodities).sort()).toEqual(["BTC", "ETH", "SOL"]);
    expect(r.value.scenarios).toHaveLength(16);
    expect(r.value.extreme).toEqual({ multiplier: 2, coverFraction: 0.35 });
    expect(r.value.info).toEqual({ name: "span-crypto", version: preset.version, effective: preset.effective });
  });

  it("reports schema errors with paths", () => {
    const p = clone();
    (p.commodities as Record<string, Record<string, unknown>>).BTC!.price_scan_range = 1.5;
    p.wpr_method = "guess";
    expect(paths(p).sort()).toEqual(["invalid_parameter_set commodities.BTC.price_scan_range", "invalid_parameter_set wpr_method"]);
  });

  it("reports cross-field errors: extreme move ≥ 100 %, unknown tiers and commodities, weights not summing to 1, tier order", () => {
    const p = clone();
    (p.scenarios as Record<string, number>).extreme_multiplier = 4; // 4 × SOL's PSR > 1
    const btc = (p.commodities as Record<string, { intra_spreads: { legs: { tier: string }[] }[] }>).BTC!;
    btc.intra_spreads[0]!.legs[1]!.tier = "ZZ";
    (p.inter_spreads as { legs: { commodity: string }[] }[])[0]!.legs[1]!.commodity = "XRP";
    (p.composite_delta_points as { weight: number }[])[0]!.weight += 0.1;
    (p.tiers as { max_days: number | null }[])[2]!.max_days = 1;
    p.perpetual_tier = "NOPE";
    expect(paths(p).sort()).toEqual(
      [
        "invalid_parameter_set commodities.SOL.price_scan_range",
        "invalid_parameter_set commodities.BTC.intra_spreads[0].legs[1].tier",
        "invalid_parameter_set inter_spreads[0].legs[1].commodity",
        "invalid_parameter_set composite_delta_points",
        "invalid_parameter_set tiers[2].max_days",
        "invalid_parameter_set perpetual_tier",
      ].sort(),
    );
  });
});

// Spawns python3 (numpy, scipy) once, about 1.5 s. Skipped where python3 with numpy/scipy is missing, or without
// ../shared/data (the calibration reads it; the global setup prints the one notice for that).
const python = spawnSync("python3", ["-c", "import numpy, scipy"], { encoding: "utf8" });
describe.runIf(python.status === 0 && hasSharedData)("calibration (scripts/calibrate-span.py)", () => {
  it("reproduces presets/span-crypto.json and presets/greeks-default.json byte for byte", () => {
    const r = spawnSync("python3", ["scripts/calibrate-span.py", "--check"], { cwd: root, encoding: "utf8" });
    expect(r.stdout + r.stderr).toContain("presets reproduce exactly");
    expect(r.status).toBe(0);
  });
});
