// The shared MarginModel contract, run for the `hybrid` model (presets/hybrid-default.json with presets/deribit.json).
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples } from "./markets.js";
import { btcEthHistoricalSet, contractStressSet } from "../var/sets.js";

const json = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../presets/${name}.json`, import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "hybrid (presets/hybrid-default.json + deribit)",
  createModel: () =>
    unwrap(createModel("hybrid", { parameterSet: json("hybrid-default"), statistical: { scenarios: btcEthHistoricalSet(), stress: contractStressSet() }, riskMatrixParameterSet: json("deribit") })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => deribitSamples(market),
  homogeneousComponents: ["valueAtRisk", "expectedShortfall", "stressLoss", "marketRisk"],
  propertyRuns: 3,
});
