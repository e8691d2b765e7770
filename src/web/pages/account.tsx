/**
 * Account page: figures and the maintenance-ratio gauge (GET /v1/accounts/{id}), the risk matrix as a heatmap with a
 * per-position breakdown per scenario (.../scenarios), the contribution of each position to the worst loss, Greeks
 * per underlying and expiry in coin or USD (.../greeks), distance to liquidation (.../distance) and the MM-versus-
 * price-shock curve with the breach marked (.../shock-curve), margin, MM and equity over time with thresholds and
 * parameter-version markers (.../history, recomputed from the audit log), and the account's events (audit rows and
 * live events). Live: the stream's events for this account update the page without a reload.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, enc, get } from "../api";
import type { AccountAnswer, AuditEntry, DirectionResult, Distance, GreeksAnswer, History, ScenarioBucket, ShockCurve, Thresholds, Whoami } from "../api";
import { Chart, COLORS, levelsPlugin, markersPlugin } from "../chart";
import { age, coin, move, num, pct, STATE_LABEL, time, usd } from "../format";
import { LiveDot, subscribe } from "../live";
import type { LiveEvent, LiveStatus } from "../live";
import { Card, ErrorBox, HealthBadge, Loading, Section, Toggle, useAsync } from "../ui";
import { Gauge } from "./gauge";
import { Heatmap } from "./heatmap";
import { EventList } from "../events";

export function AccountPage({ id, me }: { id: string; me: Whoami }) {
  const base = `/v1/accounts/${enc(id)}`;
  const acct = useAsync(() => get<AccountAnswer>(base), [id]);
  const version = acct.data?.version;
  const marketId = acct.data?.computedFrom.marketId;
  const scen = useAsync(() => get<{ buckets: ScenarioBucket[] }>(`${base}/scenarios`), [id, version, marketId]);
  const greeks = useAsync(() => get<GreeksAnswer>(`${base}/greeks`), [id, version, marketId]);
  const distance = useAsync(() => get<{ distanceToLiquidation: Distance }>(`${base}/distance`), [id, version, marketId]);
  const history = useAsync(() => get<History>(`${base}/history`), [id, version, marketId]);
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [live, setLive] = useState<LiveEvent[]>([]);
  const [liveState, setLiveState] = useState<{ state: string; ts?: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    setLive([]);
    setLiveState(null);
    const sub = subscribe(
      { account: id },
      (e) => {
        if (e.account !== undefined && e.account !== id) return;
        setLive((l) => [e, ...l].slice(0, 100));
        // The state shows at once from the event; the figures follow from the API (coalesced).
        if (e.type === "health_changed") setLiveState({ state: String(e.to), ...(typeof e.ts === "string" ? { ts: e.ts } : {}) });
        if (timer.current === undefined)
          timer.current = setTimeout(() => {
            timer.current = undefined;
            acct.reload();
          }, 150);
      },
      setStatus,
    );
    return () => {
      sub.close();
      if (timer.current !== undefined) clearTimeout(timer.current);
    };
  }, [id]);
  // Once the API's figures have caught up with the event, they speak for themselves.
  useEffect(() => {
    if (liveState !== null && acct.data?.figures.health.state === liveState.state) setLiveState(null);
  }, [acct.data]);

  if (acct.error !== undefined) return <ErrorBox error={acct.error} what={`account ${id}`} />;
  if (acct.data === undefined) return <Loading what={`account ${id}`} />;
  const a = acct.data;
  const doc = a.figures;
  const f = doc.figures;
  const state = liveState?.state ?? doc.health.state;
  const thresholds = doc.health.thresholds;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          Account <span data-testid="account-id">{id}</span> <HealthBadge state={state} testId="health-state" />
        </h1>
        <div class="page-meta">
          <span>
            {doc.model} · parameter set {doc.parameterSet.name} {doc.parameterSet.version} · market <code>{doc.market.ref}</code> at {time(doc.market.timestamp)} · version {a.version}
          </span>
          {doc.stale !== undefined && (
            <span class="badge stale" data-testid="stale-badge">
              stale: inputs {age(doc.stale.inputAgeMs)} old ({doc.stale.underlyings.join(", ")})
            </span>
          )}
          <LiveDot status={status} />
        </div>
        <nav class="subnav" aria-label="account pages">
          <a href={`#/whatif/${enc(id)}`}>What-if / position builder</a>
          <a href={`#/liquidation/${enc(id)}`}>Liquidation plan</a>
        </nav>
      </div>
      <p class="reason" data-testid="health-reason">
        {doc.health.reason}
      </p>
      <div class="figures">
        <div class="cards">
          <Card label="equity" value={usd(f.equityUsd)} testId="equity" raw={f.equityUsd} sub={inCoins(doc, "equity")} />
          <Card label="initial margin" value={usd(f.initialMarginUsd)} testId="im" raw={f.initialMarginUsd} sub={`${pct(f.initialMarginRatio ?? null)} of equity`} />
          <Card label="maintenance margin" value={usd(f.maintenanceMarginUsd)} testId="mm" raw={f.maintenanceMarginUsd} sub={inCoins(doc, "maintenanceMargin")} />
          <Card label="available funds" value={usd(f.availableFundsUsd)} testId="available" raw={f.availableFundsUsd} sub="equity − initial margin" />
        </div>
        <Gauge ratio={f.maintenanceRatio} thresholds={thresholds} state={state} />
      </div>

      <Section title="Risk matrix" id="matrix">
        {scen.error !== undefined && <ErrorBox error={scen.error} what="scenarios" />}
        {scen.data === undefined && scen.error === undefined && <Loading what="the risk matrix" />}
        {scen.data?.buckets.map((b) => (
          <Heatmap key={b.bucket} bucket={b} priceUsd={doc.inCurrency[b.currency]?.priceUsd} />
        ))}
        {scen.data !== undefined && scen.data.buckets.length === 0 && <p class="muted">No risk-matrix bucket (no position).</p>}
      </Section>

      <Section title="Contribution to the worst loss" id="contribution">
        <Contributions a={a} />
      </Section>

      <Section title="Greeks per underlying and expiry" id="greeks">
        {greeks.error !== undefined && <ErrorBox error={greeks.error} what="Greeks" />}
        {greeks.data !== undefined && <GreeksTable g={greeks.data} />}
      </Section>

      <Section title="Distance to liquidation" id="distance">
        {distance.error !== undefined && <ErrorBox error={distance.error} what="distance" />}
        {distance.data !== undefined && <DistanceTable d={distance.data.distanceToLiquidation} />}
        <ShockCurves id={id} underlyings={Object.keys(distance.data?.distanceToLiquidation.underlyings ?? {})} version={version ?? 0} marketId={marketId ?? ""} thresholds={thresholds} />
      </Section>

      <Section title="Margin, MM and equity over time" id="history">
        {history.error !== undefined && <ErrorBox error={history.error} what="history" />}
        {history.data !== undefined && <HistoryCharts h={history.data} thresholds={thresholds} />}
      </Section>

      <Section title="Positions and collateral" id="positions">
        <Positions a={a} />
      </Section>

      <Section title="Events" id="account-events">
        <AccountEvents id={id} me={me} live={live} history={history.data} />
      </Section>
    </div>
  );
}

function inCoins(doc: AccountAnswer["figures"], key: "equity" | "maintenanceMargin"): string | undefined {
  const parts = Object.entries(doc.inCurrency)
    .filter(([c]) => !/^USD/.test(c))
    .map(([c, v]) => coin(v[key], c));
  return parts.length > 0 ? `= ${parts.join(" = ")}` : undefined;
}

function Contributions({ a }: { a: AccountAnswer }) {
  const buckets = Object.entries(a.figures.margin.byCurrency ?? {}).filter(([, b]) => (b.contributions?.length ?? 0) > 0);
  if (buckets.length === 0) return <p class="muted">This model reports no per-position contribution.</p>;
  return (
    <>
      {buckets.map(([key, b]) => {
        const rows = [...(b.contributions ?? [])].sort((x, y) => x.pnl - y.pnl);
        const maxAbs = rows.reduce((m, r) => Math.max(m, Math.abs(r.pnl)), 1e-300);
        return (
          <div key={key} class="scroll">
            <table data-testid="contributions" data-bucket={key}>
              <caption>
                {key}: P&amp;L of each position in the worst scenario {b.worstScenario !== null && b.worstScenario !== undefined ? `(${move(b.worstScenario.priceMove)} price, vol ${b.worstScenario.volMove})` : ""}, in {b.currency}; the largest losses drive the margin
              </caption>
              <thead>
                <tr>
                  <th scope="col">position</th>
                  <th scope="col" class="num">
                    size (coin)
                  </th>
                  <th scope="col" class="num">
                    P&amp;L ({b.currency})
                  </th>
                  <th scope="col" class="bar-col">
                    <span class="sr-only">bar</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.instrument}>
                    <td>{r.instrument}</td>
                    <td class="num">{num(r.sizeCoin)}</td>
                    <td class="num">{coin(r.pnl, b.currency)}</td>
                    <td class="bar-col">
                      <span class={`bar ${r.pnl < 0 ? "loss" : "gain"}`} style={{ width: `${(Math.abs(r.pnl) / maxAbs) * 100}%` }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {b.components !== undefined && (
              <p class="note">
                components ({b.currency}):{" "}
                {Object.entries(b.components)
                  .filter(([, v]) => v !== 0)
                  .map(([k, v]) => `${k} ${num(v)}`)
                  .join(", ") || "all zero"}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}

function GreeksTable({ g }: { g: GreeksAnswer }) {
  const [unit, setUnit] = useState<"coin" | "usd">("usd");
  const cols =
    unit === "usd"
      ? ([
          ["deltaUsd", "delta (USD)"],
          ["gammaUsdPerPercent", "gamma (USD of delta per 1 % move)"],
          ["vegaUsd", "vega (USD per vol point)"],
          ["thetaUsd", "theta (USD per day)"],
        ] as const)
      : ([
          ["deltaCoin", "delta (coin)"],
          ["gammaCoinPerUsd", "gamma (coin per USD)"],
          ["vegaCoin", "vega (coin per vol point)"],
          ["thetaCoin", "theta (coin per day)"],
        ] as const);
  const fmt = (x: number): string => (unit === "usd" ? usd(x, false) : num(x));
  return (
    <>
      <Toggle
        label="Greeks unit"
        value={unit}
        onChange={setUnit}
        options={[
          { value: "usd", label: "USD" },
          { value: "coin", label: "coin" },
        ]}
      />
      <div class="scroll">
        <table data-testid="greeks" data-unit={unit}>
          <thead>
            <tr>
              <th scope="col">underlying</th>
              <th scope="col">expiry</th>
              {cols.map(([k, l]) => (
                <th key={k} scope="col" class="num">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {g.lines.map((l) => (
              <tr key={`${l.underlying}-${l.expiry}`}>
                <td>{l.underlying}</td>
                <td>{l.expiry}</td>
                {cols.map(([k]) => (
                  <td key={k} class="num">
                    {fmt(l[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            {Object.entries(g.byUnderlying).map(([u, t]) => (
              <tr key={u}>
                <th scope="row">{u}</th>
                <th scope="row">total</th>
                {cols.map(([k]) => (
                  <td key={k} class="num">
                    {fmt(t[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tfoot>
        </table>
      </div>
    </>
  );
}

export function DistanceTable({ d }: { d: Distance }) {
  const dir = (r: DirectionResult, side: -1 | 1): string =>
    r.liquidation === null ? `none within ${move(side * r.searchedToDecimal)}` : `${move(r.liquidation.moveDecimal, 1)} (MM ${usd(r.liquidation.maintenanceMarginUsd)} ≥ equity ${usd(r.liquidation.equityUsd)})`;
  return (
    <div class="scroll">
      {d.alreadyLiquidatable && (
        <p class="error" role="status">
          Already liquidatable: MM ≥ liquidation threshold × equity at today's prices.
        </p>
      )}
      <table data-testid="distance">
        <thead>
          <tr>
            <th scope="col">move of</th>
            <th scope="col" class="num">
              index (USD)
            </th>
            <th scope="col">down to liquidation</th>
            <th scope="col">up to liquidation</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(d.underlyings).map(([u, x]) => (
            <tr key={u}>
              <th scope="row">{u} alone</th>
              <td class="num">{usd(x.indexUsd, false)}</td>
              <td>{dir(x.down, -1)}</td>
              <td>{dir(x.up, 1)}</td>
            </tr>
          ))}
          {d.together !== undefined && Object.keys(d.underlyings).length > 1 && (
            <tr>
              <th scope="row">all together (β {Object.entries(d.together.betas).map(([u, b]) => `${u} ${num(b)}`).join(", ")})</th>
              <td />
              <td>{dir(d.together.down, -1)}</td>
              <td>{dir(d.together.up, 1)}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function ShockCurves({ id, underlyings, version, marketId, thresholds }: { id: string; underlyings: readonly string[]; version: number; marketId: string; thresholds: Thresholds }) {
  const [u, setU] = useState<string | null>(null);
  const chosen = u ?? underlyings[0] ?? null;
  const curve = useAsync(() => (chosen === null ? Promise.resolve(null) : get<ShockCurve>(`/v1/accounts/${enc(id)}/shock-curve?underlying=${enc(chosen)}&steps=40`)), [id, chosen, version, marketId]);
  const c = curve.data;
  const options = useMemo(() => {
    const breach = c?.breach;
    return {
      height: 280,
      scales: { x: { time: false } },
      axes: [{ label: `${chosen ?? ""} price move (%)`, values: (_u: unknown, v: number[]) => v.map((x) => `${Math.round(x)}%`) }, { label: "USD", size: 80, values: (_u: unknown, v: number[]) => v.map((x) => compactAxis(x)) }],
      series: [
        { label: "move %" },
        { label: "equity (USD)", stroke: COLORS.equity, width: 2 },
        { label: "maintenance margin (USD)", stroke: COLORS.mm, width: 2 },
        ...(thresholds.liquidationRatio !== 1 ? [{ label: `MM ÷ liquidation ratio ${pct(thresholds.liquidationRatio, 0)} (USD)`, stroke: COLORS.liquidation, width: 1, dash: [4, 4] }] : []),
      ],
      plugins: [
        markersPlugin(() =>
          [breach?.down, breach?.up].flatMap((p) => (p === null || p === undefined ? [] : [{ x: p.moveDecimal * 100, label: `breach ${move(p.moveDecimal, 1)}`, color: COLORS.liquidation }])),
        ),
      ],
    };
  }, [c, chosen, thresholds.liquidationRatio]);
  const data = useMemo(
    () => (c === null || c === undefined ? null : ([c.points.map((p) => p.moveDecimal * 100), c.points.map((p) => p.equityUsd), c.points.map((p) => p.maintenanceMarginUsd), ...(thresholds.liquidationRatio !== 1 ? [c.points.map((p) => p.maintenanceMarginUsd / thresholds.liquidationRatio)] : [])] as [number[], ...number[][]])),
    [c, thresholds.liquidationRatio],
  );
  if (underlyings.length === 0) return null;
  return (
    <div class="shock">
      <h3>
        MM against a price shock of{" "}
        {underlyings.length > 1 ? (
          <select aria-label="underlying" value={chosen ?? ""} onChange={(e) => setU((e.target as HTMLSelectElement).value)}>
            {underlyings.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        ) : (
          chosen
        )}
      </h3>
      {curve.error !== undefined && <ErrorBox error={curve.error} what="shock curve" />}
      {data !== null && <Chart options={options} data={data} label={`equity and maintenance margin against a ${chosen} price move; breach ${c?.breach.down !== null ? move(c?.breach.down?.moveDecimal, 1) : "none"} down, ${c?.breach.up !== null ? move(c?.breach.up?.moveDecimal, 1) : "none"} up`} testId="shock-chart" />}
      {c !== null && c !== undefined && (
        <p class="note" data-testid="breach">
          Breach (MM ≥ {pct(thresholds.liquidationRatio, 0)} × equity): down {c.breach.down === null ? "none to −50 %" : `${move(c.breach.down.moveDecimal, 2)} (${chosen} at ${usd(c.breach.down.indexUsd)})`}; up {c.breach.up === null ? "none to +50 %" : `${move(c.breach.up.moveDecimal, 2)} (${chosen} at ${usd(c.breach.up.indexUsd)})`}.
        </p>
      )}
    </div>
  );
}

export function compactAxis(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(1)}bn`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(0)}k`;
  return x.toFixed(0);
}

function HistoryCharts({ h, thresholds }: { h: History; thresholds: Thresholds }) {
  const pts = h.points.filter((p) => p.figures !== undefined);
  const markers = useMemo(() => {
    const out: { x: number; label: string; color: string }[] = [];
    let prev: string | undefined;
    for (const p of pts) {
      const v = p.parameterSet !== undefined ? `${p.parameterSet.name} ${p.parameterSet.version}` : undefined;
      if (v !== undefined && v !== prev) out.push({ x: Date.parse(p.at) / 1000, label: v, color: COLORS.param });
      prev = v;
    }
    return out;
  }, [h]);
  const usdOptions = useMemo(
    () => ({
      height: 240,
      axes: [{}, { size: 80, values: (_u: unknown, v: number[]) => v.map(compactAxis) }],
      series: [{}, { label: "equity (USD)", stroke: COLORS.equity, width: 2, points: { show: true } }, { label: "initial margin (USD)", stroke: COLORS.im, width: 2, points: { show: true } }, { label: "maintenance margin (USD)", stroke: COLORS.mm, width: 2, points: { show: true } }],
      plugins: [markersPlugin(() => markers)],
    }),
    [markers],
  );
  const ratioOptions = useMemo(
    () => ({
      height: 200,
      scales: { y: { range: (_u: unknown, _lo: number, hi: number): [number, number] => [0, Math.max(hi, thresholds.liquidationRatio * 115)] } },
      axes: [{}, { size: 60, values: (_u: unknown, v: number[]) => v.map((x) => `${Math.round(x)}%`) }],
      series: [{}, { label: "MM / equity (%)", stroke: COLORS.ratio, width: 2, points: { show: true } }],
      plugins: [
        markersPlugin(() => markers),
        levelsPlugin(() => [
          { y: thresholds.warningRatio * 100, label: "warning", color: COLORS.warning },
          { y: thresholds.marginCallRatio * 100, label: "margin call", color: COLORS.marginCall },
          { y: thresholds.liquidationRatio * 100, label: "liquidation", color: COLORS.liquidation },
        ]),
      ],
    }),
    [markers, thresholds],
  );
  if (pts.length === 0) return <p class="muted">No point yet: the audit log has no market and account document for this account.</p>;
  const xs = pts.map((p) => Date.parse(p.at) / 1000);
  const usdData = [xs, pts.map((p) => p.figures?.equityUsd ?? null), pts.map((p) => p.figures?.initialMarginUsd ?? null), pts.map((p) => p.figures?.maintenanceMarginUsd ?? null)] as unknown as [number[], number[], number[], number[]];
  const ratioData = [xs, pts.map((p) => (p.figures?.maintenanceRatio === null || p.figures?.maintenanceRatio === undefined ? null : p.figures.maintenanceRatio * 100))] as unknown as [number[], number[]];
  return (
    <>
      <p class="note">
        {pts.length} point{pts.length === 1 ? "" : "s"}: one at every change of the account's inputs in the audit log (account versions, fills, market snapshots, parameter versions), recomputed as the service computed them then
        {h.truncated ? " (the latest 500)" : ""}.{pts.length === 1 ? " The inputs have not changed since the account was created." : ""}
      </p>
      <Chart options={usdOptions} data={usdData} label="equity, initial and maintenance margin over time" testId="history-usd" />
      <Chart options={ratioOptions} data={ratioData} label="maintenance ratio over time with the warning, margin call and liquidation thresholds" testId="history-ratio" />
      {h.points.some((p) => p.error !== undefined) && <p class="note">{h.points.filter((p) => p.error !== undefined).length} point(s) could not be recomputed (e.g. an instrument had expired on that market).</p>}
    </>
  );
}

function Positions({ a }: { a: AccountAnswer }) {
  const d = a.figures;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">instrument</th>
            <th scope="col" class="num">
              size (coin)
            </th>
            <th scope="col" class="num">
              mark
            </th>
            <th scope="col" class="num">
              value
            </th>
            <th scope="col" class="num">
              value (USD)
            </th>
          </tr>
        </thead>
        <tbody>
          {d.positions.map((p) => (
            <tr key={p.instrument}>
              <td>{p.instrument}</td>
              <td class="num">{num(p.sizeCoin)}</td>
              <td class="num">{num(p.markPrice)}</td>
              <td class="num">{coin(p.value, p.currency)}</td>
              <td class="num">{usd(p.valueUsd)}</td>
            </tr>
          ))}
          {d.collateral.map((c) => (
            <tr key={`c-${c.currency}`}>
              <td>
                {c.currency} balance <span class="muted">({c.treatment})</span>
              </td>
              <td class="num">{num(c.amount)}</td>
              <td class="num">{usd(c.priceUsd, false)}</td>
              <td class="num">{coin(c.amount, c.currency)}</td>
              <td class="num">{usd(c.valueUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(d.notes ?? []).length > 0 && (
        <ul class="notes">
          {(d.notes ?? []).map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AccountEvents({ id, me, live, history }: { id: string; me: Whoami; live: readonly LiveEvent[]; history: History | undefined }) {
  const audit = useAsync(() => (me.role === "admin" || me.role === "risk" ? get<{ entries: AuditEntry[] }>(`/v1/audit?account=${enc(id)}&limit=1000`) : Promise.resolve(null)), [id, live.length]);
  const changes = useMemo(() => {
    const out: { at: string; text: string }[] = [];
    let prev: string | undefined;
    for (const p of history?.points ?? []) {
      if (p.state !== undefined && prev !== undefined && p.state !== prev) out.push({ at: p.at, text: `${STATE_LABEL[prev] ?? prev} → ${STATE_LABEL[p.state] ?? p.state} after ${p.cause}` });
      if (p.state !== undefined) prev = p.state;
    }
    return out.reverse();
  }, [history]);
  const writes = (audit.data?.entries ?? []).filter((e) => !e.action.endsWith(".read")).reverse();
  const reads = (audit.data?.entries ?? []).filter((e) => e.action.endsWith(".read")).length;
  return (
    <>
      {live.length > 0 && (
        <>
          <h3>Live (since the page opened)</h3>
          <EventList events={live} />
        </>
      )}
      <h3>Health changes (from the history)</h3>
      {changes.length === 0 ? (
        <p class="muted">No change of health state in the recorded history.</p>
      ) : (
        <ol class="events">
          {changes.map((c) => (
            <li key={c.at}>
              <span class="muted">{time(c.at)}</span> {c.text}
            </li>
          ))}
        </ol>
      )}
      <h3>Writes (audit log)</h3>
      {audit.error !== undefined && !(audit.error instanceof ApiError && audit.error.status === 403) && <ErrorBox error={audit.error} what="audit" />}
      {audit.data === null && <p class="muted">The audit log needs a risk or admin key.</p>}
      {audit.data !== null && audit.data !== undefined && (
        <>
          <ol class="events" data-testid="audit-events">
            {writes.map((e) => (
              <li key={e.seq}>
                <span class="muted">{time(e.at)}</span> <code>{e.action}</code> version {e.accountVersion ?? "—"} by {e.actor}
                {e.action === "fills.apply" && Array.isArray(e.detail.fills) ? `: ${(e.detail.fills as { instrument?: string; size?: unknown }[]).map((x) => `${x.instrument ?? ""} ${String(x.size ?? "")}`).join(", ")}` : ""}
              </li>
            ))}
          </ol>
          <p class="note">{reads} served figure(s) of this account are recorded in the audit log with what they were computed from.</p>
        </>
      )}
    </>
  );
}
