// The shared MarginModel contract, run for the crypto SPAN model with its default preset.
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { runMarginModelContract } from "./margin-model.contract.js";
import { contractMarket, deribitSamples, linearSamples } from "./markets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/span-crypto.json", import.meta.url), "utf8")) as unknown;

runMarginModelContract({
  name: "span (presets/span-crypto.json)",
  createModel: () => unwrap(createModel("span", { parameterSet: preset })),
  market: () => contractMarket().market,
  needsSharedData: true,
  samplePortfolios: (market) => [...deribitSamples(market), ...linearSamples(market)],
  // Every SPAN component is linear in the sizes: the scan is a max of Σ q·RA, spreads formed scale with the deltas
  // (their weighted price risk per delta does not), SOM counts contracts, NOV sums q·value.
  homogeneousComponents: ["scanRisk", "intraSpreadCharge", "deliveryCharge", "interCommodityCredit", "shortOptionMinimum", "spanRisk", "netOptionValue", "requirement"],
});
