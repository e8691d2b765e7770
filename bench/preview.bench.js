// Change-impact preview benchmark (issue 10: "a 10,000-account preview finishes in well under a second"): 10,000
// generated SYNTHETIC demo accounts (src/io/demo.ts, varied books on the bundled example market) in a service over
// in-memory PGlite; `POST /v1/parameter-sets/deribit/preview` with a candidate (Deribit's preset with a wider BTC
// price range) over HTTP. Right after the start the server binds every account in the background and refuses the
// preview meanwhile (503, Retry-After): that binding is measured, then the first accepted preview ("cold") and three
// more (warm; bindings cached per account version, as in a running service), beside the library's
// `previewParameterChange` on the same bound accounts (the engine's cost: each account evaluated now and under the
// candidate engine, risk arrays shared).
//
//   npm run bench -- preview [--accounts 10000]   (or NETRISK_BENCH_PREVIEW_ACCOUNTS)
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createMarginEngine } from "../dist/account/engine.js";
import { previewParameterChange } from "../dist/account/preview.js";
import { unwrap } from "../dist/errors.js";
import { demoAccounts } from "../dist/io/demo.js";
import { validateMarket } from "../dist/io/market.js";
import { createModel } from "../dist/models/registry.js";
import { startServer } from "../dist/server/app.js";
import { marketIdOf } from "../dist/server/book.js";
import { newKeyMaterial, secretBox, sha256Hex } from "../dist/server/secrets.js";
import { openStore } from "../dist/store/open.js";
import { median } from "./lib.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

export async function runPreviewBench(options = {}) {
  const log = options.log ?? console.log;
  const count = Number(options.accounts ?? process.env.NETRISK_BENCH_PREVIEW_ACCOUNTS ?? 10_000);
  const market = JSON.parse(readFileSync(join(ROOT, "examples/market.json"), "utf8"));
  const preset = JSON.parse(readFileSync(join(ROOT, "presets/deribit.json"), "utf8"));
  const candidate = { ...preset, version: "bench-1", currency_pair: { ...preset.currency_pair, btc_usd: { ...preset.currency_pair.btc_usd, price_range: 0.24 } } };
  const snapshot = unwrap(validateMarket(market));
  const store = await openStore({ kind: "pglite", dataDir: null });
  const serverKey = randomBytes(32);
  const ctx = { actor: "bench", requestId: null, at: new Date().toISOString() };
  const admin = newKeyMaterial("admin");
  await store.createKey({ clientId: admin.clientId, role: "admin", accounts: null, keyHash: sha256Hex(admin.apiKey), secretEnc: secretBox(serverKey).seal(admin.clientSecret), label: null }, ctx);
  await store.putMarket({ id: marketIdOf(market), timestampMs: snapshot.timestampMs, document: market }, ctx);
  const t0 = performance.now();
  for (const a of demoAccounts(snapshot, count)) await store.writeAccount({ id: a.id, expectedVersion: 0, document: a.document, audit: { action: "account.create", detail: {} } }, ctx);
  log(`${count} synthetic demo accounts stored in ${((performance.now() - t0) / 1000).toFixed(1)} s (setup, not measured)`);
  const server = await startServer({ store, serverKey, host: "127.0.0.1", port: 0 });
  const startedAt = performance.now();
  try {
    // CPU time of this process (the server runs in it) beside wall-clock: on a shared machine the wall-clock also
    // counts the time other processes held the cores.
    const preview = async () => {
      const c0 = process.cpuUsage();
      const started = performance.now();
      const r = await globalThis.fetch(`${server.url}/v1/parameter-sets/deribit/preview`, { method: "POST", headers: { authorization: `Bearer ${admin.apiKey}`, "content-type": "application/json" }, body: JSON.stringify({ parameters: candidate }) });
      const body = await r.json();
      if (r.status !== 200 && r.status !== 503) throw new Error(`preview: ${r.status} ${JSON.stringify(body).slice(0, 500)}`);
      const c = process.cpuUsage(c0);
      return { status: r.status, retryAfter: r.headers.get("retry-after"), wallMs: performance.now() - started, cpuMs: (c.user + c.system) / 1000, routeMs: body.elapsedMs, body };
    };
    // Right after the start the server binds every stored account in the background (book.prewarm) and refuses the
    // preview meanwhile (503 with Retry-After): measured here, then the first preview it accepts ("cold").
    const c0 = process.cpuUsage();
    const first = await preview();
    await server.prewarmed;
    const c1 = process.cpuUsage(c0);
    const prewarmWallMs = performance.now() - startedAt;
    log(`after the start: the background binding of ${count} accounts (and their "now" figures) took ${prewarmWallMs.toFixed(0)} ms wall, ${((c1.user + c1.system) / 1000).toFixed(0)} ms CPU; a preview sent meanwhile: ${first.status}${first.status === 503 ? ` with Retry-After ${first.retryAfter} (refused until the binding is done)` : " (the binding was already done)"}`);
    const cold = await preview();
    if (cold.status !== 200) throw new Error(`preview after the prewarm: ${cold.status}`);
    const warm = [];
    for (let i = 0; i < 3; i++) warm.push(await preview());
    const b = cold.body;
    log(`preview over HTTP, cold (the first accepted after the start): ${cold.wallMs.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU (route ${cold.routeMs.toFixed(0)} ms); ${b.accounts.length} accounts on the set, ${b.pinned} pinned, ${b.failed.length} failed, ${b.enteringMarginCall.length} entering margin call`);
    const warmWall = median(warm.map((w) => w.wallMs));
    const warmRoute = median(warm.map((w) => w.routeMs));
    const warmCpu = median(warm.map((w) => w.cpuMs));
    log(`preview over HTTP, warm (median of 3): ${warmWall.toFixed(0)} ms wall, ${warmCpu.toFixed(0)} ms CPU, route ${warmRoute.toFixed(0)} ms`);
    // The engine's cost: the same bound accounts, previewed in-process.
    const bound = [];
    for (const a of await store.listAccounts({ limit: count + 1 })) {
      const x = await server.service.deps.book.bound(a);
      if (x.bound.parameterSetRef.name === "deribit") bound.push({ id: a.id, account: x.bound.account, offset: x.bound.rules.coinCollateralOffset });
    }
    const marketContext = (await server.service.deps.book.market()).context;
    const model = unwrap(createModel("deribit", { parameterSet: candidate }));
    const engines = new Map();
    const lib = [];
    const libCpu = [];
    for (let i = 0; i < 3; i++) {
      engines.clear();
      const c0 = process.cpuUsage();
      const s = performance.now();
      previewParameterChange(bound, (a) => {
        let e = engines.get(a.offset);
        if (e === undefined) engines.set(a.offset, (e = createMarginEngine(model, marketContext, { coinCollateralOffset: a.offset })));
        return e;
      });
      lib.push(performance.now() - s);
      const c = process.cpuUsage(c0);
      libCpu.push((c.user + c.system) / 1000);
    }
    const libMs = median(lib);
    log(`previewParameterChange in-process, now and candidate evaluated (median of 3): ${libMs.toFixed(0)} ms wall, ${median(libCpu).toFixed(0)} ms CPU for ${bound.length} accounts; HTTP warm / in-process = ${(warmWall / libMs).toFixed(2)}`);
    log(`target: ${count} accounts well under 1 s (over HTTP, wall-clock): cold ${cold.wallMs < 1000 ? "met" : "MISSED"}, warm ${warmWall < 1000 ? "met" : "MISSED"}; CPU cold ${cold.cpuMs.toFixed(0)} ms, warm ${warmCpu.toFixed(0)} ms`);
    return { accounts: count, prewarmWallMs, prewarmCpuMs: (c1.user + c1.system) / 1000, firstStatus: first.status, coldWallMs: cold.wallMs, coldCpuMs: cold.cpuMs, warmWallMs: warmWall, warmCpuMs: warmCpu, warmRouteMs: warmRoute, inProcessMs: libMs, inProcessCpuMs: median(libCpu) };
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runPreviewBench();
