import { it } from "vitest";
import { buildVolSurface } from "../../src/market/vol-surface.js";
import { chain2025 } from "./chains.js";
it("scratch2", () => {
  const ch = chain2025("BTC");
  const times: number[] = [];
  let s;
  for (let rep = 0; rep < 6; rep++) {
    const t0 = performance.now();
    const r = buildVolSurface("BTC", ch.quotes, ch.asOfMs);
    times.push(performance.now() - t0);
    if (r.ok) s = r.value;
  }
  console.log("build ms", times.map((t) => t.toFixed(0)).join(" "));
  if (!s) return;
  const N = 2_000_000;
  const Ks = Float64Array.from({ length: 1024 }, (_, i) => 40000 + i * 150);
  const Ts = Float64Array.from({ length: 1024 }, (_, i) => 0.002 + i * 0.001);
  for (let rep = 0; rep < 3; rep++) {
    let acc = 0;
    const t1 = performance.now();
    for (let i = 0; i < N; i++) acc += s.vol(Ks[i & 1023]!, Ts[(i * 7) & 1023]!);
    const dt = performance.now() - t1;
    console.log("vol() ns/call", ((dt * 1e6) / N).toFixed(1), acc > 0);
  }
});
