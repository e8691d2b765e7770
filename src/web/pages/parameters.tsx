/**
 * Parameters: the stored parameter-set versions and the bundled presets (GET /v1/parameter-sets), a diff between two
 * versions of a set (GET /v1/parameter-sets/{name}/{version}, compared field by field here), and the change-impact
 * preview of a candidate version (POST /v1/parameter-sets/{name}/preview: every account on the set now and under the
 * candidate) as a table of the accounts that change state and a histogram of the IM change.
 * @module
 */
import { useMemo, useState } from "preact/hooks";
import { enc, get, post } from "../api";
import type { ParameterSetDoc, ParameterSetsAnswer, PreviewAccount, Whoami } from "../api";
import type uPlot from "uplot";
import { Chart, COLORS } from "../chart";
import { pct, STATE_LABEL, usd, usdChange } from "../format";
import { AccountLink, ErrorBox, HealthBadge, Loading, Section, useAsync } from "../ui";

interface Version {
  readonly name: string;
  readonly version: string;
  readonly effective: string;
  readonly model: string;
  readonly inForce: boolean;
  readonly bundled: boolean;
}

export function ParametersPage({ me }: { me: Whoami }) {
  const list = useAsync(() => get<ParameterSetsAnswer>("/v1/parameter-sets"), []);
  const versions: Version[] = useMemo(
    () => [...(list.data?.bundled ?? []).map((b) => ({ ...b, bundled: true })), ...(list.data?.sets ?? []).map((s) => ({ ...s, bundled: false }))].sort((a, b) => a.name.localeCompare(b.name) || a.effective.localeCompare(b.effective)),
    [list.data],
  );
  const names = [...new Set(versions.map((v) => v.name))];
  const [name, setName] = useState<string | null>(null);
  const set = name ?? (names.includes("deribit") ? "deribit" : (names[0] ?? null));
  const ofSet = versions.filter((v) => v.name === set);
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string | null>(null);
  const va = a !== null && ofSet.some((v) => v.version === a) ? a : (ofSet.find((v) => v.inForce)?.version ?? ofSet[0]?.version ?? null);
  const vb = b !== null && ofSet.some((v) => v.version === b) ? b : (ofSet.find((v) => v.version !== va && !v.bundled)?.version ?? ofSet[ofSet.length - 1]?.version ?? null);
  if (list.error !== undefined) return <ErrorBox error={list.error} what="parameter sets" />;
  if (list.data === undefined) return <Loading what="parameter sets" />;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Parameter sets</h1>
        <p class="note">Versioned, effective-dated, never changed once in force (docs/server.md). Today (UTC): {list.data.today}.</p>
      </div>
      <Section title="Versions" id="versions">
        <div class="scroll">
          <table data-testid="versions">
            <thead>
              <tr>
                <th scope="col">set</th>
                <th scope="col">version</th>
                <th scope="col">effective</th>
                <th scope="col">model</th>
                <th scope="col">status</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={`${v.name}/${v.version}/${v.bundled}`}>
                  <td>
                    <button type="button" class="link" onClick={() => setName(v.name)} aria-pressed={v.name === set}>
                      {v.name}
                    </button>
                  </td>
                  <td>{v.version}</td>
                  <td>{v.effective}</td>
                  <td>{v.model}</td>
                  <td>{[v.bundled ? "bundled preset" : "stored", v.inForce ? "in force" : v.effective > list.data!.today ? "scheduled" : ""].filter((x) => x !== "").join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      {set !== null && (
        <Section title={`Diff of ${set}`} id="diff">
          <div class="leg-form">
            <label>
              from
              <select value={va ?? ""} onChange={(e) => setA((e.target as HTMLSelectElement).value)} data-testid="diff-from">
                {ofSet.map((v) => (
                  <option key={`${v.version}${v.bundled}`} value={v.version}>
                    {v.version}
                    {v.bundled ? " (bundled)" : ""}
                  </option>
                ))}
              </select>
            </label>
            <label>
              to
              <select value={vb ?? ""} onChange={(e) => setB((e.target as HTMLSelectElement).value)} data-testid="diff-to">
                {ofSet.map((v) => (
                  <option key={`${v.version}${v.bundled}`} value={v.version}>
                    {v.version}
                    {v.bundled ? " (bundled)" : ""}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {va !== null && vb !== null && <Diff name={set} a={va} b={vb} />}
        </Section>
      )}
      {set !== null && (me.role === "admin" || me.role === "risk") && <Preview name={set} versions={ofSet.filter((v) => !v.bundled)} />}
    </div>
  );
}

/** Every leaf of a JSON document by its path (`rules.price_range`, `currency.BTC.vol_range_up`). */
export function flatten(v: unknown, path = "", out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) out.set(path, {});
    for (const [k, x] of entries) flatten(x, path === "" ? k : `${path}.${k}`, out);
  } else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === "object")) {
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else out.set(path, v);
  return out;
}

function Diff({ name, a, b }: { name: string; a: string; b: string }) {
  const docs = useAsync(() => Promise.all([get<ParameterSetDoc>(`/v1/parameter-sets/${enc(name)}/${enc(a)}`), get<ParameterSetDoc>(`/v1/parameter-sets/${enc(name)}/${enc(b)}`)]), [name, a, b]);
  if (docs.error !== undefined) return <ErrorBox error={docs.error} what="versions" />;
  if (docs.data === undefined) return <Loading what="the two versions" />;
  const [da, db] = docs.data;
  const fa = flatten(da.document);
  const fb = flatten(db.document);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const show = (x: unknown): string => (x === undefined ? "—" : JSON.stringify(x));
  const changed = keys.filter((k) => show(fa.get(k)) !== show(fb.get(k)));
  return (
    <>
      <p>
        {changed.length === 0 ? "The two versions are identical." : `${changed.length} field(s) differ`} ({keys.length} fields compared).
      </p>
      {changed.length > 0 && (
        <div class="scroll">
          <table data-testid="diff">
            <thead>
              <tr>
                <th scope="col">field</th>
                <th scope="col">{a}</th>
                <th scope="col">{b}</th>
              </tr>
            </thead>
            <tbody>
              {changed.map((k) => (
                <tr key={k} class={!fa.has(k) ? "added" : !fb.has(k) ? "removed" : "changed"}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td class="mono">{show(fa.get(k))}</td>
                  <td class="mono">{show(fb.get(k))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface PreviewAnswer {
  readonly set: string;
  readonly candidate: { version: string; model: string };
  readonly accounts: readonly PreviewAccount[];
  readonly enteringMarginCall: readonly string[];
  readonly enteringLiquidation: readonly string[];
  readonly totals: { now: { initialMarginUsd: number; maintenanceMarginUsd: number }; candidate: { initialMarginUsd: number; maintenanceMarginUsd: number } };
  readonly failed: readonly { id: string; code: string; message: string }[];
  readonly pinned: number;
  readonly elapsedMs: number;
}

function Preview({ name, versions }: { name: string; versions: readonly Version[] }) {
  const [candidate, setCandidate] = useState<string>("");
  const [res, setRes] = useState<{ data?: PreviewAnswer; error?: Error; busy?: boolean } | null>(null);
  const chosen = candidate !== "" ? candidate : (versions.find((v) => !v.inForce)?.version ?? versions[0]?.version ?? "");
  return (
    <Section title="Change-impact preview" id="preview">
      {versions.length === 0 ? (
        <p class="muted">No stored version of {name} to preview: store one with PUT /v1/parameter-sets/{name}/VERSION (or netrisk params).</p>
      ) : (
        <form
          class="leg-form"
          onSubmit={(e) => {
            e.preventDefault();
            setRes({ busy: true });
            post<PreviewAnswer>(`/v1/parameter-sets/${enc(name)}/preview`, { version: chosen }).then(
              (data) => setRes({ data }),
              (error: Error) => setRes({ error }),
            );
          }}
        >
          <label>
            candidate
            <select value={chosen} onChange={(e) => setCandidate((e.target as HTMLSelectElement).value)} data-testid="preview-version">
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version} (effective {v.effective})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" data-testid="preview-run">
            preview
          </button>
        </form>
      )}
      {res?.busy === true && <Loading what="the preview (every account on the set)" />}
      {res?.error !== undefined && <ErrorBox error={res.error} what="preview" />}
      {res?.data !== undefined && <PreviewView p={res.data} />}
    </Section>
  );
}

function PreviewView({ p }: { p: PreviewAnswer }) {
  const changed = p.accounts.filter((a) => a.now.state !== a.candidate.state).sort((x, y) => y.change.initialMarginUsd - x.change.initialMarginUsd);
  const rel = p.accounts.map((a) => (a.now.initialMarginUsd > 0 ? a.change.initialMarginUsd / a.now.initialMarginUsd : 0));
  const hist = useMemo(() => histogram(rel.map((r) => r * 100), 20), [p]);
  const options = useMemo(
    () => ({
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "IM change (%)", values: (_u: unknown, v: number[]) => v.map((x) => `${x.toFixed(1)}%`) }, { label: "accounts" }],
      series: [{}, { label: "accounts", stroke: COLORS.im, fill: "rgba(191,135,0,0.35)", width: 1, paths: barsPath }],
    }),
    [],
  );
  return (
    <div data-testid="preview">
      <p>
        {p.accounts.length} account(s) on {p.set}
        {p.pinned > 0 ? ` (${p.pinned} pinned to a version, not previewed)` : ""}: total IM {usd(p.totals.now.initialMarginUsd)} → {usd(p.totals.candidate.initialMarginUsd)} ({usdChange(p.totals.candidate.initialMarginUsd - p.totals.now.initialMarginUsd)}), MM {usd(p.totals.now.maintenanceMarginUsd)} → {usd(p.totals.candidate.maintenanceMarginUsd)}; {p.enteringMarginCall.length} would enter margin call, {p.enteringLiquidation.length} liquidation. Computed in {Math.round(p.elapsedMs)} ms.
      </p>
      {hist.x.length > 0 && <Chart options={options} data={[hist.x, hist.y]} label="histogram of the relative IM change per account" testId="preview-histogram" />}
      <h3>Accounts that would change state ({changed.length})</h3>
      {changed.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <div class="scroll">
          <table data-testid="preview-changes">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">now</th>
                <th scope="col">candidate</th>
                <th scope="col" class="num">
                  IM now
                </th>
                <th scope="col" class="num">
                  IM candidate
                </th>
                <th scope="col" class="num">
                  change
                </th>
              </tr>
            </thead>
            <tbody>
              {changed.map((a) => (
                <tr key={a.id}>
                  <td>
                    <AccountLink id={a.id} />
                  </td>
                  <td>
                    <HealthBadge state={a.now.state} />
                  </td>
                  <td>
                    <HealthBadge state={a.candidate.state} />
                  </td>
                  <td class="num">{usd(a.now.initialMarginUsd)}</td>
                  <td class="num">{usd(a.candidate.initialMarginUsd)}</td>
                  <td class="num">
                    {usdChange(a.change.initialMarginUsd)} ({pct(a.now.initialMarginUsd > 0 ? a.change.initialMarginUsd / a.now.initialMarginUsd : null, 1)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.failed.length > 0 && <p class="error">{p.failed.length} account(s) could not be evaluated: {p.failed.slice(0, 5).map((f) => `${f.id} (${f.code})`).join(", ")}</p>}
      <p class="note">States: {Object.values(STATE_LABEL).join(" → ")}.</p>
    </div>
  );
}

/** Equal-width bins over the values' range: bin centres and counts. */
export function histogram(values: readonly number[], bins: number): { x: number[]; y: number[] } {
  if (values.length === 0) return { x: [], y: [] };
  // A loop, not a spread of the list into Math.min: a long list on the call stack throws a RangeError.
  let lo = values.reduce((m, v) => Math.min(m, v), Infinity);
  let hi = values.reduce((m, v) => Math.max(m, v), -Infinity);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / bins;
  const y = new Array<number>(bins).fill(0);
  for (const v of values) {
    const k = Math.min(bins - 1, Math.floor((v - lo) / w));
    y[k] = (y[k] ?? 0) + 1;
  }
  return { x: y.map((_, i) => lo + (i + 0.5) * w), y };
}

/** uPlot bars path builder for the histogram (each bin a rectangle from 0 to its count). */
const barsPath: uPlot.Series.PathBuilder = (u, seriesIdx, idx0, idx1) => {
  const xs = u.data[0] as number[];
  const ys = u.data[seriesIdx] as (number | null)[];
  const stroke = new Path2D();
  const fill = new Path2D();
  const half = xs.length > 1 ? ((xs[1] as number) - (xs[0] as number)) / 2 : 0.5;
  for (let i = idx0; i <= idx1; i++) {
    const x0 = u.valToPos((xs[i] as number) - half * 0.9, "x", true);
    const x1 = u.valToPos((xs[i] as number) + half * 0.9, "x", true);
    const y0 = u.valToPos(0, "y", true);
    const y1 = u.valToPos(ys[i] ?? 0, "y", true);
    fill.rect(x0, y1, x1 - x0, y0 - y1);
    stroke.rect(x0, y1, x1 - x0, y0 - y1);
  }
  return { stroke, fill };
};
