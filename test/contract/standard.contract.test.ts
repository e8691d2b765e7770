// The shared MarginModel contract, run for the standard (isolated) model with its default preset.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples, linearSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/standard-deribit.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "standard (presets/standard-deribit.json)",
  createModel: () => unwrap(createModel("standard", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => [...deribitSamples(market), ...linearSamples(market)],
  // Short-option margin is per coin × size; futures margin is not homogeneous (its rate grows with size).
  homogeneousComponents: ["shortOptionsInitial", "shortOptionsMaintenance"],
});
