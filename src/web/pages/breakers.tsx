/**
 * Breakers and replay: circuit-breaker rules and state per underlying with their history (GET /v1/breakers and the
 * `breaker` events of the stream, when the server runs the live engine), and the timeline of a replay or a stress
 * run loaded from a file in the browser (`netrisk replay --json` or `netrisk cascade --json` output: JSON lines;
 * nothing is uploaded): accounts per health state over time, breaker trips, the events, and the summary line.
 * @module
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { get } from "../api";
import type { Whoami } from "../api";
import { Chart, COLORS, markersPlugin } from "../chart";
import { HEALTH_STATES, num, STATE_LABEL, time } from "../format";
import { capabilities, subscribe } from "../live";
import type { LiveEvent } from "../live";
import { ErrorBox, Section, useAsync } from "../ui";
import { EventList } from "../events";

export interface BreakerUnderlying {
  readonly underlying: string;
  readonly state: string;
  readonly rule?: string | null;
  readonly reason?: string | null;
  readonly since?: string | null;
  readonly actions?: readonly string[];
}
export interface BreakersAnswer {
  readonly underlyings: readonly BreakerUnderlying[];
  readonly rules?: { readonly name: string; readonly version: string; readonly rules?: readonly Record<string, unknown>[] };
}

/** GET /v1/breakers when the server has it (else no data and no error). */
export function useBreakers() {
  return useAsync(async () => ((await capabilities()).has("/v1/breakers") ? get<BreakersAnswer>("/v1/breakers") : undefined), []);
}

export function BreakerTable({ data }: { data: BreakersAnswer }) {
  if (data.underlyings.length === 0) return <p class="muted">No underlying under watch.</p>;
  return (
    <div class="scroll">
      <table data-testid="breakers">
        <thead>
          <tr>
            <th scope="col">underlying</th>
            <th scope="col">state</th>
            <th scope="col">rule that tripped</th>
            <th scope="col">since</th>
            <th scope="col">actions in force</th>
          </tr>
        </thead>
        <tbody>
          {data.underlyings.map((u) => (
            <tr key={u.underlying}>
              <th scope="row">{u.underlying}</th>
              <td>
                <span class={`badge b-${u.state}`}>{u.state.replace("_", " ")}</span>
              </td>
              <td>
                {u.rule ?? "—"}
                {u.reason !== undefined && u.reason !== null && <div class="muted">{u.reason}</div>}
              </td>
              <td>{time(u.since ?? null)}</td>
              <td>{u.actions !== undefined && u.actions.length > 0 ? u.actions.join(", ") : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BreakersPage({ me }: { me: Whoami }) {
  const breakers = useBreakers();
  const [hasLive, setHasLive] = useState<boolean | null>(null);
  const [history, setHistory] = useState<LiveEvent[]>([]);
  useEffect(() => {
    void capabilities().then((c) => setHasLive(c.has("/v1/breakers")));
    const sub = subscribe(
      { types: ["breaker"] },
      (e) => {
        setHistory((h) => [e, ...h].slice(0, 200));
        breakers.reload();
      },
      () => undefined,
    );
    return () => sub.close();
  }, []);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Circuit breakers, replay and stress timelines</h1>
      </div>
      <Section title="Circuit breakers per underlying" id="breaker-state">
        {hasLive === false && <p class="muted">This server runs no live engine, so there are no circuit breakers to show (docs/live.md). A replay's breakers show below when its file is loaded.</p>}
        {breakers.error !== undefined && <ErrorBox error={breakers.error} what="breakers" />}
        {breakers.data !== undefined && <BreakerTable data={breakers.data} />}
        {breakers.data?.rules !== undefined && (
          <details>
            <summary>
              rules {breakers.data.rules.name} {breakers.data.rules.version}
            </summary>
            <pre class="json">{JSON.stringify(breakers.data.rules, null, 2)}</pre>
          </details>
        )}
        {hasLive === true && (
          <>
            <h3>Breaker history (since the page opened)</h3>
            {history.length === 0 ? <p class="muted">No breaker event yet.</p> : <EventList events={history} />}
          </>
        )}
        {me.role !== "admin" && hasLive === true && <p class="note">A manual reset needs an admin key.</p>}
      </Section>
      <TimelineLoader />
    </div>
  );
}

/** One parsed timeline file: events in order, and the summary line. */
export interface Timeline {
  readonly name: string;
  readonly lines: readonly LiveEvent[];
  readonly summary: Record<string, unknown> | null;
  readonly unreadable: number;
}

export function parseTimeline(name: string, text: string): Timeline {
  const lines: LiveEvent[] = [];
  let summary: Record<string, unknown> | null = null;
  let unreadable = 0;
  // A whole-file JSON document: a summary (replay's summary.json) or an array of lines.
  try {
    const whole = JSON.parse(text) as unknown;
    if (Array.isArray(whole)) return parseTimeline(name, whole.map((x) => JSON.stringify(x)).join("\n"));
    if (whole !== null && typeof whole === "object") {
      const o = whole as Record<string, unknown>;
      if (o.type === "summary") return { name, lines: [], summary: o, unreadable: 0 };
      if (o.summary !== null && typeof o.summary === "object") return { name, lines: [], summary: o.summary as Record<string, unknown>, unreadable: 0 };
    }
  } catch {
    /* JSON lines: read line by line below */
  }
  for (const raw of text.split("\n")) {
    const t = raw.trim();
    if (t === "") continue;
    try {
      const o = JSON.parse(t) as Record<string, unknown>;
      if (o.type === "summary" || (o.summary !== undefined && typeof o.summary === "object")) summary = (o.type === "summary" ? o : o.summary) as Record<string, unknown>;
      else if (typeof o.type === "string") lines.push(o as LiveEvent);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { name, lines, summary, unreadable };
}

function TimelineLoader() {
  const [tl, setTl] = useState<Timeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Section title="Replay or stress timeline" id="timeline">
      <p>
        Load the JSON lines of <code>netrisk replay --json</code> (docs/live.md) or <code>netrisk cascade --json</code> (docs/cascade.md), or an events file with its summary file (select both). Files are read in this browser; nothing is sent.
      </p>
      <label class="file">
        timeline file{" "}
        <input
          type="file"
          accept=".jsonl,.json,.ndjson,.txt,application/json"
          multiple
          data-testid="timeline-file"
          onChange={async (e) => {
            const files = [...((e.target as HTMLInputElement).files ?? [])];
            if (files.length === 0) return;
            try {
              const parts = await Promise.all(files.map(async (f) => parseTimeline(f.name, await f.text())));
              const t: Timeline = { name: files.map((f) => f.name).join(" + "), lines: parts.flatMap((p) => p.lines), summary: parts.find((p) => p.summary !== null)?.summary ?? null, unreadable: parts.reduce((n, p) => n + p.unreadable, 0) };
              if (t.lines.length === 0 && t.summary === null) setError(`${t.name}: no event line and no summary line (${t.unreadable} unreadable)`);
              else {
                setError(null);
                setTl(t);
              }
            } catch (err) {
              setError(String(err));
            }
          }}
        />
      </label>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {tl !== null && <TimelineView tl={tl} />}
    </Section>
  );
}

/** Accounts per health state after each input, from the `health_changed` lines (and the states at start). */
export function stateCounts(tl: Timeline): { seqs: number[]; counts: Record<string, number[]>; trips: { seq: number; label: string }[] } {
  const start = (tl.summary?.statesAtStart as Record<string, number> | undefined) ?? {};
  const current: Record<string, number> = Object.fromEntries(HEALTH_STATES.map((h) => [h, start[h] ?? 0]));
  const seqs: number[] = [];
  const counts: Record<string, number[]> = Object.fromEntries(HEALTH_STATES.map((h) => [h, []]));
  const trips: { seq: number; label: string }[] = [];
  const push = (seq: number): void => {
    if (seqs[seqs.length - 1] === seq) {
      for (const h of HEALTH_STATES) (counts[h] as number[])[seqs.length - 1] = current[h] ?? 0;
      return;
    }
    seqs.push(seq);
    for (const h of HEALTH_STATES) (counts[h] as number[]).push(current[h] ?? 0);
  };
  let first = true;
  for (const e of tl.lines) {
    const seq = typeof e.seq === "number" ? e.seq : typeof e.round === "number" ? (e.round as number) : seqs.length;
    if (first) {
      push(seq - 1);
      first = false;
    }
    if (e.type === "health_changed") {
      const from = String(e.from);
      const to = String(e.to);
      current[from] = (current[from] ?? 0) - 1;
      current[to] = (current[to] ?? 0) + 1;
    }
    if (e.type === "breaker" && e.kind === "trip") trips.push({ seq, label: `${String(e.underlying)} ${String(e.to)}` });
    push(seq);
  }
  return { seqs, counts, trips };
}

const STATE_COLORS: Readonly<Record<string, string>> = { healthy: "#2da44e", warning: "#d4a72c", margin_call: "#e16f24", liquidation: "#cf222e", bankrupt: "#6e40c9" };

/** A cascade's rounds (`netrisk cascade --json` lines of type "round", docs/cascade.md). */
interface Round {
  readonly type: "round";
  readonly round: number;
  readonly indexUsd?: Readonly<Record<string, number>>;
  readonly liquidatedAccounts?: number;
  readonly bankruptAccounts?: number;
  readonly liquidatedNotionalUsd?: number;
  readonly shortfallUsd?: number;
  readonly insuranceFundDrawUsd?: number;
  readonly adlUsd?: number;
  readonly socializedUsd?: number;
  readonly insuranceFundBalanceUsd?: number;
}

export function CascadeView({ rounds }: { rounds: readonly Round[] }) {
  const options = useMemo(
    () => ({
      height: 260,
      scales: { x: { time: false }, n: {} },
      axes: [{ label: "round" }, { label: "USD", size: 80, values: (_u: unknown, v: number[]) => v.map((x) => compactUsd(x)) }, { side: 1, scale: "n", label: "accounts", grid: { show: false } }],
      series: [
        { label: "round" },
        { label: "insurance fund (USD)", stroke: COLORS.equity, width: 2 },
        { label: "shortfall this round (USD)", stroke: COLORS.liquidation, width: 2 },
        { label: "accounts liquidated (cumulative)", stroke: COLORS.marginCall, width: 2, scale: "n" },
      ],
    }),
    [],
  );
  const data = useMemo(() => {
    let cum = 0;
    return [rounds.map((r) => r.round), rounds.map((r) => r.insuranceFundBalanceUsd ?? null), rounds.map((r) => r.shortfallUsd ?? 0), rounds.map((r) => (cum += r.liquidatedAccounts ?? 0))] as unknown as [number[], ...number[][]];
  }, [rounds]);
  const bases = [...new Set(rounds.flatMap((r) => Object.keys(r.indexUsd ?? {})))];
  return (
    <>
      <Chart options={options} data={data} label="insurance fund balance, shortfall and liquidated accounts per round" testId="cascade-chart" />
      <div class="scroll">
        <table data-testid="cascade-rounds">
          <thead>
            <tr>
              <th scope="col" class="num">round</th>
              {bases.map((b) => (
                <th key={b} scope="col" class="num">{b} index (USD)</th>
              ))}
              <th scope="col" class="num">liquidated</th>
              <th scope="col" class="num">notional (USD)</th>
              <th scope="col" class="num">bankrupt</th>
              <th scope="col" class="num">shortfall (USD)</th>
              <th scope="col" class="num">fund draw (USD)</th>
              <th scope="col" class="num">ADL (USD)</th>
              <th scope="col" class="num">socialised (USD)</th>
              <th scope="col" class="num">fund after (USD)</th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.round}>
                <td class="num">{r.round}</td>
                {bases.map((b) => (
                  <td key={b} class="num">{num(r.indexUsd?.[b] ?? null)}</td>
                ))}
                <td class="num">{r.liquidatedAccounts ?? 0}</td>
                <td class="num">{compactUsd(r.liquidatedNotionalUsd ?? 0)}</td>
                <td class="num">{r.bankruptAccounts ?? 0}</td>
                <td class="num">{compactUsd(r.shortfallUsd ?? 0)}</td>
                <td class="num">{compactUsd(r.insuranceFundDrawUsd ?? 0)}</td>
                <td class="num">{compactUsd(r.adlUsd ?? 0)}</td>
                <td class="num">{compactUsd(r.socializedUsd ?? 0)}</td>
                <td class="num">{compactUsd(r.insuranceFundBalanceUsd ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const compactUsd = (x: number | null): string => (x === null ? "—" : Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : Math.abs(x) >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(2));

function TimelineView({ tl }: { tl: Timeline }) {
  const rounds = useMemo(() => tl.lines.filter((l): l is LiveEvent & Round => l.type === "round" && typeof l.round === "number") as unknown as Round[], [tl]);
  const { seqs, counts, trips } = useMemo(() => stateCounts({ ...tl, lines: tl.lines.filter((l) => l.type !== "round") }), [tl]);
  const [filter, setFilter] = useState("");
  const options = useMemo(
    () => ({
      height: 260,
      scales: { x: { time: false } },
      axes: [{ label: "input (seq)" }, { label: "accounts" }],
      series: [{ label: "seq" }, ...HEALTH_STATES.map((h) => ({ label: STATE_LABEL[h] ?? h, stroke: STATE_COLORS[h], width: 2 }))],
      plugins: [markersPlugin(() => trips.map((t) => ({ x: t.seq, label: t.label, color: COLORS.liquidation })))],
    }),
    [trips],
  );
  const data = useMemo(() => [seqs, ...HEALTH_STATES.map((h) => counts[h] ?? [])] as [number[], ...number[][]], [seqs, counts]);
  const byType = useMemo(() => {
    const m: Record<string, number> = {};
    for (const e of tl.lines) m[e.type] = (m[e.type] ?? 0) + 1;
    return m;
  }, [tl]);
  const shown = tl.lines.filter((e) => filter === "" || e.type === filter || e.account === filter).slice(0, 300);
  return (
    <div data-testid="timeline">
      <h3>{tl.name}</h3>
      <p>
        {tl.lines.length} lines{tl.unreadable > 0 ? `, ${tl.unreadable} unreadable` : ""}:{" "}
        {Object.entries(byType)
          .map(([t, n]) => `${n} ${t}`)
          .join(", ")}
      </p>
      {rounds.length > 0 && <CascadeView rounds={rounds} />}
      {seqs.length > 1 && <Chart options={options} data={data} label="accounts per health state after each input, breaker trips marked" testId="timeline-chart" />}
      {seqs.length > 0 && rounds.length === 0 && (
        <div class="scroll">
          <table class="counts-small">
            <thead>
              <tr>
                <th scope="col">accounts</th>
                {HEALTH_STATES.map((h) => (
                  <th key={h} scope="col" class="num">
                    {STATE_LABEL[h]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">at the start</th>
                {HEALTH_STATES.map((h) => (
                  <td key={h} class="num">
                    {counts[h]?.[0] ?? 0}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">at the end (start + the health_changed lines)</th>
                {HEALTH_STATES.map((h) => (
                  <td key={h} class="num" data-testid={`timeline-end-${h}`}>
                    {counts[h]?.[counts[h].length - 1] ?? 0}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {tl.summary !== null && <SummaryTable summary={tl.summary} />}
      <label>
        show{" "}
        <select value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
          <option value="">every line</option>
          {Object.keys(byType).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <EventList events={shown} />
      {shown.length === 300 && <p class="note">First 300 lines shown.</p>}
    </div>
  );
}

function SummaryTable({ summary }: { summary: Record<string, unknown> }) {
  const rows = Object.entries(summary).filter(([k]) => k !== "type");
  return (
    <details open>
      <summary>summary</summary>
      <table class="kv">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{typeof v === "number" ? num(v) : Array.isArray(v) ? (v.length > 12 ? `${v.length} items: ${v.slice(0, 12).map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ")}, …` : v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ") || "—") : typeof v === "object" && v !== null ? <code>{JSON.stringify(v)}</code> : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
