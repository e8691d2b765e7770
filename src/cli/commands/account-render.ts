/**
 * JSON views and text renderings of the account layer's results for `netrisk account`, `whatif`, `max-order`,
 * `liquidate --plan` and `hedge`. Views pick plain data out of the results (an account carries its engine and market,
 * which are not output).
 * @module
 */
import type { AccountEvaluation, AccountFigures } from "../../account/account.js";
import type { DirectionResult, DistanceReport } from "../../account/distance.js";
import type { HedgeSuggestions } from "../../account/hedges.js";
import type { LiquidationPlan } from "../../account/liquidation.js";
import type { BorrowingPower, MaxOrderResult } from "../../account/max-order.js";
import type { ProjectedMargin } from "../../account/projected.js";
import type { WhatIfResult } from "../../account/what-if.js";
import { change, fitTable, fmt, pct, table, wrap } from "../output.js";
import { describeTrade } from "../../account/liquidation-actions.js";
export { evaluationJson, projectedJson, tradeJson } from "../../account/document.js";

const usd = (x: number): string => `${fmt(x)} USD`;
const ratioText = (r: number | null): string => (r === null ? "n/a (equity ≤ 0)" : `${(r * 100).toFixed(2)} %`);

function figureLines(f: AccountFigures): string[] {
  return [
    `equity ${usd(f.equityUsd)}, initial margin ${usd(f.initialMarginUsd)}, maintenance margin ${usd(f.maintenanceMarginUsd)}`,
    `available funds ${usd(f.availableFundsUsd)}, maintenance ratio ${ratioText(f.maintenanceRatio)}, IM ratio ${ratioText(f.initialMarginRatio)}`,
  ];
}

function directionText(d: DirectionResult): string {
  if (d.liquidation === null) return `none within ${(d.searchedToDecimal * 100).toFixed(0)} %`;
  const idx = Object.entries(d.liquidation.indexUsd).map(([b, v]) => `${b} ${fmt(v)}`).join(", ");
  return `${pct(d.liquidation.moveDecimal)}${idx ? ` (${idx})` : ""}`;
}

/** `netrisk account` text. */
export function renderAccount(
  e: AccountEvaluation,
  projected: ProjectedMargin,
  distance: DistanceReport | undefined,
  borrowing: readonly BorrowingPower[],
  header: string,
): string {
  const out: string[] = [header, `health: ${e.health.state.toUpperCase()} (${e.health.reason})`, ...figureLines(e.figures)];
  const cur = Object.entries(e.inCurrency);
  if (cur.length > 0)
    out.push(
      "",
      table(
        ["currency", "price (USD)", "equity", "initial margin", "maintenance margin", "available funds"],
        cur.map(([c, f]) => [c, f.priceUsd, f.equity, f.initialMargin, f.maintenanceMargin, f.availableFunds]),
      ),
    );
  const b = e.breakdown;
  out.push(
    "",
    table(
      ["bucket", "model IM (USD)", "IM after tiers", "model MM (USD)", "MM after tiers", "tier"],
      b.buckets.map((x) => [x.bucket, x.modelInitialMarginUsd, x.initialMarginUsd, x.modelMaintenanceMarginUsd, x.maintenanceMarginUsd, `${x.tier} (×${x.marginalMultiplier})`]),
    ),
    `collateral charges: haircuts IM ${usd(b.haircutImUsd)} / MM ${usd(b.haircutMmUsd)}, borrow IM ${usd(b.borrowImUsd)} / MM ${usd(b.borrowMmUsd)}, de-peg IM ${usd(b.depegImUsd)}`,
  );
  if (e.collateral.length > 0)
    out.push(
      table(
        ["balance", "amount", "price (USD)", "value (USD)", "treatment", "haircut IM", "borrow IM", "de-peg IM"],
        e.collateral.map((l) => [l.currency, l.amount, l.priceUsd, l.valueUsd, l.treatment, l.imHaircutUsd, l.borrowImUsd, l.depegImUsd]),
      ),
    );
  if (e.margin.model === "okx") out.push("", ...okxUnitLines(e));
  if (projected.expiry !== null)
    out.push(
      "",
      `projected (without ${projected.expiring.length} position${projected.expiring.length === 1 ? "" : "s"} expiring ${projected.expiry}): IM ${usd(projected.projected.figures.initialMarginUsd)}, MM ${usd(projected.projected.figures.maintenanceMarginUsd)}, ${projected.projected.health.state}`,
    );
  if (distance !== undefined) {
    out.push("", distance.alreadyLiquidatable ? "distance to liquidation: 0 (the account is liquidatable now)" : "distance to liquidation (smallest move of the index that brings MM ≥ equity):");
    const rows = Object.entries(distance.underlyings).map(([base, d]) => [base, d.indexUsd, directionText(d.down), directionText(d.up)]);
    if (distance.together !== undefined && Object.keys(distance.underlyings).length > 1) {
      const betas = Object.entries(distance.together.betas).map(([k, v]) => `${k}×${v}`).join(" ");
      rows.push([`all together (${betas})`, "", directionText(distance.together.down), directionText(distance.together.up)]);
    }
    if (rows.length > 0) out.push(table(["underlying", "index (USD)", "down", "up"], rows));
  }
  if (borrowing.length > 0)
    out.push("", table(["currency", "borrowing power", "in USD", "of which borrowed"], borrowing.map((x) => [x.currency, x.amount, x.amountUsd, x.borrowed])));
  for (const n of e.notes) out.push(`note: ${n}`);
  return out.join("\n");
}

/** Four decimals, as OKX's figures are quoted (1,183.8207). */
const d4 = (x: unknown): string => (typeof x === "number" ? x.toLocaleString("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 }) : "n/a");

/** The OKX model's components per risk unit and its account-level figures (docs/methodology.md "OKX portfolio margin"). */
function okxUnitLines(e: AccountEvaluation): string[] {
  const units = Object.entries(e.margin.byCurrency).filter(([k]) => k !== "account");
  const rows = units.map(([k, b]) => {
    const c = b.components;
    return [k.toUpperCase(), ...["mr1", "mr2", "mr3", "mr4", "mr5", "mr6", "mr7", "mr9"].map((m) => d4(c[m])), d4(b.maintenanceMarginUsd), d4(b.initialMarginUsd)];
  });
  const a = (e.margin.byCurrency.account?.details ?? {}) as Record<string, unknown>;
  return [
    "OKX risk units (USD): MMR = max(max(MR1, MR2, MR6) + MR3 + MR4 + MR5 + MR9, MR7), IMR = 1.3 × MMR",
    table(["unit", "MR1", "MR2", "MR3", "MR4", "MR5", "MR6", "MR7", "MR9", "MMR", "IMR"], rows),
    `derivMmr ${d4(a.derivMmr)}, borrowing MR8: borrowMmr ${d4(a.borrowMmr)} / borrowImr ${d4(a.borrowImr)} on ${d4(a.borrowedUsd)} borrowed`,
    `totalMmr ${d4(a.totalMmr)}, totalImr ${d4(a.totalImr)}, adjusted equity ${d4(a.adjustedEquityUsd)}, margin ratio ${a.marginRatio === null ? "n/a (no MMR)" : d4(a.marginRatio)} (adjusted equity / (totalMmr + liquidation cost ${d4(a.liquidationCostUsd)}))`,
  ];
}

/** `netrisk whatif` text. */
export function renderWhatIf(w: WhatIfResult): string {
  const b = w.before.figures;
  const a = w.after.figures;
  const out = [
    `${w.accepted ? "ACCEPTED" : "REJECTED"}: ${w.reason}`,
    table(
      ["trade", "size (coin)", "price", "source", "mark", "cash", "cost (USD)"],
      w.trades.map((t) => [t.instrument.name, t.sizeCoin, t.price, t.priceSource, t.markPrice, `${fmt(t.cash)} ${t.cashCurrency}`, t.costUsd]),
    ),
    "",
    table(
      ["", "before", "after", "change"],
      [
        ["equity (USD)", b.equityUsd, a.equityUsd, change(a.equityUsd, b.equityUsd)],
        ["initial margin (USD)", b.initialMarginUsd, a.initialMarginUsd, change(a.initialMarginUsd, b.initialMarginUsd)],
        ["maintenance margin (USD)", b.maintenanceMarginUsd, a.maintenanceMarginUsd, change(a.maintenanceMarginUsd, b.maintenanceMarginUsd)],
        ["available funds (USD)", b.availableFundsUsd, a.availableFundsUsd, change(a.availableFundsUsd, b.availableFundsUsd)],
        ["maintenance ratio", ratioText(b.maintenanceRatio), ratioText(a.maintenanceRatio), ""],
        ["health", w.before.health.state, w.after.health.state, ""],
      ],
    ),
  ];
  if (w.event !== undefined) out.push(`event: ${w.event.from} → ${w.event.to} (${w.event.direction}): ${w.event.reason}`);
  // Notes the trades brought (e.g. an instrument priced from the surface rather than a quote).
  for (const n of w.after.notes) if (!w.before.notes.includes(n) || n.includes("is not quoted in the market")) out.push(`note: ${n}`);
  return out.join("\n");
}

/** `netrisk max-order` text. */
export function renderMaxOrder(r: MaxOrderResult): string {
  const out = [`maximum ${r.side} of ${r.instrument}: ${fmt(r.maxSizeCoin)} coin (notional ${usd(r.notionalUsd)}; ${r.reason})`];
  if (r.after !== undefined) out.push(`after it: ${figureLines(r.after).join("; ")}`);
  out.push(`(${r.evaluations} full evaluations)`);
  return out.join("\n");
}

/** Width of the `liquidate --plan` text: every line fits a 120-column terminal. */
const PLAN_WIDTH = 120;

/** A short name for a step's action (the full trades are listed under the table). */
function stepAction(s: LiquidationPlan["steps"][number]): string {
  const first = s.trades[0]?.instrument.name ?? "";
  const from = Object.entries(s.balanceChanges).filter(([, v]) => v < 0).map(([c]) => c);
  const to = Object.entries(s.balanceChanges).filter(([, v]) => v > 0).map(([c]) => c);
  switch (s.kind) {
    case "reduce":
      return `reduce ${first}`;
    case "reduce_and_convert":
      return `reduce ${first}, settle coin`;
    case "reduce_all":
      return `reduce all ${s.trades.length} positions`;
    case "hedge":
      return `hedge with ${first}`;
    case "convert":
      return `convert ${from.join("+")} to ${to.join("+")}`;
    case "close_out":
      return `close out ${s.trades.length} position${s.trades.length === 1 ? "" : "s"}`;
  }
}

/** What a step trades and converts, one line each: `  2  sell 1.5 BTC-PERPETUAL @ 59970 (mark 60000)`. */
function stepDetails(s: LiquidationPlan["steps"][number]): string[] {
  const lines = s.trades.map((t) => `${String(s.step).padStart(4)}  ${describeTrade(t)}`);
  const changes = Object.entries(s.balanceChanges).filter(([, v]) => v !== 0);
  if (changes.length > 0) lines.push(`${String(s.step).padStart(4)}  balances ${changes.map(([c, v]) => `${v > 0 ? "+" : ""}${fmt(v)} ${c}`).join(", ")}`);
  if (s.feeCharge !== null) lines.push(`${String(s.step).padStart(4)}  liquidation fee ${fmt(s.feeCharge.amount)} ${s.feeCharge.currency}`);
  return lines;
}

/** `netrisk liquidate --plan` text, within 120 columns (the action names are shortened to fit; details follow). */
export function renderPlan(p: LiquidationPlan): string {
  const out = [
    ...wrap(`${p.status.toUpperCase().replace(/_/g, " ")}: ${p.reason}`, PLAN_WIDTH),
    `target maintenance ratio ${(p.targetRatio * 100).toFixed(2)} %`,
    ...wrap(`before (${p.beforeState}): ${figureLines(p.before).join("; ")}`, PLAN_WIDTH),
  ];
  if (p.steps.length > 0) {
    const header = ["step", "action", "slippage", "fee", "equity", "MM", "ratio", "state"];
    const rows = p.steps.map((s) => [s.step, stepAction(s), s.slippageCostUsd, s.feeUsd, s.after.equityUsd, s.after.maintenanceMarginUsd, ratioText(s.after.maintenanceRatio), s.state]);
    out.push("", "amounts in USD; every trade and conversion of each step is listed below the table", fitTable(header, rows, 1, PLAN_WIDTH), "", "step  trades and balance changes");
    for (const s of p.steps) for (const line of stepDetails(s)) out.push(...wrap(line, PLAN_WIDTH, "      "));
    out.push(
      "",
      ...wrap(`after (${p.afterState}): ${figureLines(p.after).join("; ")}`, PLAN_WIDTH),
      ...wrap(`total: ${p.steps.length} steps, notional ${usd(p.totals.notionalUsd)}, slippage ${usd(p.totals.slippageUsd)}, fees ${usd(p.totals.feeUsd)}`, PLAN_WIDTH),
    );
    for (const e of p.events) out.push(...wrap(`event: ${e.from} → ${e.to} at ${e.cause.split(":")[0]}`, PLAN_WIDTH));
  }
  return out.join("\n");
}

/** `netrisk hedge` text. */
export function renderHedges(h: HedgeSuggestions): string {
  const out = [`initial margin ${usd(h.before.initialMarginUsd)} → ${usd(h.after.initialMarginUsd)} with ${h.steps.length} trade${h.steps.length === 1 ? "" : "s"} (${h.stop})`];
  if (h.steps.length > 0)
    out.push(
      table(
        ["step", "trade", "size (coin)", "price", "cost (USD)", "premium (USD)", "IM after (USD)", "IM saved (USD)", "saved per USD of cost"],
        h.steps.map((s) => [s.step, `${s.side} ${s.trade.instrument.name}`, s.trade.sizeCoin, s.trade.price, s.costUsd, s.premiumUsd, s.initialMarginAfterUsd, s.reductionUsd, s.reductionPerCost]),
      ),
      `total cost ${usd(h.totalCostUsd)}; greedy search with full re-evaluation (docs/methodology.md, Accounts: hedge suggestions)`,
    );
  return out.join("\n");
}
