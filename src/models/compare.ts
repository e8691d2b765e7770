/**
 * The same portfolio under several margin models, side by side in USD, and the capital efficiency of portfolio
 * margin: standard IM ÷ portfolio IM (> 1: portfolio margin frees capital; < 1: standard is cheaper, which Deribit
 * itself warns happens for small futures positions, so nothing here assumes portfolio ≤ standard).
 * See docs/methodology.md "Comparing models".
 * @module
 */
import { NetriskError } from "../errors.js";
import type { Issue } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { STANDARD_MODEL_ID } from "./standard/model.js";
import type { MarginModel, MarginResult, ParameterSetInfo, ResolvedPortfolio } from "./types.js";

/** One model's margin of the portfolio. */
export interface ModelMargin {
  /** Row label: the model id, or `id/parameter-set-name` when the same id appears twice. */
  readonly label: string;
  readonly model: string;
  readonly parameterSet: ParameterSetInfo;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /**
   * Baseline IM ÷ this model's IM (capital efficiency relative to the baseline, 1 for the baseline itself). Null
   * when undefined: no baseline row, or this model's IM is 0 (see `notes`).
   */
  readonly capitalEfficiency: number | null;
  /** Baseline IM − this model's IM, USD (positive = capital freed); null without a baseline row. */
  readonly initialMarginSavingUsd: number | null;
  readonly result: MarginResult;
}

/** A model that cannot margin this portfolio (e.g. an instrument its parameter set does not cover). */
export interface ModelFailure {
  readonly label: string;
  readonly model: string;
  readonly issues: readonly Issue[];
}

export interface ModelComparison {
  /** Label of the baseline row (the standard model), or null when it is absent or failed. */
  readonly baseline: string | null;
  /** Successful models, in the order given. */
  readonly rows: readonly ModelMargin[];
  readonly failures: readonly ModelFailure[];
  /**
   * Models that cannot margin this kind of book at all (every issue `unsupported`, e.g. derive-pmrm2 on coin-settled
   * contracts): left out of the comparison with the reason, not listed as failures.
   */
  readonly skipped: readonly { readonly label: string; readonly model: string; readonly reason: string }[];
  /** Label of the row with the lowest IM (first on ties), or null when no model succeeded. */
  readonly lowestInitialMargin: string | null;
  readonly notes: readonly string[];
}

export interface CompareOptions {
  /** Model id of the baseline; default `standard`. The first model with this id is the baseline. */
  readonly baselineId?: string;
}

function labels(models: readonly MarginModel[]): string[] {
  const count = new Map<string, number>();
  for (const m of models) count.set(m.id, (count.get(m.id) ?? 0) + 1);
  return models.map((m) => ((count.get(m.id) ?? 0) > 1 ? `${m.id}/${m.parameterSet.name}` : m.id));
}

/**
 * Margin `portfolio` under every model and compare IM/MM in USD against the baseline (standard margin).
 * A model that rejects the portfolio (throws a `NetriskError`, e.g. `unsupported`) is listed in `failures`; any other
 * exception is a bug and propagates.
 */
export function compareModels(
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  models: readonly MarginModel[],
  options: CompareOptions = {},
): ModelComparison {
  const baselineId = options.baselineId ?? STANDARD_MODEL_ID;
  const names = labels(models);
  const computed: { label: string; model: MarginModel; result: MarginResult }[] = [];
  const failures: ModelFailure[] = [];
  models.forEach((model, i) => {
    const label = names[i] ?? model.id;
    try {
      computed.push({ label, model, result: model.compute(portfolio, market) });
    } catch (e) {
      if (!(e instanceof NetriskError)) throw e;
      failures.push({ label, model: model.id, issues: e.issues });
    }
  });
  const base = computed.find((c) => c.model.id === baselineId);
  const baseIm = base?.result.totalUsd.initialMargin;
  const notes: string[] = [];
  if (base === undefined) notes.push(`no ${baselineId} result: capital efficiency is not defined`);
  const rows = computed.map(({ label, model, result }): ModelMargin => {
    const im = result.totalUsd.initialMargin;
    let efficiency: number | null = null;
    if (baseIm !== undefined) {
      if (im > 0) efficiency = baseIm / im;
      else if (label !== base?.label) notes.push(`${label}: IM is 0, capital efficiency vs ${base?.label} is not defined`);
    }
    if (efficiency !== null && efficiency < 1 && label !== base?.label) {
      notes.push(`${label}: IM ${fmt(im)} USD is above ${base?.label} IM ${fmt(baseIm ?? 0)} USD (efficiency ${efficiency.toFixed(3)}): standard margin is cheaper for this portfolio`);
    }
    return {
      label,
      model: model.id,
      parameterSet: model.parameterSet,
      initialMarginUsd: im,
      maintenanceMarginUsd: result.totalUsd.maintenanceMargin,
      capitalEfficiency: efficiency,
      initialMarginSavingUsd: baseIm === undefined ? null : baseIm - im,
      result,
    };
  });
  let lowest: ModelMargin | undefined;
  for (const r of rows) if (lowest === undefined || r.initialMarginUsd < lowest.initialMarginUsd) lowest = r;
  const unsupported = (f: ModelFailure): boolean => f.issues.length > 0 && f.issues.every((i) => i.code === "unsupported");
  const skipped = failures.filter(unsupported).map((f) => ({ label: f.label, model: f.model, reason: skipReason(f.issues) }));
  return { baseline: base?.label ?? null, rows, failures: failures.filter((f) => !unsupported(f)), skipped, lowestInitialMargin: lowest?.label ?? null, notes };
}

/** "Derive PMRM_2 margins only USDC-settled options and perpetuals (BTC-PERPETUAL and 9 more positions)". */
function skipReason(issues: readonly Issue[]): string {
  const first = issues[0]?.message ?? "unsupported";
  // Messages are "<instrument>: <why>"; the why is the same for every position of one kind.
  const why = first.includes(": ") ? first.slice(first.indexOf(": ") + 2) : first;
  const inst = first.includes(": ") ? first.slice(0, first.indexOf(": ")) : "";
  return `${why}${inst ? ` (${inst}${issues.length > 1 ? ` and ${issues.length - 1} more position(s)` : ""})` : ""}`;
}

function fmt(x: number): string {
  return x.toFixed(2);
}
