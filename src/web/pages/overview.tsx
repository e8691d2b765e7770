/**
 * Exchange overview (admin, risk): accounts by health state (GET /v1/summary), totals, the margin-call and liquidation
 * queue, the largest accounts by IM and the closest to liquidation (GET /v1/rankings), circuit-breaker state per
 * underlying (GET /v1/breakers, when the server runs the live engine), a stale-data badge, and live updates from the
 * event stream without a reload.
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { get, serverClockOffsetMs } from "../api";
import type { MarketAnswer, RankedAccount, Rankings, Summary, Whoami } from "../api";
import { age, HEALTH_STATES, move, pct, STATE_LABEL, time, usd, usdCompact } from "../format";
import { capabilities, LiveDot, subscribe } from "../live";
import type { LiveEvent, LiveStatus } from "../live";
import { AccountLink, Card, ErrorBox, HealthBadge, Loading, Section, useAsync } from "../ui";
import { BreakerTable, useBreakers } from "./breakers";
import { EventList } from "../events";

/** Market data older than this (server clock − market time) raises the stale badge. */
const STALE_AFTER_MS = 5 * 60_000;

export function OverviewPage({ me }: { me: Whoami }) {
  const summary = useAsync(() => get<Summary>("/v1/summary"), []);
  const rankings = useAsync(() => get<Rankings>("/v1/rankings?limit=10"), []);
  const market = useAsync(() => get<MarketAnswer>("/v1/market"), [summary.data?.marketId]);
  const breakers = useBreakers();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [since, setSince] = useState<Record<string, { state: string; ts: string }>>({});
  const [staleFlag, setStaleFlag] = useState<{ inputAgeMs: number; underlyings: readonly string[] } | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastReload = useRef(0);

  useEffect(() => {
    // Refresh the aggregates at most every 500 ms while events arrive (a tick can move hundreds of accounts).
    const refresh = (): void => {
      if (pending.current !== undefined) return;
      const wait = Math.max(0, 500 - (Date.now() - lastReload.current));
      pending.current = setTimeout(() => {
        pending.current = undefined;
        lastReload.current = Date.now();
        summary.reload();
        rankings.reload();
        breakers.reload();
      }, wait);
    };
    const sub = subscribe(
      {},
      (e) => {
        setEvents((list) => [e, ...list].slice(0, 30));
        if (e.type === "health_changed" && typeof e.account === "string") setSince((s) => ({ ...s, [e.account as string]: { state: String(e.to), ts: String(e.ts ?? "") } }));
        const stale = (e as { stale?: { inputAgeMs: number; underlyings: string[] } }).stale;
        if (stale !== undefined) setStaleFlag(stale);
        refresh();
      },
      setStatus,
    );
    return () => {
      sub.close();
      if (pending.current !== undefined) clearTimeout(pending.current);
    };
  }, []);

  const s = summary.data;
  const marketAgeMs = market.data !== undefined ? Date.now() + serverClockOffsetMs - Date.parse(market.data.timestamp) : null;
  const frozen = (breakers.data?.underlyings ?? []).filter((u) => u.state !== "normal");
  const stale = (marketAgeMs !== null && marketAgeMs > STALE_AFTER_MS) || staleFlag !== null || frozen.length > 0;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Exchange overview</h1>
        <div class="page-meta">
          {market.data !== undefined && (
            <span>
              market <code>{market.data.id}</code> at {time(market.data.timestamp)}
            </span>
          )}
          {stale && (
            <span class="badge stale" data-testid="stale-badge" role="status" title="inputs are old: figures rest on market data that is not fresh">
              stale:{" "}
              {staleFlag !== null
                ? `inputs ${age(staleFlag.inputAgeMs)} old (${staleFlag.underlyings.join(", ")})`
                : frozen.length > 0
                  ? `${frozen.map((u) => `${u.underlying} ${u.state.replace("_", " ")}`).join(", ")}`
                  : `market data ${age(marketAgeMs)} old`}
            </span>
          )}
          <LiveDot status={status} />
        </div>
      </div>
      {summary.error !== undefined && <ErrorBox error={summary.error} what="summary" />}
      {s === undefined && summary.error === undefined && <Loading what="the exchange summary" />}
      {s !== undefined && (
        <>
          <div class="cards">
            <Card label="accounts" value={String(s.accounts)} testId="total-accounts" raw={s.accounts} sub={s.failed.length > 0 ? `${s.failed.length} failed to evaluate` : undefined} />
            <Card label="total equity" value={usdCompact(s.totalUsd.equity)} testId="total-equity" raw={s.totalUsd.equity} sub={usd(s.totalUsd.equity)} />
            <Card label="total initial margin" value={usdCompact(s.totalUsd.initialMargin)} testId="total-im" raw={s.totalUsd.initialMargin} sub={`${pct(s.totalUsd.initialMargin / s.totalUsd.equity)} of equity`} />
            <Card label="total maintenance margin" value={usdCompact(s.totalUsd.maintenanceMargin)} testId="total-mm" raw={s.totalUsd.maintenanceMargin} sub={`${pct(s.totalUsd.maintenanceMargin / s.totalUsd.equity)} of equity`} />
          </div>
          <Section title="Accounts by health state" id="health">
            <HealthBar byHealth={s.byHealth} total={s.accounts} />
            <table class="counts">
              <thead>
                <tr>
                  {HEALTH_STATES.map((h) => (
                    <th key={h} scope="col">
                      <HealthBadge state={h} />
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  {HEALTH_STATES.map((h) => (
                    <td key={h} class="num" data-testid={`count-${h}`} data-value={s.byHealth[h] ?? 0}>
                      {s.byHealth[h] ?? 0}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </Section>
        </>
      )}
      <BreakerSection breakers={breakers} />
      {rankings.error !== undefined && <ErrorBox error={rankings.error} what="rankings" />}
      {rankings.data !== undefined && <Queue r={rankings.data} since={since} />}
      {rankings.data !== undefined && (
        <div class="two">
          <Section title="Largest accounts by initial margin" id="largest">
            <AccountTable rows={rankings.data.largestByInitialMargin} extra="im" />
          </Section>
          <Section title="Closest to liquidation" id="closest">
            <AccountTable rows={rankings.data.closestToLiquidation} extra="distance" />
            <p class="note">By maintenance ratio (MM / equity; liquidation at 100 %), with the move of every underlying together that liquidates (searched for the accounts listed).</p>
          </Section>
        </div>
      )}
      <Section title="Live events" id="events">
        {events.length === 0 ? (
          <p class="muted">{status === "off" ? "This server has no event stream (the live engine is not running): figures update on reload." : "No event since the page opened."}</p>
        ) : (
          <EventList events={events} />
        )}
      </Section>
      {me.role === "admin" && <p class="note">Signed in as admin: every page is open to this key.</p>}
    </div>
  );
}

function BreakerSection({ breakers }: { breakers: ReturnType<typeof useBreakers> }) {
  const [has, setHas] = useState<boolean | null>(null);
  useEffect(() => {
    void capabilities().then((c) => setHas(c.has("/v1/breakers")));
  }, []);
  if (has === false)
    return (
      <Section title="Circuit breakers" id="breakers">
        <p class="muted">This server runs no live engine: no circuit breakers (docs/live.md).</p>
      </Section>
    );
  return (
    <Section title="Circuit breakers" id="breakers">
      {breakers.error !== undefined && <ErrorBox error={breakers.error} what="breakers" />}
      {breakers.data !== undefined ? <BreakerTable data={breakers.data} /> : <Loading what="breakers" />}
    </Section>
  );
}

function HealthBar({ byHealth, total }: { byHealth: Readonly<Record<string, number>>; total: number }) {
  const label = HEALTH_STATES.map((h) => `${byHealth[h] ?? 0} ${STATE_LABEL[h]}`).join(", ");
  return (
    <div class="healthbar" role="img" aria-label={label}>
      {HEALTH_STATES.map((h) => {
        const n = byHealth[h] ?? 0;
        return n === 0 ? null : <span key={h} class={`seg h-${h}`} style={{ flexGrow: n }} title={`${n} ${STATE_LABEL[h]}`} />;
      })}
      {total === 0 && <span class="seg empty">no accounts</span>}
    </div>
  );
}

function Queue({ r, since }: { r: Rankings; since: Record<string, { state: string; ts: string }> }) {
  const rows = (["bankrupt", "liquidation", "margin_call"] as const).flatMap((s) => r.queue[s].accounts);
  const count = r.queue.margin_call.count + r.queue.liquidation.count + r.queue.bankrupt.count;
  return (
    <Section title={`Margin-call and liquidation queue (${count})`} id="queue">
      {rows.length === 0 ? (
        <p class="muted">No account in margin call, liquidation or bankrupt.</p>
      ) : (
        <div class="scroll">
          <table data-testid="queue">
            <thead>
              <tr>
                <th scope="col">account</th>
                <th scope="col">state</th>
                <th scope="col" class="num">
                  MM / equity
                </th>
                <th scope="col" class="num">
                  equity
                </th>
                <th scope="col" class="num">
                  maintenance margin
                </th>
                <th scope="col" class="num">
                  deposit to end the call
                </th>
                <th scope="col" class="num">
                  deposit to healthy
                </th>
                <th scope="col">in state since</th>
                <th scope="col">
                  <span class="sr-only">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-account={a.id}>
                  <td>
                    <AccountLink id={a.id} />
                  </td>
                  <td>
                    <HealthBadge state={since[a.id]?.state ?? a.health} />
                  </td>
                  <td class="num">{pct(a.figures.maintenanceRatio)}</td>
                  <td class="num">{usd(a.figures.equityUsd)}</td>
                  <td class="num">{usd(a.figures.maintenanceMarginUsd)}</td>
                  <td class="num">{usd(a.amountNeededUsd)}</td>
                  <td class="num">{usd(a.toHealthyUsd)}</td>
                  <td>{since[a.id] !== undefined ? `${age(Date.now() + serverClockOffsetMs - Date.parse(since[a.id]?.ts ?? ""))} (${time(since[a.id]?.ts)})` : <span class="muted" title="no state change seen on the stream since the page opened">before this page opened</span>}</td>
                  <td>
                    {a.health !== "margin_call" && <a href={`#/liquidation/${encodeURIComponent(a.id)}`}>plan</a>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(["margin_call", "liquidation", "bankrupt"] as const).some((s) => r.queue[s].count > r.queue[s].accounts.length) && <p class="note">Showing the worst 10 of each state.</p>}
        </div>
      )}
    </Section>
  );
}

function AccountTable({ rows, extra }: { rows: readonly RankedAccount[]; extra: "im" | "distance" }) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">account</th>
            <th scope="col">state</th>
            <th scope="col" class="num">
              {extra === "im" ? "initial margin" : "MM / equity"}
            </th>
            <th scope="col" class="num">
              {extra === "im" ? "equity" : "move to liquidation (down / up)"}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id}>
              <td>
                <AccountLink id={a.id} />
              </td>
              <td>
                <HealthBadge state={a.health} />
              </td>
              <td class="num">{extra === "im" ? usd(a.figures.initialMarginUsd) : pct(a.figures.maintenanceRatio)}</td>
              <td class="num">{extra === "im" ? usd(a.figures.equityUsd) : a.distance === null || a.distance === undefined ? "—" : `${a.distance.down === null ? "none" : move(a.distance.down, 1)} / ${a.distance.up === null ? "none" : move(a.distance.up, 1)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
