/**
 * Liquidation plan (POST /v1/accounts/{id}/liquidation-plan; nothing is executed): the steps the engine's least-cost
 * planner would take, each with its trades, its cost (slippage and fee) and the margin and ratio after it, the totals,
 * and the state it ends in. The target ratio and step size can be changed; an account not in liquidation gets a plan
 * only as "pre-emptive".
 * @module
 */
import { useState } from "preact/hooks";
import { enc, get, post } from "../api";
import type { AccountAnswer, Figures } from "../api";
import { pct, usd } from "../format";
import { ErrorBox, HealthBadge, Loading, Section, useAsync } from "../ui";

interface PlanStep {
  readonly step: number;
  readonly kind: string;
  readonly description: string;
  readonly slippageCostUsd: number;
  readonly feeUsd: number;
  readonly notionalUsd: number;
  readonly after: Figures;
  readonly state: string;
}
interface Plan {
  readonly status: string;
  readonly reason: string;
  readonly targetRatio: number;
  readonly before: Figures;
  readonly beforeState: string;
  readonly steps: readonly PlanStep[];
  readonly after: Figures;
  readonly afterState: string;
  readonly totals: { slippageUsd: number; feeUsd: number; notionalUsd: number };
}

export function LiquidationPage({ id }: { id: string }) {
  const acct = useAsync(() => get<AccountAnswer>(`/v1/accounts/${enc(id)}`), [id]);
  const [opts, setOpts] = useState<{ target?: number; step?: number; preemptive: boolean }>({ preemptive: false });
  const plan = useAsync(() => post<Plan>(`/v1/accounts/${enc(id)}/liquidation-plan`, { ...opts }), [id, JSON.stringify(opts)]);
  const p = plan.data;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          Liquidation plan for <a href={`#/account/${enc(id)}`}>{id}</a> {acct.data !== undefined && <HealthBadge state={acct.data.figures.health.state} />}
        </h1>
        <p class="note">What the engine's least-cost planner would do now, on the current market; nothing is executed.</p>
      </div>
      <form
        class="leg-form"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget as HTMLFormElement);
          const t = Number(fd.get("target"));
          const s = Number(fd.get("step"));
          setOpts({ preemptive: fd.get("preemptive") === "on", ...(fd.get("target") !== "" && Number.isFinite(t) ? { target: t / 100 } : {}), ...(fd.get("step") !== "" && Number.isFinite(s) ? { step: s / 100 } : {}) });
        }}
      >
        <label>
          target MM / equity (%)
          <input name="target" type="number" step="any" min="1" max="100" placeholder={p !== undefined ? (p.targetRatio * 100).toFixed(2) : "default"} />
        </label>
        <label>
          step (% of a position)
          <input name="step" type="number" step="any" min="1" max="100" placeholder="default" />
        </label>
        <label class="check">
          <input name="preemptive" type="checkbox" /> pre-emptive (plan for an account not yet in liquidation)
        </label>
        <button type="submit">plan</button>
      </form>
      {plan.error !== undefined && <ErrorBox error={plan.error} what="plan" />}
      {p === undefined && plan.error === undefined && <Loading what="the plan" />}
      {p !== undefined && (
        <>
          <p class={p.status === "insufficient" ? "error" : "ok"} data-testid="plan-status" role="status">
            {p.status.replace(/_/g, " ")}: {p.reason}
          </p>
          <Section title={`Steps (${p.steps.length})`} id="steps">
            <div class="scroll">
              <table data-testid="plan-steps">
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      step
                    </th>
                    <th scope="col">action</th>
                    <th scope="col" class="num">
                      notional (USD)
                    </th>
                    <th scope="col" class="num">
                      cost: slippage + fee (USD)
                    </th>
                    <th scope="col" class="num">
                      equity after
                    </th>
                    <th scope="col" class="num">
                      MM after
                    </th>
                    <th scope="col" class="num">
                      MM / equity after
                    </th>
                    <th scope="col">state after</th>
                  </tr>
                </thead>
                <tbody>
                  <tr class="muted">
                    <td class="num">0</td>
                    <td>now</td>
                    <td />
                    <td />
                    <td class="num">{usd(p.before.equityUsd)}</td>
                    <td class="num">{usd(p.before.maintenanceMarginUsd)}</td>
                    <td class="num">{pct(p.before.maintenanceRatio)}</td>
                    <td>
                      <HealthBadge state={p.beforeState} />
                    </td>
                  </tr>
                  {p.steps.map((s) => (
                    <tr key={s.step}>
                      <td class="num">{s.step}</td>
                      <td>
                        <span class="tag">{s.kind}</span> {s.description}
                      </td>
                      <td class="num">{usd(s.notionalUsd)}</td>
                      <td class="num">{usd(s.slippageCostUsd + s.feeUsd)}</td>
                      <td class="num">{usd(s.after.equityUsd)}</td>
                      <td class="num">{usd(s.after.maintenanceMarginUsd)}</td>
                      <td class="num">{pct(s.after.maintenanceRatio)}</td>
                      <td>
                        <HealthBadge state={s.state} />
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={2}>
                      total
                    </th>
                    <td class="num">{usd(p.totals.notionalUsd)}</td>
                    <td class="num" data-testid="plan-cost">
                      {usd(p.totals.slippageUsd + p.totals.feeUsd)}
                    </td>
                    <td class="num">{usd(p.after.equityUsd)}</td>
                    <td class="num">{usd(p.after.maintenanceMarginUsd)}</td>
                    <td class="num">{pct(p.after.maintenanceRatio)}</td>
                    <td>
                      <HealthBadge state={p.afterState} />
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
            <p class="note">
              Target {pct(p.targetRatio)} MM / equity. Costs: slippage {usd(p.totals.slippageUsd)}, fees {usd(p.totals.feeUsd)}.
            </p>
          </Section>
        </>
      )}
    </div>
  );
}
