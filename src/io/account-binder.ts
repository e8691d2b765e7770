/**
 * Binding many account documents to one market with shared models and engines: the service and the parameter
 * preview bind thousands of accounts, and every account on the same (model, parameter set version, overrides, coin
 * offset) must share one engine, so the market's risk arrays are built once (ARCHITECTURE.md). Pure: the parameter
 * sets come from a resolver the caller supplies (the service's store, or presets/).
 * @module
 */
import { createHash } from "node:crypto";
import { createMarginEngine } from "../account/engine.js";
import type { MarginEngine } from "../account/engine.js";
import { fail, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { DEFAULT_PRESETS } from "../models/registry.js";
import type { MarginModel } from "../models/types.js";
import { loadAccount } from "./account.js";
import type { LoadedAccount } from "./account.js";

/** A parameter set as a resolver hands it over: its name, version and JSON. */
export interface ResolvedParameterSet {
  readonly name: string;
  readonly version: string;
  readonly document: unknown;
}

/** Resolve a parameter set by name (the current version), or the pinned version. */
export type ParameterSetResolver = (name: string, pinnedVersion: string | undefined) => Result<ResolvedParameterSet>;

export interface BoundAccount extends LoadedAccount {
  /** The key of the (model, parameter set version, overrides) binding: accounts with equal keys share an engine. */
  readonly bindingKey: string;
  /** The parameter set's name and version as resolved (inline sets: name "inline", version from the set). */
  readonly parameterSetRef: { readonly name: string; readonly version: string };
}

export interface AccountBinder {
  readonly market: MarketContext;
  bind(document: unknown): Result<BoundAccount>;
  /** Engines built so far (one per binding key). */
  engines(): number;
}

const hash = (v: unknown): string => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 16);
const field = (doc: unknown, key: string): unknown => (doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>)[key] : undefined);

/** A binder for one market (a new market gets a new binder: risk arrays belong to a snapshot). */
export function createAccountBinder(market: MarketContext, resolve: ParameterSetResolver): AccountBinder {
  const models = new Map<string, MarginModel>();
  const engines = new Map<string, MarginEngine>();
  return {
    market,
    engines: () => engines.size,
    bind(document) {
      const modelId = typeof field(document, "model") === "string" ? (field(document, "model") as string) : "deribit";
      const ps = field(document, "parameterSet");
      const pin = field(document, "parameterSetVersion");
      const overrides = field(document, "overrides");
      const patch = field(overrides, "parameters");
      const offset = field(field(overrides, "account"), "coinCollateralOffset");
      let ref: { name: string; version: string };
      let loadPreset: (name: string) => Result<unknown>;
      if (ps !== null && typeof ps === "object") {
        const version = field(ps, "version");
        ref = { name: "inline", version: `${typeof version === "string" ? version : "?"}#${hash(ps)}` };
        loadPreset = () => fail();
      } else {
        const name = typeof ps === "string" ? ps : (DEFAULT_PRESETS[modelId] ?? modelId);
        const r = resolve(name, typeof pin === "string" ? pin : undefined);
        if (!r.ok) return fail(...r.issues.map((i) => ({ ...i, path: i.path === "" ? "parameterSet" : i.path })));
        ref = { name: r.value.name, version: r.value.version };
        const resolved = r.value.document;
        loadPreset = () => ok(resolved);
      }
      const modelKey = `${modelId}|${ref.name}|${ref.version}|${patch === undefined ? "" : hash(patch)}`;
      const engineKey = `${modelKey}|${offset === false ? "no-offset" : "offset"}`;
      const model = models.get(modelKey);
      const engine = engines.get(engineKey);
      // The stored pin was resolved above; the file's own version check would compare with the resolved set again.
      const doc = pin === undefined ? document : { ...(document as Record<string, unknown>), parameterSetVersion: undefined };
      const loaded = loadAccount(doc, market, { loadPreset, ...(model !== undefined ? { model } : {}), ...(engine !== undefined ? { engine } : {}) });
      if (!loaded.ok) return loaded;
      if (model === undefined) models.set(modelKey, loaded.value.model);
      if (engine === undefined) engines.set(engineKey, loaded.value.engine.model === loaded.value.model ? loaded.value.engine : createMarginEngine(loaded.value.model, market));
      return ok({ ...loaded.value, parameterSetName: ref.name, bindingKey: engineKey, parameterSetRef: ref });
    },
  };
}
