/**
 * The account document: what `netrisk account --json` prints, what `GET /v1/accounts/{id}` serves as `figures`, and
 * what the live core emits per account. ONE pure function builds it from a bound account, so the CLI, the service and
 * the live core cannot drift apart. Also the JSON views of an evaluation, a projection and a trade that the other
 * account commands and routes print.
 * @module
 */
import { ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { BucketMargin, MarginModel } from "../models/types.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation } from "./account.js";
import { distanceToLiquidation } from "./distance.js";
import type { DistanceOptions, DistanceReport } from "./distance.js";
import { borrowingPower } from "./max-order.js";
import type { BorrowingPower } from "./max-order.js";
import { projectedMargin } from "./projected.js";
import type { ProjectedMargin } from "./projected.js";
import type { Trade } from "./trades.js";
import type { WhatIfResult } from "./what-if.js";

/** Plain-data view of a priced trade. */
export function tradeJson(t: Trade) {
  return {
    instrument: t.instrument.name,
    sizeCoin: t.sizeCoin,
    price: t.price,
    priceSource: t.priceSource,
    markPrice: t.markPrice,
    cash: t.cash,
    cashCurrency: t.cashCurrency,
    costUsd: t.costUsd,
  };
}

/** Plain-data view of a model bucket in an evaluation (no scenario vector, no audit detail). */
export function bucketJson(b: BucketMargin) {
  return {
    currency: b.currency,
    initialMargin: b.initialMargin,
    maintenanceMargin: b.maintenanceMargin,
    initialMarginUsd: b.initialMarginUsd,
    maintenanceMarginUsd: b.maintenanceMarginUsd,
    components: b.components,
    ...(b.worstScenario !== undefined ? { worstScenario: b.worstScenario } : {}),
    ...(b.contributions !== undefined ? { contributions: b.contributions } : {}),
  };
}

/** Plain-data view of an evaluation (an account carries its engine and market, which are not output). */
export function evaluationJson(e: AccountEvaluation) {
  return {
    figures: e.figures,
    inCurrency: e.inCurrency,
    health: { state: e.health.state, reason: e.health.reason, thresholds: e.health.thresholds },
    breakdown: e.breakdown,
    collateral: e.collateral,
    positions: e.positions,
    margin: {
      model: e.margin.model,
      parameterSet: e.margin.parameterSet,
      totalUsd: e.margin.totalUsd,
      byCurrency: Object.fromEntries(Object.entries(e.margin.byCurrency).map(([k, b]) => [k, bucketJson(b)])),
    },
    notes: e.notes,
  };
}

/** Plain-data view of a projected margin. */
export function projectedJson(p: ProjectedMargin) {
  return { expiry: p.expiry, expiryMs: p.expiryMs, expiring: p.expiring, figures: p.projected.figures, state: p.projected.health.state };
}

/** What the document is computed from, besides the account itself. */
export interface AccountDocumentInputs {
  readonly account: Account;
  readonly model: MarginModel;
  /** Preset name of the parameter set (`deribit`, `inline`, `deribit+overrides`, or a stored set's name). */
  readonly parameterSetName: string;
  /** How the document names the account: the file path (CLI) or the account id (service). */
  readonly accountRef: string;
  /** How it names the market: the file path (CLI) or the stored snapshot id (service). */
  readonly marketRef: string;
}

export interface AccountDocumentOptions {
  /** Run the distance-to-liquidation search (the slow part: default true); `false` = `--no-distance`. */
  readonly distance?: boolean;
  readonly distanceOptions?: DistanceOptions;
}

/** The parts of the document that are computed (the rest names inputs). */
export interface AccountDocumentParts {
  readonly evaluation: AccountEvaluation;
  readonly projected: ProjectedMargin;
  readonly distance: DistanceReport | undefined;
  readonly borrowing: readonly BorrowingPower[];
}

/**
 * Compute the parts of the account document (figures, projection, distance, borrowing power per currency).
 * Issues: the model's and the searches'.
 */
export function accountDocumentParts(account: Account, options: AccountDocumentOptions = {}): Result<AccountDocumentParts> {
  const evaluation = evaluateAccount(account);
  if (!evaluation.ok) return evaluation;
  const projected = projectedMargin(account);
  if (!projected.ok) return projected;
  let distance: DistanceReport | undefined;
  if (options.distance ?? true) {
    const d = distanceToLiquidation(account, options.distanceOptions ?? {});
    if (!d.ok) return d;
    distance = d.value;
  }
  const borrowing: BorrowingPower[] = [];
  for (const c of Object.keys(evaluation.value.inCurrency)) {
    const b = borrowingPower(account, c);
    if (!b.ok) return b;
    borrowing.push(b.value);
  }
  return ok({ evaluation: evaluation.value, projected: projected.value, distance, borrowing });
}

/** The document from computed parts (see {@link accountDocument}). */
export function accountDocumentFromParts(inputs: AccountDocumentInputs, parts: AccountDocumentParts) {
  const { model } = inputs;
  return {
    account: inputs.accountRef,
    model: model.id,
    parameterSet: { ...model.parameterSet, preset: inputs.parameterSetName },
    market: { ref: inputs.marketRef, timestamp: new Date(inputs.account.engine.market.snapshot.timestampMs).toISOString() },
    ...evaluationJson(parts.evaluation),
    projected: projectedJson(parts.projected),
    ...(parts.distance !== undefined ? { distanceToLiquidation: parts.distance } : {}),
    borrowingPower: parts.borrowing,
  };
}

/** The account document: `netrisk account --json` (docs/cli.md lists its fields). */
export type AccountDocument = ReturnType<typeof accountDocumentFromParts>;

/**
 * The account document of a bound account: names its inputs (account, model, parameter set and its version, market)
 * and carries every figure. Pure; the same inputs give the same document in the CLI, the service and the live core.
 */
export function accountDocument(inputs: AccountDocumentInputs, options: AccountDocumentOptions = {}): Result<AccountDocument> {
  const parts = accountDocumentParts(inputs.account, options);
  return parts.ok ? ok(accountDocumentFromParts(inputs, parts.value)) : parts;
}

/** The what-if document: `netrisk whatif --json` and `POST /v1/accounts/{id}/whatif`. */
export function whatIfDocument(w: WhatIfResult) {
  return {
    accepted: w.accepted,
    reason: w.reason,
    trades: w.trades.map(tradeJson),
    before: { figures: w.before.figures, state: w.before.health.state },
    after: { figures: w.after.figures, state: w.after.health.state },
    change: w.change,
    ...(w.event !== undefined ? { event: w.event } : {}),
    afterDetail: evaluationJson(w.after),
  };
}
