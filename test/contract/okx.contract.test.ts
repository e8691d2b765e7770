// The shared MarginModel contract, run for the OKX portfolio-margin model with its preset (presets/okx.json).
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples, linearSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/okx.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "okx (presets/okx.json)",
  createModel: () => unwrap(createModel("okx", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => [...deribitSamples(market), ...linearSamples(market)],
  // Scenario losses, the basis charge and the vega-span charge scale with size; MR7 only inside its first tier, MR9
  // inside its first tier, and the borrow charge with the (scaled) collateral.
  homogeneousComponents: ["mr1", "mr2", "mr3", "mr4", "mr5", "mr6", "mr7Raw"],
});
