/**
 * Insurance-fund sizing over child processes (src/cluster/fund-pool.ts): the same document as the one-thread loop
 * (live/fund/sizing.ts) on the same book and draws, whatever the process count, byte for byte once serialised; a
 * failing draw gives the failure the loop gives (the earliest draw's), and bad inputs are refused before any process
 * starts. The child module is transpiled from the sources (test/helpers/transpile-worker.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sizeInsuranceFundInParallel } from "../../src/cluster/fund-pool.js";
import { unwrap } from "../../src/errors.js";
import { demoAccounts } from "../../src/io/demo.js";
import { liveAccountOf } from "../../src/io/live-accounts.js";
import { createCascadeCore } from "../../src/live/cascade/index.js";
import { sizeInsuranceFund } from "../../src/live/fund/index.js";
import type { FundDraw } from "../../src/live/fund/index.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { transpileWorker } from "../helpers/transpile-worker.js";
import type { TranspiledWorker } from "../helpers/transpile-worker.js";
import { DEFAULT_IMPACT as impact, MARKET, policy, shock } from "../cascade/helpers.js";

const P = policy("deribit-incremental");
const context = unwrap(buildMarketContext(MARKET));
// SYNTHETIC: the demo exchange's generator (seeded), 120 accounts, some of them starting in or near liquidation.
const documents = demoAccounts(MARKET, 120).map((d) => ({ id: d.id, raw: d.document }));
const accounts = documents.map((d) => unwrap(liveAccountOf(d.id, d.raw, context)));
const newCore = () => createCascadeCore({ market: MARKET, accounts });
const draw = (label: string, move: Record<string, number>, source: FundDraw["source"] = "montecarlo"): FundDraw => ({ source, label, tick: shock(move)[0] as FundDraw["tick"] });
const DRAWS: FundDraw[] = [
  draw("calm", { BTC: 0.01, ETH: -0.005 }),
  draw("down", { BTC: -0.12, ETH: -0.15 }),
  draw("up", { BTC: 0.1, ETH: 0.08 }),
  draw("crash", { BTC: -0.35, ETH: -0.4 }, "named"),
  draw("split", { BTC: -0.08, ETH: 0.06 }),
  draw("mild", { BTC: -0.03 }),
  draw("2020-03-12", { BTC: -0.39, ETH: -0.43 }, "named"),
];

let child: TranspiledWorker;
// Transpiling the child's ~150 modules takes a few seconds on a busy machine: more than a hook's default 10 s allows.
beforeAll(() => {
  child = transpileWorker(new URL("../../src/cluster/fund-pool-worker.ts", import.meta.url), new URL("../../src/", import.meta.url));
}, 60_000);
afterAll(() => child?.dispose());

describe("insurance-fund sizing in parallel", () => {
  it("the same document as one thread, for 2 processes and for more processes than draws", async () => {
    const one = unwrap(sizeInsuranceFund({ newCore, draws: DRAWS, policy: P, impact }));
    expect(one.outcomes.some((o) => o.liquidatedAccounts > 0)).toBe(true);
    for (const processes of [2, 9]) {
      const seen: number[] = [];
      const r = unwrap(await sizeInsuranceFundInParallel({ processes, market: MARKET, book: { documents }, draws: DRAWS, policy: P, impact, onDraw: (done) => seen.push(done), workerUrl: child.url }));
      expect(JSON.stringify(r), `${processes} processes`).toBe(JSON.stringify(one));
      expect(seen).toEqual(DRAWS.map((_d, i) => i + 1));
    }
  }, 120_000);

  it("a failing draw: the failure of the earliest failing draw, as the one-thread loop returns it", async () => {
    // A negative index price is refused by the core (docs/live.md, bad ticks): the draw's cascade fails.
    const bad = (label: string): FundDraw => ({ source: "named", label, tick: { ...(shock({ BTC: -0.1 })[0] as FundDraw["tick"]), indexUsd: { BTC: -5 } } });
    const draws = [DRAWS[0] as FundDraw, DRAWS[1] as FundDraw, bad("bad-1"), DRAWS[2] as FundDraw, bad("bad-2"), DRAWS[3] as FundDraw];
    const one = sizeInsuranceFund({ newCore, draws, policy: P, impact });
    expect(one.ok).toBe(false);
    if (one.ok) return;
    expect(one.issues[0]?.path.startsWith("draws.bad-1")).toBe(true);
    const par = await sizeInsuranceFundInParallel({ processes: 2, market: MARKET, book: { documents }, draws, policy: P, impact, workerUrl: child.url });
    expect(par.ok).toBe(false);
    if (!par.ok) expect(par.issues).toEqual(one.issues);
  }, 120_000);

  it("bad inputs are refused before any process starts: levels, no draw, a process count below 1", async () => {
    const base = { market: MARKET, book: { documents }, draws: DRAWS, policy: P, impact, workerUrl: new URL("file:///nonexistent/child.js") };
    const codes = async (x: Parameters<typeof sizeInsuranceFundInParallel>[0]) => {
      const r = await sizeInsuranceFundInParallel(x);
      return r.ok ? [] : r.issues.map((i) => [i.path, i.code]);
    };
    expect(await codes({ ...base, processes: 2, levels: [1.5] })).toEqual([["levels", "invalid_value"]]);
    expect(await codes({ ...base, processes: 2, draws: [] })).toEqual([["draws", "invalid_value"]]);
    expect(await codes({ ...base, processes: 0 })).toEqual([["processes", "invalid_value"]]);
  });

  it("a child module missing, or one that dies at its start: an internal error naming why, not a hang", async () => {
    const run = (url: URL) => sizeInsuranceFundInParallel({ processes: 2, market: MARKET, book: { documents }, draws: DRAWS, policy: P, impact, workerUrl: url });
    const missing = await run(new URL("file:///nonexistent/child.js"));
    expect(missing.ok ? [] : missing.issues.map((i) => [i.code, /missing/.test(i.message)])).toEqual([["internal", true]]);
    const dir = mkdtempSync(join(tmpdir(), "netrisk-child-"));
    const boom = join(dir, "boom.mjs");
    writeFileSync(boom, 'throw new TypeError("boom at start");\n');
    try {
      const dead = await run(pathToFileURL(boom));
      expect(dead.ok).toBe(false);
      if (!dead.ok) {
        expect(dead.issues[0]?.code).toBe("internal");
        expect(dead.issues[0]?.message).toMatch(/exited \(code 1\).*TypeError: boom at start/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
