// `npm run bench -- market`: loading a large market file (issue 9 §3: "a 50 MB market file must load or be refused
// with a clear size error"). A SYNTHETIC market JSON of `--mb` megabytes (default 50) is generated here from the
// bundled synthetic example market (its options repeated over many strikes, each with the quote of the example
// option of its expiry nearest in strike), written to a temporary file and loaded as `netrisk margin` loads a market:
// read, validated, market context built. Baseline in the same run: the example market (0.1 MB) loaded the same way.
// Throughput in MB/s of file; the ratio is the large file's throughput over the baseline's.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unwrap } from "../dist/errors.js";
import { loadMarketFile } from "../dist/io/load-market.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { timeMedian } from "./lib.js";

const EXAMPLE = fileURLToPath(new URL("../examples/market.json", import.meta.url));

/** The example market's options repeated over strikes until the JSON is `bytes` long (synthetic, said in `source`). */
export function syntheticMarket(bytes) {
  const m = JSON.parse(readFileSync(EXAMPLE, "utf8"));
  const byExpiry = new Map();
  for (const [name, q] of Object.entries(m.instruments)) {
    const p = name.split("-");
    if (p.length !== 4) continue;
    const key = `${p[0]}-${p[1]}`;
    if (!byExpiry.has(key)) byExpiry.set(key, []);
    byExpiry.get(key).push({ strike: Number(p[2]), q });
  }
  const out = { ...m.instruments };
  let size = JSON.stringify(m).length;
  for (let k = 1; size < bytes; k++) {
    for (const [key, list] of byExpiry) {
      for (const { strike, q } of list) {
        for (const cp of ["C", "P"]) {
          const name = `${key}-${strike + k}-${cp}`;
          if (out[name] !== undefined) continue;
          const quote = { markIv: q.markIv, underlyingPrice: q.underlyingPrice };
          out[name] = quote;
          size += name.length + JSON.stringify(quote).length + 4;
        }
      }
      if (size >= bytes) break;
    }
  }
  return { ...m, source: "SYNTHETIC: bench/market.bench.js, the example market's options repeated over many strikes; not real data", instruments: out };
}

function load(path) {
  const loaded = unwrap(loadMarketFile(path));
  return unwrap(buildMarketContext(loaded.snapshot));
}

export async function runMarketBench(options = {}) {
  const mb = options.mb ?? 50;
  const dir = mkdtempSync(join(tmpdir(), "netrisk-market-bench-"));
  try {
    const path = join(dir, "market.json");
    writeFileSync(path, JSON.stringify(syntheticMarket(mb * 1e6)));
    const bigMb = statSync(path).size / 1e6;
    const smallMb = statSync(EXAMPLE).size / 1e6;
    const base = timeMedian(() => load(EXAMPLE), { warmup: 3, runs: 15 });
    const big = timeMedian(() => load(path), { warmup: 0, runs: options.runs ?? 3 });
    const instruments = Object.keys(JSON.parse(readFileSync(path, "utf8")).instruments).length;
    const baseRate = smallMb / (base.medianMs / 1000);
    const bigRate = bigMb / (big.medianMs / 1000);
    const result = { mb: bigMb, instruments, bigMs: big.medianMs, bigCpuMs: big.cpuMedianMs, baselineMs: base.medianMs, bigMbPerS: bigRate, baselineMbPerS: baseRate, ratio: bigRate / baseRate };
    if (options.print) {
      console.log(`synthetic market ${bigMb.toFixed(1)} MB (${instruments.toLocaleString("en-US")} instruments): load + context ${(big.medianMs / 1000).toFixed(2)} s (CPU ${(big.cpuMedianMs / 1000).toFixed(2)} s), ${bigRate.toFixed(2)} MB/s`);
      console.log(`baseline example market ${smallMb.toFixed(2)} MB: ${base.medianMs.toFixed(1)} ms, ${baseRate.toFixed(2)} MB/s; ratio ${result.ratio.toFixed(2)}`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
