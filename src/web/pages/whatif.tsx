/**
 * What-if / position builder: legs added or edited (instruments picked from the current market, GET /v1/market),
 * before/after IM, MM, equity, available funds, health, Greeks and distance to liquidation at once
 * (POST /v1/accounts/{id}/whatif with include greeks and distance), the maximum order of a chosen instrument
 * (POST .../max-order), and a shareable link that encodes the legs: `#/whatif/ID?legs=INSTRUMENT:SIZE[@PRICE],...`
 * (the CLI's --trade syntax). Nothing is traded: every route here is read-only.
 * @module
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { enc, get, post } from "../api";
import type { AccountAnswer, Distance, GreeksAnswer, MarketAnswer, WhatIf } from "../api";
import { coin, move, num, pct, usd, usdChange } from "../format";
import { ErrorBox, HealthBadge, Loading, Section, useAsync } from "../ui";

export interface Leg {
  readonly instrument: string;
  readonly size: number;
  readonly price?: number;
}

/** `BTC-PERPETUAL:1.5,BTC-27MAR26-80000-P:-2@0.02` ⇄ legs (the CLI's --trade syntax). */
export function parseLegs(text: string | null): Leg[] {
  if (text === null || text.trim() === "") return [];
  return text.split(",").flatMap((part) => {
    const m = /^([A-Za-z0-9_.-]+):([-+]?\d*\.?\d+(?:e[-+]?\d+)?)(?:@(\d*\.?\d+(?:e[-+]?\d+)?))?$/i.exec(part.trim());
    if (m === null) return [];
    const size = Number(m[2]);
    const price = m[3] !== undefined ? Number(m[3]) : undefined;
    return Number.isFinite(size) && size !== 0 ? [{ instrument: m[1] as string, size, ...(price !== undefined && Number.isFinite(price) ? { price } : {}) }] : [];
  });
}
export function formatLegs(legs: readonly Leg[]): string {
  return legs.map((l) => `${l.instrument}:${l.size}${l.price !== undefined ? `@${l.price}` : ""}`).join(",");
}

export function WhatIfPage({ id, params }: { id: string; params: URLSearchParams }) {
  const acct = useAsync(() => get<AccountAnswer>(`/v1/accounts/${enc(id)}`), [id]);
  const market = useAsync(() => get<MarketAnswer>("/v1/market"), []);
  const [legs, setLegs] = useState<Leg[]>(() => parseLegs(params.get("legs")));
  const [result, setResult] = useState<{ data?: WhatIf; error?: Error; forLegs: string } | null>(null);
  const instruments = useMemo(() => Object.keys(market.data?.market.instruments ?? {}).sort(), [market.data]);
  const shareHash = `#/whatif/${enc(id)}${legs.length > 0 ? `?legs=${enc(formatLegs(legs))}` : ""}`;

  // Keep the address bar's link equal to the legs (shareable at any moment), without a history entry per edit.
  useEffect(() => {
    if (location.hash !== shareHash) history.replaceState(null, "", shareHash);
  }, [shareHash]);
  // Recompute at once (debounced a little while typing).
  useEffect(() => {
    const key = formatLegs(legs);
    if (legs.length === 0) {
      setResult(null);
      return;
    }
    const t = setTimeout(() => {
      post<WhatIf>(`/v1/accounts/${enc(id)}/whatif`, { trades: legs.map((l) => ({ instrument: l.instrument, size: l.size, ...(l.price !== undefined ? { price: l.price } : {}) })), include: ["greeks", "distance"] }).then(
        (data) => setResult({ data, forLegs: key }),
        (error: Error) => setResult({ error, forLegs: key }),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [id, formatLegs(legs)]);

  if (acct.error !== undefined) return <ErrorBox error={acct.error} what={`account ${id}`} />;
  if (acct.data === undefined) return <Loading what={`account ${id}`} />;
  const doc = acct.data.figures;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          What-if for <a href={`#/account/${enc(id)}`}>{id}</a>
        </h1>
        <div class="page-meta">
          <span>
            {doc.model} · {doc.parameterSet.name} {doc.parameterSet.version} · market <code>{doc.market.ref}</code>
          </span>
        </div>
      </div>
      <Section title="Legs" id="legs">
        <LegEditor instruments={instruments} onAdd={(l) => setLegs((ls) => [...ls, l])} market={market.data} />
        {legs.length === 0 ? (
          <p class="muted">No leg yet: add one above, or close or change a position below.</p>
        ) : (
          <div class="scroll">
            <table data-testid="legs">
              <thead>
                <tr>
                  <th scope="col">instrument</th>
                  <th scope="col" class="num">
                    size (coin, + buy / − sell)
                  </th>
                  <th scope="col" class="num">
                    price (default mark)
                  </th>
                  <th scope="col">
                    <span class="sr-only">remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {legs.map((l, i) => (
                  <tr key={`${i}-${l.instrument}`}>
                    <td>{l.instrument}</td>
                    <td class="num">
                      <input
                        type="number"
                        step="any"
                        aria-label={`size of ${l.instrument}`}
                        value={l.size}
                        onChange={(e) => {
                          const v = Number((e.target as HTMLInputElement).value);
                          if (Number.isFinite(v) && v !== 0) setLegs((ls) => ls.map((x, k) => (k === i ? { ...x, size: v } : x)));
                        }}
                      />
                    </td>
                    <td class="num">
                      <input
                        type="number"
                        step="any"
                        aria-label={`price of ${l.instrument}`}
                        placeholder="mark"
                        value={l.price ?? ""}
                        onChange={(e) => {
                          const t = (e.target as HTMLInputElement).value;
                          const v = Number(t);
                          setLegs((ls) => ls.map((x, k) => (k === i ? (t === "" || !Number.isFinite(v) ? { instrument: x.instrument, size: x.size } : { ...x, price: v }) : x)));
                        }}
                      />
                    </td>
                    <td>
                      <button type="button" class="link" onClick={() => setLegs((ls) => ls.filter((_, k) => k !== i))}>
                        remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="share">
          Link to these legs:{" "}
          <a href={shareHash} data-testid="share-link">
            {location.origin}
            {location.pathname}
            {shareHash}
          </a>{" "}
          <button type="button" class="link" onClick={() => void navigator.clipboard?.writeText(`${location.origin}${location.pathname}${shareHash}`)}>
            copy
          </button>
          <span class="muted"> (the key is not in it)</span>
        </p>
      </Section>
      {result?.error !== undefined && <ErrorBox error={result.error} what="what-if" />}
      {result?.data !== undefined && <WhatIfResult w={result.data} />}
      <Section title="Current positions" id="current">
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">instrument</th>
                <th scope="col" class="num">
                  size (coin)
                </th>
                <th scope="col">
                  <span class="sr-only">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {doc.positions.map((p) => (
                <tr key={p.instrument}>
                  <td>{p.instrument}</td>
                  <td class="num">{num(p.sizeCoin)}</td>
                  <td>
                    <button type="button" class="link" onClick={() => setLegs((ls) => [...ls, { instrument: p.instrument, size: -p.sizeCoin }])}>
                      close
                    </button>{" "}
                    <button type="button" class="link" onClick={() => setLegs((ls) => [...ls, { instrument: p.instrument, size: -p.sizeCoin / 2 }])}>
                      halve
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <MaxOrder id={id} instruments={instruments} />
    </div>
  );
}

function LegEditor({ instruments, onAdd, market }: { instruments: readonly string[]; onAdd: (l: Leg) => void; market: MarketAnswer | undefined }) {
  const [inst, setInst] = useState("");
  const [size, setSize] = useState("");
  const [price, setPrice] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const mark = market?.market.instruments?.[inst]?.markPrice;
  return (
    <form
      class="leg-form"
      onSubmit={(e) => {
        e.preventDefault();
        const s = Number(size);
        const p = price.trim() === "" ? undefined : Number(price);
        if (!instruments.includes(inst)) return setProblem(`${inst === "" ? "pick an instrument" : `${inst} is not in the current market`}`);
        if (!Number.isFinite(s) || s === 0) return setProblem("size: a non-zero number of coins (negative sells)");
        if (p !== undefined && !(Number.isFinite(p) && p > 0)) return setProblem("price: a positive number, or empty for the mark");
        setProblem(null);
        onAdd({ instrument: inst, size: s, ...(p !== undefined ? { price: p } : {}) });
        setSize("");
        setPrice("");
      }}
    >
      <label>
        instrument
        <input list="instruments" value={inst} onInput={(e) => setInst((e.target as HTMLInputElement).value.trim())} placeholder="BTC-PERPETUAL" data-testid="leg-instrument" autocomplete="off" />
      </label>
      <datalist id="instruments">
        {instruments.map((i) => (
          <option key={i} value={i} />
        ))}
      </datalist>
      <label>
        size (coin)
        <input type="number" step="any" value={size} onInput={(e) => setSize((e.target as HTMLInputElement).value)} placeholder="1 or −1" data-testid="leg-size" />
      </label>
      <label>
        price
        <input type="number" step="any" value={price} onInput={(e) => setPrice((e.target as HTMLInputElement).value)} placeholder={mark !== undefined ? `mark ${num(mark)}` : "mark"} />
      </label>
      <button type="submit" data-testid="leg-add">
        add leg
      </button>
      {problem !== null && (
        <span class="error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

function WhatIfResult({ w }: { w: WhatIf }) {
  const rows = [
    ["equity", "equityUsd"],
    ["initial margin", "initialMarginUsd"],
    ["maintenance margin", "maintenanceMarginUsd"],
    ["available funds", "availableFundsUsd"],
  ] as const;
  return (
    <Section title="Before and after" id="result">
      <p class={w.accepted ? "ok" : "error"} data-testid="whatif-decision" role="status">
        {w.accepted ? "ACCEPTED" : "REJECTED"}: {w.reason}
      </p>
      <div class="scroll">
        <table data-testid="whatif-table">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col" class="num">
                before
              </th>
              <th scope="col" class="num">
                after
              </th>
              <th scope="col" class="num">
                change
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, k]) => (
              <tr key={k}>
                <th scope="row">{label} (USD)</th>
                <td class="num" data-testid={`whatif-${k}-before`} data-value={w.before.figures[k]}>
                  {usd(w.before.figures[k], false)}
                </td>
                <td class="num" data-testid={`whatif-${k}-after`} data-value={w.after.figures[k]}>
                  {usd(w.after.figures[k], false)}
                </td>
                <td class="num">{usdChange(w.change[k])}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">maintenance ratio</th>
              <td class="num">{pct(w.before.figures.maintenanceRatio)}</td>
              <td class="num">{pct(w.after.figures.maintenanceRatio)}</td>
              <td />
            </tr>
            <tr>
              <th scope="row">health</th>
              <td class="num">
                <HealthBadge state={w.before.state} />
              </td>
              <td class="num">
                <HealthBadge state={w.after.state} testId="whatif-state-after" />
              </td>
              <td />
            </tr>
          </tbody>
        </table>
      </div>
      <h3>Trades as priced</h3>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">instrument</th>
              <th scope="col" class="num">
                size (coin)
              </th>
              <th scope="col" class="num">
                price
              </th>
              <th scope="col">source</th>
              <th scope="col" class="num">
                mark
              </th>
              <th scope="col" class="num">
                cost (USD)
              </th>
            </tr>
          </thead>
          <tbody>
            {w.trades.map((t, i) => (
              <tr key={i}>
                <td>{t.instrument}</td>
                <td class="num">{num(t.sizeCoin)}</td>
                <td class="num">{num(t.price)}</td>
                <td>{t.priceSource}</td>
                <td class="num">{num(t.markPrice)}</td>
                <td class="num">{usd(t.costUsd, false)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {w.analysis !== undefined && <Analysis before={w.analysis.before} after={w.analysis.after} />}
    </Section>
  );
}

function Analysis({ before, after }: { before: { greeks?: GreeksAnswer; distanceToLiquidation?: Distance }; after: { greeks?: GreeksAnswer; distanceToLiquidation?: Distance } }) {
  const unders = [...new Set([...Object.keys(before.greeks?.byUnderlying ?? {}), ...Object.keys(after.greeks?.byUnderlying ?? {})])].sort();
  const greek = [
    ["deltaCoin", "delta (coin)", (x: number) => num(x)],
    ["deltaUsd", "delta (USD)", (x: number) => usd(x, false)],
    ["gammaUsdPerPercent", "gamma (USD per 1 %)", (x: number) => usd(x, false)],
    ["vegaUsd", "vega (USD per vol point)", (x: number) => usd(x, false)],
    ["thetaUsd", "theta (USD per day)", (x: number) => usd(x, false)],
  ] as const;
  const dist = (d: Distance | undefined, side: "down" | "up"): string => {
    const r = d?.together?.[side];
    if (d === undefined || r === undefined) return "—";
    if (d.alreadyLiquidatable) return "already liquidatable";
    return r.liquidation === null ? `none within ${move(side === "down" ? -r.searchedToDecimal : r.searchedToDecimal)}` : move(r.liquidation.moveDecimal, 1);
  };
  return (
    <>
      <h3>Greeks and distance to liquidation</h3>
      <div class="scroll">
        <table data-testid="whatif-greeks">
          <thead>
            <tr>
              <th scope="col">underlying</th>
              <th scope="col">Greek</th>
              <th scope="col" class="num">
                before
              </th>
              <th scope="col" class="num">
                after
              </th>
            </tr>
          </thead>
          <tbody>
            {unders.flatMap((u) =>
              greek.map(([k, label, f]) => (
                <tr key={`${u}-${k}`}>
                  <td>{u}</td>
                  <td>{label}</td>
                  <td class="num">{before.greeks?.byUnderlying[u] !== undefined ? f(before.greeks.byUnderlying[u][k]) : "0"}</td>
                  <td class="num">{after.greeks?.byUnderlying[u] !== undefined ? f(after.greeks.byUnderlying[u][k]) : "0"}</td>
                </tr>
              )),
            )}
            <tr>
              <td>all</td>
              <td>move to liquidation, down</td>
              <td class="num">{dist(before.distanceToLiquidation, "down")}</td>
              <td class="num" data-testid="whatif-distance-down-after">
                {dist(after.distanceToLiquidation, "down")}
              </td>
            </tr>
            <tr>
              <td>all</td>
              <td>move to liquidation, up</td>
              <td class="num">{dist(before.distanceToLiquidation, "up")}</td>
              <td class="num">{dist(after.distanceToLiquidation, "up")}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </>
  );
}

interface MaxOrderAnswer {
  readonly instrument?: string;
  readonly side?: string;
  readonly maxSizeCoin?: number;
  readonly [k: string]: unknown;
}

function MaxOrder({ id, instruments }: { id: string; instruments: readonly string[] }) {
  const [inst, setInst] = useState("");
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [res, setRes] = useState<{ data?: MaxOrderAnswer; error?: Error } | null>(null);
  return (
    <Section title="Maximum order" id="max-order">
      <form
        class="leg-form"
        onSubmit={(e) => {
          e.preventDefault();
          setRes(null);
          post<MaxOrderAnswer>(`/v1/accounts/${enc(id)}/max-order`, { instrument: inst, side }).then(
            (data) => setRes({ data }),
            (error: Error) => setRes({ error }),
          );
        }}
      >
        <label>
          instrument
          <input list="instruments" value={inst} onInput={(e) => setInst((e.target as HTMLInputElement).value.trim())} placeholder="BTC-PERPETUAL" autocomplete="off" />
        </label>
        <label>
          side
          <select value={side} onChange={(e) => setSide((e.target as HTMLSelectElement).value as "buy" | "sell")}>
            <option value="buy">buy</option>
            <option value="sell">sell</option>
          </select>
        </label>
        <button type="submit">find the maximum</button>
      </form>
      {instruments.length === 0 && <p class="muted">loading instruments…</p>}
      {res?.error !== undefined && <ErrorBox error={res.error} what="max order" />}
      {res?.data !== undefined && <MaxOrderView m={res.data} />}
    </Section>
  );
}

function MaxOrderView({ m }: { m: MaxOrderAnswer }) {
  const entries = Object.entries(m).filter(([, v]) => typeof v !== "object" || v === null);
  return (
    <table class="kv" data-testid="max-order">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{typeof v === "number" ? (/Usd$/.test(k) ? usd(v) : /Coin$/.test(k) ? coin(v, "coin") : num(v)) : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
