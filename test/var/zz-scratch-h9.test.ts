import { it } from "vitest";
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { createModel } from "../../src/models/registry.js";
import { contractMarket, deribitSamples } from "../contract/markets.js";
import { btcEthHistoricalSet, contractStressSet } from "./sets.js";
it("m", () => {
  const preset = JSON.parse(readFileSync("presets/var-default.json", "utf8"));
  const m = unwrap(createModel("var", { parameterSet: preset, statistical: { scenarios: btcEthHistoricalSet(), stress: contractStressSet() } }));
  const { market } = contractMarket();
  for (const s of deribitSamples(market)) { const r = m.compute(s.portfolio, market); const b = r.byCurrency.USD!; console.log(s.name, JSON.stringify(b.components), "IM", r.totalUsd.initialMargin.toFixed(0), JSON.stringify((b.details as any).diversification), JSON.stringify(b.worstScenario)); }
  const set = btcEthHistoricalSet(); console.log(set.count, set.labels[0], set.labels[set.count-1]);
});
