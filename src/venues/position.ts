/**
 * Adding one mapped venue position to a draft: size in the unit the instrument takes (coin, or USD notional for
 * inverse futures and perpetuals), the venue's units-per-unit multiplier applied, a zero size skipped with a note.
 * @module
 */
import type { Result } from "../errors.js";
import type { Draft } from "./importer.js";
import type { Ctx, Obj } from "./read.js";
import type { MappedSymbol } from "./symbols.js";
import { nameOf } from "./symbols.js";

export interface PositionInput {
  readonly at: string;
  readonly venueId: string;
  /** Signed size in base coin (venue units × multiplier are applied here). */
  readonly sizeCoin?: number;
  /** Signed USD notional (inverse futures and perpetuals only). */
  readonly sizeUsd?: number;
  readonly averagePrice?: number;
  readonly record: Obj;
}

/** Add a position from a mapped symbol, or report the mapping issue. Returns false when nothing was added. */
export function addPosition(ctx: Ctx, draft: Draft, mapped: Result<MappedSymbol>, p: PositionInput): boolean {
  if (!mapped.ok) {
    for (const i of mapped.issues) ctx.issues.push({ ...i, path: `${ctx.file}:${i.path}`, message: `${ctx.venue}: ${i.message}` });
    return false;
  }
  const m = mapped.value;
  const name = nameOf(m);
  const k = m.unitsPerVenueUnit;
  const size = p.sizeCoin === undefined ? undefined : p.sizeCoin * k;
  if ((size ?? p.sizeUsd ?? 0) === 0) {
    draft.notes.push(`${ctx.file}:${p.at} ${p.venueId}: size 0, skipped (a closed position the venue still lists)`);
    return false;
  }
  draft.positions.push({
    instrument: name,
    venueId: p.venueId,
    ...(size !== undefined ? { size } : { sizeUsd: p.sizeUsd as number }),
    ...(p.averagePrice !== undefined && p.averagePrice > 0 ? { averagePrice: p.averagePrice / k } : {}),
    source: `${ctx.file}:${p.at}`,
    venueRecord: finiteRecord(p.record),
  });
  if (k !== 1) draft.notes.push(`${ctx.file}:${p.at} ${p.venueId} is ${k} ${m.instrument.base} per venue unit: size and price converted to ${name}`);
  return true;
}

/**
 * The venue's record as it came, with any number that is not finite (JSON text such as 1e999 parses to Infinity)
 * written as its text: the record is echoed in outputs, where NaN and Infinity never go (JSON would print null).
 */
function finiteRecord(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map(finiteRecord);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, finiteRecord(x)]));
  return v;
}
