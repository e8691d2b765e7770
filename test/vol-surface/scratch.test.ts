import { it } from "vitest";
import { buildVolSurface } from "../../src/market/vol-surface.js";
import { chain2025, chain2020 } from "./chains.js";
it("scratch", () => {
  for (const [name, ch] of [["BTC", chain2025("BTC")], ["ETH", chain2025("ETH")], ["BTC2020", chain2020()]] as const) {
    for (const weighting of ["vega", "uniform"] as const) {
    const t0 = performance.now();
    const r = buildVolSurface(name, ch.quotes, ch.asOfMs, { weighting });
    const dt = performance.now() - t0;
    if (!r.ok) { console.log(r.issues); continue; }
    const f = r.value.fit;
    console.log(name, weighting, "build ms", dt.toFixed(0), "cal free", f.calendarArbitrageFree, "bfly", f.butterflyArbitrageFree, f.minDurrlemanG.toFixed(4), "viol", f.calendarViolations.length);
    console.log(f.slices.map((s) => `${new Date(s.expiryMs).toISOString().slice(2, 10)} ${s.rmsErrorVolPoints.toFixed(2)}/${s.weightedRmsErrorVolPoints.toFixed(2)} ${s.repair[0]}`).join(" | "));
    if (weighting === "vega") {
      const surf = r.value;
      let acc = 0;
      const N = 1_000_000;
      const t1 = performance.now();
      for (let i = 0; i < N; i++) acc += surf.vol(20000 + (i % 1000) * 200, 0.001 + (i % 997) * 0.001);
      const dt1 = performance.now() - t1;
      console.log("vol() ns/call", ((dt1 * 1e6) / N).toFixed(1), acc > 0);
    }
    }
  }
});
