/**
 * The account file (`account.json`): the portfolio file plus the margin `model`, its `parameterSet`, and `overrides`
 * (JSON Merge Patches of the parameter set and of the account rules). zod schema (exported as
 * schemas/account.schema.json), loading against a market into an account, and the `--trade` syntax
 * `BTC-28JUN24-70000-C:-5@0.012`. Documented in docs/formats.md (`## Account file`).
 * @module
 */
import { z } from "zod";
import { createAccount } from "../account/account.js";
import type { Account } from "../account/account.js";
import { createMarginEngine } from "../account/engine.js";
import type { MarginEngine } from "../account/engine.js";
import { applyMergePatch } from "../account/merge-patch.js";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../account/rules.js";
import type { AccountRules } from "../account/rules.js";
import type { TradeInput } from "../account/trades.js";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { createModel, DEFAULT_PRESETS, MODEL_IDS } from "../models/registry.js";
import type { MarginModel, ResolvedPortfolio } from "../models/types.js";
import { parsePortfolioFile, portfolioFileSchema, resolvePortfolio } from "./portfolio.js";
import { loadPreset } from "./presets.js";
import { zodIssuesToIssues } from "./zod-issues.js";

/** The account file: a portfolio file with the model, its parameter set and per-account overrides. */
export const accountFileSchema = portfolioFileSchema
  .extend({
    model: z.string().min(1).optional().meta({ description: "Margin model id (default \"deribit\"), e.g. deribit, standard, derive-pmrm2: any id the model registry knows (netrisk margin --help)." }),
    parameterSet: z
      .union([z.string().min(1), z.looseObject({})])
      .optional()
      .meta({ description: "Preset name in presets/ (default: the model's own preset), or a whole parameter set inline. On the service, a stored parameter set's name (its current version) comes first." }),
    parameterSetVersion: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Pin the named parameter set to this version (the service keeps every version; the CLI checks that the preset file is at it). Without it the account follows the current version." }),
    overrides: z
      .strictObject({
        parameters: z
          .looseObject({})
          .optional()
          .meta({ description: "JSON Merge Patch (RFC 7386) applied to the parameter set before validation: per-account parameters (institutional tiers). null deletes a field." }),
        account: z
          .looseObject({})
          .optional()
          .meta({ description: "JSON Merge Patch of the account rules (collateral haircuts, pegs, health thresholds, margin tiers, liquidation and slippage settings); see docs/formats.md." }),
      })
      .optional()
      .meta({ description: "Per-account overrides of the parameter set and of the account rules." }),
  })
  .meta({ title: "netrisk account", description: "A portfolio with its margin model, parameter set and per-account overrides. Extra fields are allowed and ignored. See docs/formats.md." });

export type AccountFile = z.infer<typeof accountFileSchema>;

/** What an account file resolves to. */
export interface LoadedAccount {
  readonly account: Account;
  readonly portfolio: ResolvedPortfolio;
  readonly model: MarginModel;
  readonly engine: MarginEngine;
  readonly rules: AccountRules;
  /** The preset name, or "inline" for an inline parameter set. */
  readonly parameterSetName: string;
}

// The default rules, validated once: most accounts carry no rule overrides, and validating the defaults again on every
// bind was a third of binding an account (the service binds every stored account after a start).
let defaults: Result<AccountRules> | undefined;
const defaultRules = (): Result<AccountRules> => (defaults ??= parseAccountRules(applyMergePatch(DEFAULT_ACCOUNT_RULES, {}), "overrides.account"));

/** Reads a preset by name (default: presets/<name>.json via io/presets.ts); injectable for tests. */
export type PresetLoader = (name: string) => Result<unknown>;

/**
 * Validate an account file against a market and bind it: the portfolio, the model with its (patched) parameter set,
 * the (patched) account rules, an engine on the market, and the account.
 * Issues: the portfolio's (paths `positions[i]...`, `collateral.<c>`), `unknown_model` (path `model`), the preset's
 * (`file_not_found`, ...; path `parameterSet`), `invalid_parameter_set` (paths under `overrides.parameters` when a
 * patch is given, else `parameterSet`), the rules' (paths under `overrides.account`).
 * @param options.engine - reuse an engine (and its risk arrays) already bound to this market and model.
 * @param options.model - a model built by the caller (e.g. `var` or `hybrid`, which need joint scenarios from history
 *   and cannot be built from a preset alone); the file's `model`, `parameterSet` and `overrides.parameters` are then
 *   not used for the model.
 */
export function loadAccount(
  input: unknown,
  market: MarketContext,
  options: { loadPreset?: PresetLoader; engine?: MarginEngine; model?: MarginModel } = {},
): Result<LoadedAccount> {
  const parsed = accountFileSchema.safeParse(input);
  if (!parsed.success) {
    // The portfolio part's own reader gives precise instrument issues; the rest maps through the shared mapping.
    const shape = parsePortfolioFile(input);
    const extra = zodIssuesToIssues(parsed.error.issues, input).filter((i) => !/^(positions|collateral)\b/.test(i.path));
    return fail(...(shape.ok ? [] : shape.issues), ...extra);
  }
  const file = parsed.data;
  const issues: Issue[] = [];
  const modelId = options.model?.id ?? file.model ?? "deribit";
  if (!MODEL_IDS.includes(modelId) && options.model === undefined)
    issues.push(issue("unknown_model", "model", `unknown margin model ${JSON.stringify(modelId)}; known: ${MODEL_IDS.join(", ")}`));
  const rules = file.overrides?.account === undefined ? defaultRules() : parseAccountRules(applyMergePatch(DEFAULT_ACCOUNT_RULES, file.overrides.account), "overrides.account");
  if (!rules.ok) issues.push(...rules.issues);
  const portfolio = resolvePortfolio(file, market);
  if (!portfolio.ok) issues.push(...portfolio.issues);
  if (issues.length > 0) return fail(...issues);
  let model: MarginModel;
  let parameterSetName: string;
  if (options.model !== undefined) {
    model = options.model;
    parameterSetName = model.parameterSet.name;
  } else if (options.engine !== undefined && file.parameterSet === undefined && file.overrides?.parameters === undefined && options.engine.model.id === modelId) {
    model = options.engine.model;
    parameterSetName = model.parameterSet.name;
  } else {
    const bound = bindModel(modelId, file, options.loadPreset ?? loadPreset);
    if (!bound.ok) return bound;
    model = bound.value.model;
    parameterSetName = bound.value.name;
  }
  if (!(rules.ok && portfolio.ok)) return fail(issue("internal", "", "validated inputs lost"));
  const engine =
    options.engine !== undefined && options.engine.model === model && options.engine.market === market
      ? options.engine
      : createMarginEngine(model, market, { coinCollateralOffset: rules.value.coinCollateralOffset });
  return ok({ account: createAccount(portfolio.value, engine, rules.value), portfolio: portfolio.value, model, engine, rules: rules.value, parameterSetName });
}

function bindModel(modelId: string, file: AccountFile, load: PresetLoader): Result<{ model: MarginModel; name: string }> {
  let base: unknown;
  let name: string;
  if (typeof file.parameterSet === "object") {
    base = file.parameterSet;
    name = "inline";
  } else {
    name = file.parameterSet ?? DEFAULT_PRESETS[modelId] ?? modelId;
    const preset = load(name);
    if (!preset.ok) return fail(...preset.issues.map((i) => ({ ...i, path: "parameterSet", message: i.path === "preset" ? i.message : `${i.message} (${i.path})` })));
    base = preset.value;
  }
  const patch = file.overrides?.parameters;
  const model = createModel(modelId, { parameterSet: patch === undefined ? base : applyMergePatch(base, patch) });
  if (model.ok && file.parameterSetVersion !== undefined && model.value.parameterSet.version !== file.parameterSetVersion)
    return fail(issue("invalid_value", "parameterSetVersion", `the account is pinned to ${name} ${file.parameterSetVersion}, but the parameter set is at version ${model.value.parameterSet.version}`));
  if (!model.ok) {
    const prefix = patch === undefined ? "parameterSet" : "overrides.parameters";
    return fail(...model.issues.map((i) => (i.code === "invalid_parameter_set" ? { ...i, path: joinPath(prefix, i.path) } : i)));
  }
  return ok({ model: model.value, name: patch === undefined ? name : `${name}+overrides` });
}

/** A plain decimal number as the trade syntax writes it (no hex, no "Infinity" text; 1e999 parses to Infinity). */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse one `--trade` value: `INSTRUMENT:SIZE[@PRICE]`, e.g. `BTC-28JUN24-70000-C:-5@0.012` (sell 5 calls at
 * 0.012 BTC each), `BTC-PERPETUAL:2` (buy 2 BTC of perpetual at the mark). SIZE is signed, in base coin; PRICE in the
 * instrument's quote unit (options: settlement currency per coin; futures: USD).
 * @returns the trade (sizes and prices still to be checked against a market by `validateTrades`), or an
 *   `invalid_value` / `non_finite` issue at `path`.
 */
export function parseTradeSpec(text: string, path: string): Result<TradeInput> {
  const m = /^([^:@\s]+):([^@\s]+)(?:@([^@\s]+))?$/.exec(text.trim());
  if (!m) return fail(issue("invalid_value", path, `${JSON.stringify(text)} is not a trade: expected INSTRUMENT:SIZE[@PRICE], e.g. BTC-28JUN24-70000-C:-5@0.012`));
  const [, instrument = "", sizeText = "", priceText] = m;
  const num = (t: string, field: string): Result<number> => {
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return fail(issue("non_finite", joinPath(path, field), `${field} must be a finite number, got ${t}`));
    if (!NUMBER.test(t)) return fail(issue("invalid_value", joinPath(path, field), `${field} ${JSON.stringify(t)} is not a number`));
    return ok(Number(t));
  };
  const size = num(sizeText, "size");
  const price = priceText === undefined ? undefined : num(priceText, "price");
  const issues = [...(size.ok ? [] : size.issues), ...(price === undefined || price.ok ? [] : price.issues)];
  if (issues.length > 0 || !size.ok) return fail(...issues);
  return ok({ instrument, sizeCoin: size.value, ...(price !== undefined && price.ok ? { price: price.value } : {}) });
}

/** Parse several `--trade` values (paths `trades[i]`), reporting every bad one. */
export function parseTradeSpecs(texts: readonly string[]): Result<TradeInput[]> {
  const out: TradeInput[] = [];
  const issues: Issue[] = [];
  texts.forEach((t, i) => {
    const r = parseTradeSpec(t, joinPath("trades", i));
    if (r.ok) out.push(r.value);
    else issues.push(...r.issues);
  });
  return issues.length > 0 ? fail(...issues) : ok(out);
}
