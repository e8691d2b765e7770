// The shared MarginModel contract, run for the Derive PMRM_2 model with its default preset.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, linearSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/derive-pmrm2.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "derive-pmrm2 (presets/derive-pmrm2.json)",
  createModel: () => unwrap(createModel("derive-pmrm2", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: linearSamples,
  homogeneousComponents: ["riskMatrixMm"],
});
