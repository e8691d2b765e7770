// The shared MarginModel contract, run for the Greeks-based (SIMM-shaped) model with its default preset.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples, linearSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/greeks-default.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "greeks (presets/greeks-default.json)",
  createModel: () => unwrap(createModel("greeks", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => [...deribitSamples(market), ...linearSamples(market)],
  // Sensitivities are linear in the sizes and the SIMM square root of a quadratic form is homogeneous of degree 1.
  homogeneousComponents: ["deltaMargin", "vegaMargin", "curvatureMargin", "greeksMargin"],
});
