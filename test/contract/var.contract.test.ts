// The shared MarginModel contract, run for the statistical `var` model (presets/var-default.json) bound to a real
// historical BTC/ETH set (2-day overlapping windows of daily closes with DVOL ratios, ../shared/data) and a small
// stress set.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples, linearSamples } from "./markets.js";
import { btcEthHistoricalSet, contractStressSet } from "../var/sets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/var-default.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "var (presets/var-default.json, BTC/ETH 2-day history)",
  createModel: () => unwrap(createModel("var", { parameterSet: preset, statistical: { scenarios: btcEthHistoricalSet(), stress: contractStressSet() } })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => [...deribitSamples(market), ...linearSamples(market)],
  // ES, VaR and the stress loss are positively homogeneous of degree 1 in the sizes; the add-ons are not (the
  // liquidity scale-up and the concentration tiers grow with size).
  homogeneousComponents: ["valueAtRisk", "expectedShortfall", "stressLoss", "stressFloor", "marketRisk"],
});
