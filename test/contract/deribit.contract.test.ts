// The shared MarginModel contract, run for the Deribit risk-matrix model with its default preset.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/deribit.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "deribit (presets/deribit.json)",
  createModel: () => unwrap(createModel("deribit", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: deribitSamples,
  // Not "worstCase": Deribit's extended dampener subtracts a fixed USD amount from the portfolio's tail losses, so the
  // worst case grows faster than k once a tail scenario survives it (docs/methodology.md "Risk-matrix model").
  homogeneousComponents: ["rollShock"],
});
