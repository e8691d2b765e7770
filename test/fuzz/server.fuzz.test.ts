/**
 * Fuzz target of the service's request bodies (issue 10 "Bad input", issues 11, 13 and 15 for their routes): valid
 * example requests of every body-taking route (the Deribit- and OKX-compatible ones too), mutated (or replaced by any JSON), sent to a real server with the live
 * engine on embedded PGlite. Each answer must be a success or a 4xx whose error document has a code and issues with
 * paths, never a 5xx; a refused write must write nothing (no audit row, no account version). Seeded, bounded (the
 * suite's count is small; `npm run fuzz -- --runs N --only "service"` runs N × 0.05 requests).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE_CODES } from "../../src/errors.js";
import { liveTestData } from "../server/live-helpers.js";
import type { LiveTestData, LiveTestServer } from "../server/live-helpers.js";
import { anyJson, applyMutations, emptyCounts, mutationArb, record, report, runsFor } from "./harness.js";

const json = (p: string): unknown => JSON.parse(readFileSync(p, "utf8")) as unknown;
const MARKET = json("examples/market.json") as { timestampMs?: number; asOf?: string };
const ACCOUNT = json("examples/account.json") as Record<string, unknown>;
const FIXTURE = (p: string): { name: string; json: unknown } => ({ name: p, json: json(`test/fixtures/venues/${p}`) });

/** One valid request per body-taking route (the shapes of docs/server.md). */
function corpus(tsIso: string): { method: string; path: string; body: unknown; writes: boolean; compat?: true }[] {
  return [
    // The venue-compatible routes answer in the venue's envelope (Deribit JSON-RPC errors, OKX's code/msg): checked for
    // no 5xx and a JSON answer only.
    { method: "POST", path: "/api/v2", body: { jsonrpc: "2.0", id: 1, method: "private/pme/simulate", params: { currency: "BTC", add_positions: true, simulated_positions: { "BTC-PERPETUAL": 1000 } } }, writes: false, compat: true },
    { method: "POST", path: "/api/v5/account/position-builder", body: { ...(json("test/fixtures/venues/okx/position-builder-request.json") as object), account: "fz-1" }, writes: false, compat: true },
    { method: "PUT", path: "/v1/accounts/fz-2", body: ACCOUNT, writes: true },
    { method: "POST", path: "/v1/accounts/fz-1/fills", body: { instrument: "BTC-PERPETUAL", size: "0.5", price: "90000", tradeId: "F-1" }, writes: true },
    { method: "POST", path: "/v1/accounts/fz-1/balance-changes", body: [{ currency: "USDC", amount: 500, reason: "deposit" }], writes: true },
    { method: "POST", path: "/v1/accounts/fz-1/whatif", body: { trades: [{ instrument: "BTC-PERPETUAL", size: 1 }], include: ["greeks"] }, writes: false },
    { method: "POST", path: "/v1/accounts/fz-1/max-order", body: { instrument: "BTC-PERPETUAL", side: "buy" }, writes: false },
    { method: "POST", path: "/v1/accounts/fz-1/liquidation-plan", body: { target: 1.2, step: 0.1 }, writes: false },
    { method: "POST", path: "/v1/accounts/fz-1/hedges", body: { candidates: ["BTC-PERPETUAL", "BTC-27MAR26"], maxTrades: 2 }, writes: false },
    { method: "POST", path: "/v1/ticks", body: { seq: 1, ts: tsIso, index: { BTC: 89000 }, instruments: { "BTC-PERPETUAL": { markPrice: 89010 } } }, writes: true },
    { method: "POST", path: "/v1/stress/cascade", body: { move: { BTC: -0.3 }, policy: "paradex-steps", insuranceFundUsd: 1e6 }, writes: false },
    { method: "POST", path: "/v1/parameter-sets/deribit/preview", body: { parameters: json("presets/deribit.json") }, writes: false },
    { method: "POST", path: "/v1/import/okx", body: { files: [FIXTURE("okx/positions.json"), FIXTURE("okx/balance.json")] }, writes: false },
    { method: "POST", path: "/v1/venues/report", body: { accounts: [{ venue: "deribit", files: [FIXTURE("deribit/get_positions.json")] }], riskAnalysis: false }, writes: false },
    { method: "POST", path: "/v1/keys", body: { role: "trader", accounts: ["fz-1"] }, writes: true },
  ];
}

describe("fuzz: service request bodies (PGlite, live engine)", () => {
  let data: LiveTestData;
  let s: LiveTestServer;
  let ts = "";
  beforeAll(async () => {
    data = await liveTestData({ kind: "pglite" });
    s = await data.start();
    expect((await s.call("PUT", "/v1/market", { body: MARKET })).status).toBe(200);
    expect([200, 201]).toContain((await s.call("PUT", "/v1/accounts/fz-1", { body: ACCOUNT })).status);
    const held = (await s.call("GET", "/v1/market")).body as { timestamp: string };
    ts = new Date(Date.parse(held.timestamp) + 60_000).toISOString();
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await data?.drop();
  });

  it("every answer is a success or a coded 4xx with paths; a refused write writes nothing", async () => {
    const requests = corpus(ts);
    const counts = emptyCounts("service-bodies");
    const arb = fc.record({ route: fc.nat(requests.length - 1), how: fc.nat(9), ms: mutationArb(), any: anyJson() });
    const inputs = fc.sample(arb, { numRuns: runsFor(60, 0.05), seed: 1201 });
    const known = new Set<string>([...ISSUE_CODES, "unauthorized", "forbidden", "not_found", "version_conflict", "payload_too_large", "unsupported_media_type", "idempotency_mismatch", "unavailable", "conflict"]);
    let tickSeq = 100;
    type Entry = { seq: number; action: string };
    const entriesAfter = async (after: number): Promise<Entry[]> => ((await s.call("GET", `/v1/audit?after=${after}&limit=10000`)).body as { entries: Entry[] }).entries;
    let seen = 0;
    /** The last audit sequence (walking on from the last one seen). */
    const lastAuditSeq = async (): Promise<number> => {
      for (let e = await entriesAfter(seen); e.length > 0; e = await entriesAfter(seen)) seen = (e[e.length - 1] as Entry).seq;
      return seen;
    };
    /** Audit rows after `seq` that record a write (reads are audited too: `*.read`). */
    const writesAfter = async (seq: number): Promise<Entry[]> => (await entriesAfter(seq)).filter((en) => !en.action.endsWith(".read"));
    for (const x of inputs) {
      const r = requests[x.route] as (typeof requests)[number];
      // 1 in 10: the valid request as is; 2 in 10: any JSON; else the request mutated.
      let body = x.how === 0 ? r.body : x.how <= 2 ? x.any : applyMutations(r.body, x.ms);
      if (r.path === "/v1/ticks" && body !== null && typeof body === "object" && !Array.isArray(body) && x.how !== 0) body = { seq: ++tickSeq, ...(body as object) };
      const before = await lastAuditSeq();
      const a = await s.call(r.method, r.path, { body });
      const input = { route: `${r.method} ${r.path}`, body };
      if (a.status >= 500) {
        record(counts, "crash", input, `HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
        continue;
      }
      if (r.compat === true) {
        record(counts, a.body !== undefined && typeof a.body === "object" ? (a.status >= 400 ? "coded" : "ok") : "uncoded", input, `HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
        continue;
      }
      if (a.status >= 400) {
        const e = (a.body as { error?: { code?: string; issues?: { code: string; path: unknown; message: unknown }[] } } | undefined)?.error;
        const coded = e !== undefined && typeof e.code === "string" && known.has(e.code) && Array.isArray(e.issues) && e.issues.length > 0 && e.issues.every((i) => typeof i.path === "string" && typeof i.message === "string");
        record(counts, coded ? "coded" : "uncoded", input, `HTTP ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
        if (r.writes) {
          const written = await writesAfter(before);
          if (written.length > 0) {
            counts.violations++;
            if (counts.examples.length < 5) counts.examples.push(`violation: a refused ${r.method} ${r.path} wrote an audit row <- ${JSON.stringify(body).slice(0, 300)}`);
          }
        }
        continue;
      }
      record(counts, "ok", input, "");
    }
    report(counts);
    expect(counts.crash + counts.uncoded + counts.violations, `${JSON.stringify({ ...counts, examples: undefined })}\n${counts.examples.join("\n")}`).toBe(0);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.coded).toBeGreaterThan(0);
  }, 300_000);
});
