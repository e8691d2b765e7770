/**
 * Change-impact preview of a parameter set (what CME's early SPAN file gives clearing members): every account's IM,
 * MM and health now and under a candidate version, who would enter margin call or liquidation, and the totals. The
 * candidate only changes the model's parameters, so each account keeps its resolved positions and balances and is
 * re-evaluated in a candidate engine shared by every account of the same binding (the market's risk arrays are built
 * once per engine, not per account).
 * @module
 */
import { ok } from "../errors.js";
import type { Result } from "../errors.js";
import { evaluateAccount } from "./account.js";
import type { Account } from "./account.js";
import type { MarginEngine } from "./engine.js";
import { severity } from "./health.js";
import type { HealthState } from "./health.js";

export interface PreviewFigures {
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly state: HealthState;
}

export interface PreviewRow {
  readonly id: string;
  readonly now: PreviewFigures;
  readonly candidate: PreviewFigures;
  readonly change: { readonly initialMarginUsd: number; readonly maintenanceMarginUsd: number };
}

export interface ParameterPreview {
  readonly accounts: readonly PreviewRow[];
  /** Accounts that would newly be in margin call (or worse) / liquidation (or worse). */
  readonly enteringMarginCall: readonly string[];
  readonly enteringLiquidation: readonly string[];
  readonly totals: { readonly now: { initialMarginUsd: number; maintenanceMarginUsd: number }; readonly candidate: { initialMarginUsd: number; maintenanceMarginUsd: number } };
  readonly failed: readonly { readonly id: string; readonly code: string; readonly message: string }[];
}

/** An account's figures as the preview reports them (now, or in a candidate engine). */
export const previewFigures = (account: Account): Result<PreviewFigures> => {
  const ev = evaluateAccount(account);
  if (!ev.ok) return ev;
  const f = ev.value.figures;
  return ok({ equityUsd: f.equityUsd, initialMarginUsd: f.initialMarginUsd, maintenanceMarginUsd: f.maintenanceMarginUsd, state: ev.value.health.state });
};

/** Preview: `candidateEngine` gives the engine an account would have under the candidate (shared per binding). */
export function previewParameterChange<A extends { id: string; account: Account }>(
  accounts: readonly A[],
  candidateEngine: (a: A) => MarginEngine,
  /** The figures now (default: evaluated here); a service passes the ones it keeps per account version. */
  nowFigures: (a: A) => Result<PreviewFigures> = (a) => previewFigures(a.account),
): ParameterPreview {
  const rows: PreviewRow[] = [];
  const failed: { id: string; code: string; message: string }[] = [];
  const totals = { now: { initialMarginUsd: 0, maintenanceMarginUsd: 0 }, candidate: { initialMarginUsd: 0, maintenanceMarginUsd: 0 } };
  const marginCall: string[] = [];
  const liquidation: string[] = [];
  for (const a of accounts) {
    const now = nowFigures(a);
    const cand = now.ok ? previewFigures({ ...a.account, engine: candidateEngine(a) }) : now;
    if (!now.ok || !cand.ok) {
      const i = (!now.ok ? now.issues : !cand.ok ? cand.issues : [])[0];
      failed.push({ id: a.id, code: i?.code ?? "internal", message: i?.message ?? "" });
      continue;
    }
    const n = now.value;
    const c = cand.value;
    rows.push({ id: a.id, now: n, candidate: c, change: { initialMarginUsd: c.initialMarginUsd - n.initialMarginUsd, maintenanceMarginUsd: c.maintenanceMarginUsd - n.maintenanceMarginUsd } });
    totals.now.initialMarginUsd += n.initialMarginUsd;
    totals.now.maintenanceMarginUsd += n.maintenanceMarginUsd;
    totals.candidate.initialMarginUsd += c.initialMarginUsd;
    totals.candidate.maintenanceMarginUsd += c.maintenanceMarginUsd;
    if (severity(c.state) >= severity("margin_call") && severity(n.state) < severity("margin_call")) marginCall.push(a.id);
    if (severity(c.state) >= severity("liquidation") && severity(n.state) < severity("liquidation")) liquidation.push(a.id);
  }
  return { accounts: rows, enteringMarginCall: marginCall, enteringLiquidation: liquidation, totals, failed };
}
