/**
 * The live-account binder (io/live-accounts.ts createLiveAccountBinder): every document gives the account the one-by-one
 * reader (liveAccountOf) gives (positions, balances, rules, parameter-set name, the same model parameters), or the
 * same issues, while the model fields are bound once per distinct value (shared model and engine objects).
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import type { Result } from "../../src/errors.js";
import { readJson } from "../../src/io/files.js";
import { createLiveAccountBinder, liveAccountOf, loadLiveAccounts } from "../../src/io/live-accounts.js";
import type { LiveAccountInput } from "../../src/live/core.js";
import { CONTEXT } from "../cascade/helpers.js";

const DEMO = "examples/demo-exchange";
const demo = readdirSync(DEMO)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ id: f.replace(/\.json$/, ""), raw: unwrap(readJson(`${DEMO}/${f}`)) }));

const position = [{ instrument: "BTC-PERPETUAL", size: 2 }];
const EDGE: { id: string; raw: unknown }[] = [
  { id: "patched", raw: { model: "deribit", parameterSet: "deribit", overrides: { parameters: { general: { mm_factor: 0.7 } } }, positions: position, collateral: { BTC: 1 } } },
  { id: "patched-2", raw: { model: "deribit", parameterSet: "deribit", overrides: { parameters: { general: { mm_factor: 0.7 } } }, positions: [], collateral: { BTC: 3 } } },
  { id: "no-offset", raw: { model: "deribit", overrides: { account: { coinCollateralOffset: false } }, positions: position, collateral: { BTC: 1 } } },
  { id: "default-model", raw: { positions: position, collateral: { USDC: 50_000 } } },
  { id: "standard", raw: { model: "standard-deribit", positions: position, collateral: { BTC: 1 } } },
  { id: "bad-instrument", raw: { model: "deribit", positions: [{ instrument: "BTC-NOPE", size: 1 }], collateral: { BTC: 1 } } },
  { id: "bad-set", raw: { model: "deribit", parameterSet: "no-such-set", positions: position, collateral: { BTC: 1 } } },
  { id: "bad-pin", raw: { model: "deribit", parameterSet: "deribit", parameterSetVersion: "1900-01-01", positions: position, collateral: { BTC: 1 } } },
  { id: "bad-patch", raw: { model: "deribit", overrides: { parameters: { general: { mm_factor: "x" } } }, positions: position, collateral: { BTC: 1 } } },
  { id: "not-an-object", raw: [1, 2] },
];

/** The account without its model object, and the model's identity and parameters beside it. */
const comparable = (r: Result<LiveAccountInput>) => {
  if (!r.ok) return { issues: r.issues };
  const { model, ...rest } = r.value;
  return { ...rest, model: { id: model.id, parameterSet: model.parameterSet, params: JSON.stringify((model as unknown as { params?: unknown }).params ?? null) } };
};

describe("live-account binder", () => {
  it("every document: the account (or the issues) the one-by-one reader gives", () => {
    const bind = createLiveAccountBinder(CONTEXT);
    for (const d of [...demo, ...EDGE, ...EDGE]) expect(comparable(bind(d.id, d.raw)), d.id).toEqual(comparable(liveAccountOf(d.id, d.raw, CONTEXT)));
  });

  it("documents with the same model fields share one model object; different ones do not", () => {
    const bind = createLiveAccountBinder(CONTEXT);
    const a = unwrap(bind("a", EDGE[0]?.raw));
    const b = unwrap(bind("b", EDGE[1]?.raw));
    const c = unwrap(bind("c", EDGE[2]?.raw));
    expect(b.model).toBe(a.model);
    expect(c.model).not.toBe(a.model);
    const models = new Set(demo.map((d) => unwrap(bind(d.id, d.raw)).model));
    expect(models.size).toBe(1);
  });

  it("loadLiveAccounts on the demo exchange: the accounts the reader gives one by one", () => {
    const all = unwrap(loadLiveAccounts(DEMO, CONTEXT));
    expect(all.map((a) => a.id)).toEqual(demo.map((d) => d.id));
    all.forEach((a, k) => expect(comparable({ ok: true, value: a })).toEqual(comparable(liveAccountOf(demo[k]?.id as string, demo[k]?.raw, CONTEXT))));
  });
});
