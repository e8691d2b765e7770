/**
 * The live events as a list (health changes, margin calls, liquidations, breaker trips, parameter changes), one line
 * each, shared by the overview, account and breakers pages: a file of its own so the pages do not import each other.
 * @module
 */
import { STATE_LABEL, time, usd } from "./format";
import type { LiveEvent } from "./live";

export function EventList({ events }: { events: readonly LiveEvent[] }) {
  return (
    <ol class="events" data-testid="event-list">
      {events.map((e, i) => (
        <li key={`${e.eventSeq ?? i}-${e.type}`}>
          <span class="muted">{e.ts !== undefined ? time(e.ts) : ""}</span> <code>{e.type}</code> {describeEvent(e)}
        </li>
      ))}
    </ol>
  );
}

function describeEvent(e: LiveEvent): string {
  const who = typeof e.account === "string" ? `${e.account}: ` : "";
  switch (e.type) {
    case "health_changed":
      return `${who}${STATE_LABEL[String(e.from)] ?? e.from} → ${STATE_LABEL[String(e.to)] ?? e.to} (${String(e.reason ?? "")})`;
    case "margin_call":
      return `${who}deposit ${usd(e.amountNeededUsd as number)} to end the call`;
    case "liquidation":
      return `${who}liquidation triggered${e.deferred === true ? " (deferred)" : ""}`;
    case "breaker":
      return `${String(e.underlying)} ${String(e.from)} → ${String(e.to)} (${String(e.rule)}: ${String(e.reason ?? "")})`;
    case "parameters_changed":
      return `${String((e.parameterSet as { name?: string } | undefined)?.name ?? "")} → ${String((e.parameterSet as { to?: string } | undefined)?.to ?? "")}`;
    default:
      return who;
  }
}
