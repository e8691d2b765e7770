/**
 * The live engine's file formats at the boundary: ticks (one JSON object each, a JSONL file of them), live parameter
 * sets and circuit-breaker rules. zod validation with the shared issue mapping (stable codes, paths of bad fields);
 * JSON Schemas exported to schemas/tick.schema.json, live-params.schema.json and breakers.schema.json. Formats in
 * docs/live.md.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { breakerRulesSchema } from "../live/breakers.js";
import type { BreakerRules } from "../live/breakers.js";
import { liveParamsSchema } from "../live/params.js";
import type { LiveParams } from "../live/params.js";
import type { Tick } from "../live/tick.js";
import { CURRENCY_CODE_PATTERN, DERIVATIVE_NAME_PATTERN, formatInstrument } from "../market/instrument.js";
import type { InstrumentQuote } from "../market/types.js";
import { resolveInstrumentName, withVenueIds } from "../market/venue-ids.js";
import { instrumentQuoteSchema } from "./market.js";
import { parseIsoTimestampMs } from "./timestamp.js";
import { zodIssuesToIssues } from "./zod-issues.js";

const positiveNumber = z.number().positive();
const currencyCode = z.string().regex(new RegExp(CURRENCY_CODE_PATTERN));

/** One tick (docs/live.md, "Ticks"): a partial market snapshot in the market file's format with a global `seq`. */
export const tickSchema = z
  .strictObject({
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: "Global sequence number of the feed, strictly increasing from tick to tick." }),
    ts: z.iso.datetime({ offset: true }).meta({ description: "The tick's instant, RFC 3339; it becomes the market's timestamp and the valuation time of every underlying the tick moves." }),
    index: z.record(currencyCode, positiveNumber).optional().meta({ description: "New USD index prices per currency; what is not named moves with nothing." }),
    instruments: z
      .record(z.string().regex(new RegExp(withVenueIds(DERIVATIVE_NAME_PATTERN))), instrumentQuoteSchema)
      .optional()
      .meta({ description: "New quote fields per instrument (the market file's quote format); a named field replaces the held value, the others move with the index (docs/live.md)." }),
    volMoves: z
      .record(currencyCode, z.number().gt(-1))
      .optional()
      .meta({ description: "Relative move of the implied vol of every option of a base the tick does not quote with a markIv: σ' = σ·(1 + m)." }),
    indexSources: z
      .record(currencyCode, z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), positiveNumber))
      .optional()
      .meta({ description: "Index prices per source, USD, for the index-divergence circuit breaker; informative (the index used is `index`)." }),
    source: z.string().max(2000).optional().meta({ description: "Free text: where the tick came from (a generated tick says what is synthetic). Ignored by the engine." }),
  })
  .meta({ title: "netrisk tick", description: "One market tick: a partial market snapshot with a global, strictly increasing seq. See docs/live.md." });

export type TickFile = z.infer<typeof tickSchema>;

/** Validate one parsed tick. Issues carry the field's path (`instruments.BTC-PERPETUAL.markPrice: non_finite`). */
export function validateTick(input: unknown): Result<Tick> {
  const parsed = tickSchema.safeParse(input);
  if (!parsed.success) return fail(...zodIssuesToIssues(parsed.error.issues, input, { keyCode: (p) => (p === "instruments" ? "malformed_instrument" : "invalid_value") }));
  const t = parsed.data;
  const timestampMs = parseIsoTimestampMs(t.ts);
  if (timestampMs === undefined) return fail(issue("invalid_value", "ts", `${JSON.stringify(t.ts)} is not a valid RFC 3339 date-time`));
  const issues: Issue[] = [];
  const instruments: Record<string, InstrumentQuote> = {};
  for (const [name, q] of Object.entries(t.instruments ?? {})) {
    const r = resolveInstrumentName(name, joinPath("instruments", name));
    if (!r.ok) {
      issues.push(...r.issues);
      continue;
    }
    if (r.value.instrument.kind === "spot") {
      issues.push(issue("malformed_instrument", joinPath("instruments", name), "a spot currency has no quote: give its price in index"));
      continue;
    }
    const key = formatInstrument(r.value.instrument);
    if (instruments[key] !== undefined) {
      issues.push(issue("duplicate", joinPath("instruments", name), `${name} names ${key} a second time`));
      continue;
    }
    const quote: Record<string, number> = {};
    for (const [k, v] of Object.entries(q)) if (typeof v === "number") quote[k] = v;
    instruments[key] = quote;
  }
  if (issues.length > 0) return fail(...issues);
  return ok({
    seq: t.seq,
    timestampMs,
    ...(t.index !== undefined ? { indexUsd: { ...t.index } } : {}),
    ...(t.instruments !== undefined ? { instruments } : {}),
    ...(t.volMoves !== undefined ? { volMoves: { ...t.volMoves } } : {}),
    ...(t.indexSources !== undefined ? { indexSources: t.indexSources } : {}),
    ...(t.source !== undefined ? { source: t.source } : {}),
  });
}

/** The JSON form of a tick (inverse of {@link validateTick}). */
export function tickToJson(tick: Tick): TickFile {
  return {
    seq: tick.seq,
    ts: new Date(tick.timestampMs).toISOString(),
    ...(tick.indexUsd !== undefined ? { index: { ...tick.indexUsd } } : {}),
    ...(tick.instruments !== undefined ? { instruments: tick.instruments as TickFile["instruments"] } : {}),
    ...(tick.volMoves !== undefined ? { volMoves: { ...tick.volMoves } } : {}),
    ...(tick.indexSources !== undefined ? { indexSources: tick.indexSources as TickFile["indexSources"] } : {}),
    ...(tick.source !== undefined ? { source: tick.source } : {}),
  };
}

/** One line of a tick file: the tick, or its issues with paths prefixed by `<source>:<line>`. */
export interface TickLine {
  readonly line: number;
  readonly result: Result<Tick>;
}

/**
 * Parse a JSONL tick file: one tick per non-blank line. Each line is validated on its own, so a bad line is reported
 * (path `<source>:<line>`) and the others still parse; the caller decides what a bad line means (replay: rejected,
 * counted, the run goes on).
 */
export function parseTickLines(text: string, sourceName: string): TickLine[] {
  const out: TickLine[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, k) => {
    const line = k + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      out.push({ line, result: fail(issue("invalid_json", `${sourceName}:${line}`, (e as Error).message)) });
      return;
    }
    const r = validateTick(value);
    out.push({ line, result: r.ok ? r : fail(...r.issues.map((i) => ({ ...i, path: `${sourceName}:${line}${i.path ? `.${i.path}` : ""}` }))) });
  });
  return out;
}

/** Validate a live parameter set (presets/live.json's format). */
export function validateLiveParams(input: unknown): Result<LiveParams> {
  const parsed = liveParamsSchema.safeParse(input);
  if (!parsed.success) return fail(...zodIssuesToIssues(parsed.error.issues, input));
  const { name, version, effective, volConvention, maxTickMoveDecimal, hysteresis } = parsed.data;
  return ok({ name, version, effective, volConvention, maxTickMoveDecimal, hysteresis });
}

/** Validate a circuit-breaker rules file. */
export function validateBreakerRules(input: unknown): Result<BreakerRules> {
  const parsed = breakerRulesSchema.safeParse(input);
  if (!parsed.success) return fail(...zodIssuesToIssues(parsed.error.issues, input));
  return ok({ name: parsed.data.name, version: parsed.data.version, effective: parsed.data.effective, rules: parsed.data.rules });
}
