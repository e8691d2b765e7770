/**
 * Cover-2 (docs/cascade.md "Cover-2"), as CCPs size default funds (CPMI-IOSCO PFMI Principle 4, key consideration 4:
 * enough resources to cover the default of the two participants, with their affiliates, that would cause the largest
 * aggregate credit exposure in extreme but plausible conditions): under each stress scenario every account is
 * re-margined on the live core at the stressed market, its uncovered loss is what its equity (collateral and positions,
 * its margin included) no longer covers, max(0, −equity), and accounts are summed by group (an account is its own
 * group unless `groupOf` says otherwise). The scenario whose two largest groups cost most sets the fund.
 *
 * An instant move on the positions as held: no liquidation before the default and no market impact (the cascade's
 * insurance-fund sizing, sizing.ts, has both). Pure: each scenario on a fresh core.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { LiveCore } from "../core.js";
import type { Tick } from "../tick.js";

export interface Cover2Scenario {
  readonly label: string;
  /** `named` stress or `historical` window. */
  readonly source: "named" | "historical";
  readonly tick: Tick;
}

export interface Cover2Input {
  /** A fresh core of the book on its start market. */
  readonly newCore: () => Result<LiveCore>;
  readonly scenarios: readonly Cover2Scenario[];
  /** Group of an account (affiliates defaulting together); default: the account itself. */
  readonly groupOf?: (accountId: string) => string;
  /** Called with (scenarios done, scenarios) after each scenario (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GroupLoss {
  readonly group: string;
  readonly accounts: readonly string[];
  /** Σ over its accounts of max(0, −equity) at the stressed market, USD. */
  readonly uncoveredUsd: number;
}

export interface Cover2ScenarioResult {
  readonly label: string;
  readonly source: "named" | "historical";
  readonly indexUsd: Readonly<Record<string, number>>;
  /** The two groups with the largest uncovered loss (fewer when fewer lose). */
  readonly top: readonly GroupLoss[];
  /** Sum of the top two, USD. */
  readonly cover2Usd: number;
  /** The largest one alone, USD. */
  readonly cover1Usd: number;
  /** Uncovered loss of every account together, USD. */
  readonly totalUncoveredUsd: number;
}

export interface Cover2Result {
  readonly scenarios: readonly Cover2ScenarioResult[];
  /** The scenario with the largest Cover-2 (first in input order on ties). */
  readonly worst: Cover2ScenarioResult;
  /** The fund that covers the two largest defaults under the worst scenario, USD. */
  readonly fundUsd: number;
}

/** Cover-2 over the scenarios (see the module comment). Issues: no scenario, a core's, a tick the core rejects. */
export function cover2(input: Cover2Input): Result<Cover2Result> {
  if (input.scenarios.length === 0) return fail(issue("invalid_value", "scenarios", "no stress scenario"));
  const groupOf = input.groupOf ?? ((id: string) => id);
  const results: Cover2ScenarioResult[] = [];
  for (const s of input.scenarios) {
    input.onProgress?.(results.length, input.scenarios.length);
    const core = input.newCore();
    if (!core.ok) return core;
    const c = core.value;
    const out = c.apply({ kind: "tick", tick: { ...s.tick, seq: c.lastSeq() + 1 } });
    if (out.status !== "applied") return fail(issue("invalid_value", `scenarios.${s.label}`, `the core ${out.status} the stress tick: ${out.issues.map((i) => i.message).join("; ")}`));
    const groups = new Map<string, { accounts: string[]; uncoveredUsd: number }>();
    let total = 0;
    for (const id of c.accountIds()) {
      const e = c.figures(id)?.equityUsd ?? 0;
      if (!(e < 0)) continue;
      const g = groupOf(id);
      const entry = groups.get(g) ?? { accounts: [], uncoveredUsd: 0 };
      entry.accounts.push(id);
      entry.uncoveredUsd += -e;
      groups.set(g, entry);
      total += -e;
    }
    const ranked = [...groups.entries()].map(([group, v]) => ({ group, accounts: v.accounts, uncoveredUsd: v.uncoveredUsd })).sort((a, b) => b.uncoveredUsd - a.uncoveredUsd || (a.group < b.group ? -1 : 1));
    const top = ranked.slice(0, 2);
    results.push({
      label: s.label,
      source: s.source,
      indexUsd: c.market().indexUsd,
      top,
      cover2Usd: top.reduce((x, g) => x + g.uncoveredUsd, 0),
      cover1Usd: top[0]?.uncoveredUsd ?? 0,
      totalUncoveredUsd: total,
    });
  }
  let worst = results[0] as Cover2ScenarioResult;
  for (const r of results) if (r.cover2Usd > worst.cover2Usd) worst = r;
  input.onProgress?.(results.length, input.scenarios.length);
  return ok({ scenarios: results, worst, fundUsd: worst.cover2Usd });
}
