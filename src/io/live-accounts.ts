/**
 * Accounts for the live core from account files: one file, or a folder of them (an account's id is its file name
 * without `.json`), read and bound by the account reader (io/account.ts) on the start market. Positions given in USD
 * contracts (`sizeUsd`, inverse futures and perpetuals) stay USD contracts: the live core moves their coin size with
 * the mark, as a from-scratch reading of the same file on a later market does.
 * @module
 */
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { LiveAccountInput } from "../live/core.js";
import type { LivePosition } from "../live/book.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument } from "../market/types.js";
import { canonicalName } from "../market/venue-ids.js";
import { loadAccount } from "./account.js";
import type { LoadedAccount } from "./account.js";
import { readJson } from "./files.js";

/**
 * Bind one parsed account file as a live account. Issues: the account reader's, paths under the file. `options`
 * go to the account reader (a model already bound for the same model fields saves binding it again per account).
 */
export function liveAccountOf(id: string, raw: unknown, market: MarketContext, options: Parameters<typeof loadAccount>[2] = {}): Result<LiveAccountInput> {
  const loaded = loadAccount(raw, market, options);
  if (!loaded.ok) return loaded;
  return ok(liveAccountOfLoaded(id, raw, loaded.value));
}

/** A live account from an account already read and bound (the service's binder) and its file as parsed JSON. */
export function liveAccountOfLoaded(id: string, raw: unknown, loaded: LoadedAccount): LiveAccountInput {
  // USD notionals per instrument, when every part of the position was given in sizeUsd.
  const usd = new Map<string, number | null>();
  const file = raw as { positions?: { instrument?: unknown; size?: unknown; sizeUsd?: unknown }[] };
  for (const p of file.positions ?? []) {
    const name = typeof p.instrument === "string" ? canonicalName(p.instrument) : undefined;
    if (name === undefined) continue;
    const prev = usd.get(name);
    if (typeof p.sizeUsd === "number" && prev !== null) usd.set(name, (prev ?? 0) + p.sizeUsd);
    else usd.set(name, null);
  }
  const positions: LivePosition[] = [];
  for (const p of loaded.account.positions) {
    if (p.instrument.kind === "spot") continue;
    const notional = p.sizeConvention === "usd" ? usd.get(p.instrument.name) : undefined;
    positions.push({
      instrument: p.instrument as DerivativeInstrument,
      sizeCoin: p.sizeCoin,
      ...(typeof notional === "number" ? { notionalUsd: notional } : {}),
      ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
      ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
      ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
    });
  }
  return { id, model: loaded.model, rules: loaded.rules, positions, balances: loaded.account.balances, parameterSetName: loaded.parameterSetName };
}

/**
 * Binds many account documents on one market, the model fields (`model`, `parameterSet`, `parameterSetVersion`,
 * `overrides`: everything but `positions`, `collateral` and `source`) bound once per distinct value: reading and
 * validating a parameter set and building its engine costs ~0.2 ms, several times the account itself, and a book
 * of 100,000 files shares a handful of them. Each document is still read and validated whole by the account reader;
 * an account is the one {@link liveAccountOf} gives (tested), with the model, engine and parameter-set name of its
 * binding. Issues: as {@link liveAccountOf} (a document whose binding fails is read alone, for its own paths).
 */
export function createLiveAccountBinder(market: MarketContext): (id: string, raw: unknown) => Result<LiveAccountInput> {
  const bindings = new Map<string, Result<LoadedAccount>>();
  return (id, raw) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return liveAccountOf(id, raw, market);
    const { positions: _p, collateral: _c, source: _s, ...modelFields } = raw as Record<string, unknown>;
    const key = JSON.stringify(modelFields);
    let bound = bindings.get(key);
    if (bound === undefined) {
      bound = loadAccount({ ...modelFields, positions: [], collateral: {} }, market);
      bindings.set(key, bound);
    }
    // A binding that fails: the document's own reading gives the issues with the document's paths.
    if (!bound.ok) return liveAccountOf(id, raw, market);
    const loaded = loadAccount(raw, market, { model: bound.value.model, engine: bound.value.engine });
    if (!loaded.ok) return loaded;
    return ok(liveAccountOfLoaded(id, raw, { ...loaded.value, parameterSetName: bound.value.parameterSetName }));
  };
}

/** The account files of `path`: the file itself, or the `*.json` files of a folder in name order. */
export function accountFilesOf(path: string): Result<string[]> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return fail(issue("file_not_found", path, "no such file or folder"));
  }
  if (!isDir) return ok([path]);
  const files = readdirSync(path)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(path, f));
  return files.length > 0 ? ok(files) : fail(issue("required", path, "the folder holds no .json account file"));
}

/** Every account of a file or folder, bound on `market`. Issues carry the file name as their path prefix. */
export function loadLiveAccounts(path: string, market: MarketContext): Result<LiveAccountInput[]> {
  const files = accountFilesOf(path);
  if (!files.ok) return files;
  const out: LiveAccountInput[] = [];
  const issues: Issue[] = [];
  const bind = createLiveAccountBinder(market);
  for (const f of files.value) {
    const id = basename(f).replace(/\.json$/, "");
    const raw = readJson(f);
    if (!raw.ok) {
      issues.push(...raw.issues);
      continue;
    }
    const a = bind(id, raw.value);
    if (a.ok) out.push(a.value);
    else issues.push(...a.issues.map((i) => ({ ...i, path: i.path ? `${f}: ${i.path}` : f })));
  }
  return issues.length > 0 ? fail(...issues) : ok(out);
}
