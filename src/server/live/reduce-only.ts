/**
 * Reduce-only: while a circuit breaker with the `reduce_only` action holds an underlying, the service's what-if
 * refuses every trade that is not a pure reduction of an existing position on that underlying (Deribit's
 * `reduce_only` order semantics: the trade's sign is opposite to the position's and its size at most the position's,
 * so it can only shrink exposure, never open, add to or flip a position). Trades on other underlyings are judged as
 * usual. Pure: positions, trades and the restricted underlyings in, the verdict out.
 * @module
 */
import { resolveInstrumentName } from "../../market/venue-ids.js";

export interface ReduceOnlyRestriction {
  readonly underlying: string;
  /** The breaker rule(s) imposing it. */
  readonly rules: readonly string[];
}

export interface ReduceOnlyVerdict {
  readonly ok: boolean;
  /** The first trade that would increase risk, with why. */
  readonly reason: string | null;
  readonly restricted: readonly ReduceOnlyRestriction[];
}

/** Judge `trades` (instrument name and signed coin size) against held positions under the restrictions. */
export function reduceOnlyVerdict(
  positions: readonly { readonly instrument: { readonly name: string }; readonly sizeCoin: number }[],
  trades: readonly { readonly instrument: string; readonly sizeCoin: number }[],
  restricted: readonly ReduceOnlyRestriction[],
): ReduceOnlyVerdict {
  if (restricted.length === 0) return { ok: true, reason: null, restricted };
  const held = new Map<string, number>();
  for (const p of positions) held.set(p.instrument.name, (held.get(p.instrument.name) ?? 0) + p.sizeCoin);
  for (const t of trades) {
    const r = resolveInstrumentName(t.instrument);
    if (!r.ok || r.value.instrument.kind === "spot") continue;
    const inst = r.value.instrument;
    const rule = restricted.find((x) => x.underlying === inst.base);
    if (rule === undefined) continue;
    const before = held.get(inst.name) ?? 0;
    const after = before + t.sizeCoin;
    const reduces = before !== 0 && Math.sign(t.sizeCoin) === -Math.sign(before) && Math.abs(after) <= Math.abs(before) && Math.sign(after) !== -Math.sign(before);
    if (!reduces)
      return {
        ok: false,
        reason: `reduce-only: ${inst.base} is restricted by circuit breaker ${rule.rules.join(", ")}; a trade of ${t.sizeCoin} ${inst.name} on a position of ${before} would ${before === 0 ? "open a position" : Math.sign(after) === -Math.sign(before) ? "flip the position" : "increase the position"}`,
        restricted,
      };
    held.set(inst.name, after);
  }
  return { ok: true, reason: null, restricted };
}
