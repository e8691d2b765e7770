/**
 * The risk matrix as a heatmap table: price moves down the rows, vol moves across, the extended (tail) scenarios in a
 * row of their own, each cell the bucket's P&L in that scenario (GET /v1/accounts/{id}/scenarios) coloured on a
 * diverging scale (losses red, gains green, intensity by |P&L| over the largest), the worst cell marked. Every cell is
 * a button: a click (or Enter) shows each position's P&L in that scenario.
 * @module
 */
import { useState } from "preact/hooks";
import type { ScenarioBucket } from "../api";
import { coin, move } from "../format";

const VOL_ORDER = ["down", "unchanged", "up"];

export function Heatmap({ bucket, priceUsd }: { bucket: ScenarioBucket; priceUsd: number | undefined }) {
  const [selected, setSelected] = useState<string | null>(null);
  const std = bucket.scenarios.filter((s) => !s.tail);
  const tail = bucket.scenarios.filter((s) => s.tail);
  const moves = [...new Set(std.map((s) => s.priceMove))].sort((a, b) => a - b);
  const vols = [...new Set(std.map((s) => s.volMove))].sort((a, b) => VOL_ORDER.indexOf(a) - VOL_ORDER.indexOf(b));
  const maxAbs = bucket.scenarios.reduce((m, s) => Math.max(m, Math.abs(s.pnl)), 1e-300);
  const cur = bucket.currency;
  const cell = (id: string) => {
    const j = bucket.scenarios.findIndex((s) => s.id === id);
    const s = bucket.scenarios[j];
    if (s === undefined) return <td class="hm-empty">—</td>;
    const worst = bucket.worstScenario === s.id;
    const intensity = Math.min(1, Math.abs(s.pnl) / maxAbs);
    const label = `${move(s.priceMove)} price, vol ${s.volMove}: P&L ${coin(s.pnl, cur)}${worst ? " (worst scenario)" : ""}`;
    return (
      <td key={s.id} class={`hm ${s.pnl < 0 ? "loss" : "gain"}${worst ? " worst" : ""}${selected === s.id ? " sel" : ""}`} style={{ "--v": intensity.toFixed(3) }}>
        <button type="button" data-testid="heatmap-cell" data-scenario={s.id} data-value={s.pnl} data-worst={worst ? "true" : undefined} aria-label={label} aria-pressed={selected === s.id} title={priceUsd !== undefined ? `${label} ≈ ${Math.round(s.pnl * priceUsd).toLocaleString("en-US")} USD at today's price` : label} onClick={() => setSelected(selected === s.id ? null : s.id)}>
          {fmtCell(s.pnl)}
          {worst && <span aria-hidden="true"> ★</span>}
        </button>
      </td>
    );
  };
  const sel = selected === null ? null : bucket.scenarios.findIndex((s) => s.id === selected);
  return (
    <div class="heatmap" data-bucket={bucket.bucket}>
      <div class="scroll">
        <table class="hm-table" data-testid="heatmap">
          <caption>
            {bucket.bucket}: P&amp;L per scenario in {cur} (★ worst)
          </caption>
          <thead>
            <tr>
              <th scope="col">price move</th>
              {vols.map((v) => (
                <th key={v} scope="col">
                  vol {v}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {moves.map((m) => (
              <tr key={m}>
                <th scope="row">{move(m)}</th>
                {vols.map((v) => {
                  const s = std.find((x) => x.priceMove === m && x.volMove === v);
                  return s === undefined ? <td key={v} class="hm-empty">—</td> : cell(s.id);
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {tail.length > 0 && (
        <div class="scroll">
          <table class="hm-table hm-tail">
            <caption>extended (tail) scenarios</caption>
            <thead>
              <tr>
                <th scope="col">price move</th>
                {tail.map((s) => (
                  <th key={s.id} scope="col">
                    {move(s.priceMove)}
                    <div class="muted">vol {s.volMove}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">P&amp;L</th>
                {tail.map((s) => cell(s.id))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {sel !== null && sel >= 0 && <Breakdown bucket={bucket} j={sel} />}
    </div>
  );
}

/** Cell text without unit (the caption has it): whole numbers with separators from 1,000 up, else 4 significant digits. */
export function fmtCell(x: number): string {
  if (Math.abs(x) < 1e-12) return "0";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(4)).toString();
}

function Breakdown({ bucket, j }: { bucket: ScenarioBucket; j: number }) {
  const s = bucket.scenarios[j];
  if (s === undefined) return null;
  const rows = bucket.positions.map((p) => ({ ...p, v: p.pnl[j] ?? 0 })).sort((a, b) => a.v - b.v);
  const sum = rows.reduce((t, r) => t + r.v, 0);
  const maxAbs = rows.reduce((m, r) => Math.max(m, Math.abs(r.v)), 1e-300);
  return (
    <div class="breakdown" data-testid="breakdown" data-scenario={s.id} role="region" aria-live="polite" aria-label={`positions in scenario ${s.id}`}>
      <h3>
        Scenario {move(s.priceMove)} price, vol {s.volMove}
        {s.tail ? " (extended)" : ""}: every position's P&amp;L
      </h3>
      <table>
        <thead>
          <tr>
            <th scope="col">position</th>
            <th scope="col" class="num">
              size (coin)
            </th>
            <th scope="col" class="num">
              P&amp;L ({bucket.currency})
            </th>
            <th scope="col" class="bar-col">
              <span class="sr-only">bar</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.instrument} data-testid="breakdown-row" data-instrument={r.instrument} data-value={r.v}>
              <td>{r.instrument}</td>
              <td class="num">{coin(r.sizeCoin, "").trim()}</td>
              <td class="num">{coin(r.v, bucket.currency)}</td>
              <td class="bar-col">
                <span class={`bar ${r.v < 0 ? "loss" : "gain"}`} style={{ width: `${(Math.abs(r.v) / maxAbs) * 100}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">sum of positions</th>
            <td />
            <td class="num">{coin(sum, bucket.currency)}</td>
            <td class="muted">scenario P&amp;L {coin(s.pnl, bucket.currency)}</td>
          </tr>
        </tfoot>
      </table>
      <p class="note">Positions' P&amp;L are raw revaluations; the scenario's P&amp;L is after the model's own rules (offsets, dampeners), so the two may differ.</p>
    </div>
  );
}
