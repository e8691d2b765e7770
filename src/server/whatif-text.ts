/**
 * The JSON text of a what-if answer (`whatIfDocument` of account/document.ts), exactly what `jsonText` prints for it,
 * with the text of the parts the account before and after share made once. Why: the answer is ~18 KB of doubles and
 * printing them was a fifth of the route's CPU; a what-if's "after" keeps the untouched positions' values and the
 * untouched risk-matrix buckets of the account before as the same objects (evaluateAccount's `basis`), so on a
 * 50-position account most of the text is the same from one request to the next.
 *
 * Fragments of the before's parts are cached by object identity in a WeakMap (kept only while the evaluation that
 * holds them is, i.e. while the book keeps the account's "before"): position values and model buckets are never
 * mutated once computed. Every fragment goes through `jsonText` when it is made, so a non-finite number is refused as
 * anywhere else.
 * test/server/whatif-text.test.ts holds the text equal to `jsonText(whatIfDocument(w))`.
 * @module
 */
import type { AccountEvaluation } from "../account/account.js";
import { bucketJson, tradeJson } from "../account/document.js";
import type { WhatIfResult } from "../account/what-if.js";
import type { BucketMargin } from "../models/types.js";
import { jsonText } from "./http.js";

/** A printer of what-if answers with its own fragment cache (one per service). */
export function createWhatIfText(): (w: WhatIfResult) => string {
  const texts = new WeakMap<object, string>();
  const cached = <T extends object>(o: T, print: (o: T) => string): string => {
    let t = texts.get(o);
    if (t === undefined) texts.set(o, (t = print(o)));
    return t;
  };
  const bucketText = (b: BucketMargin): string => jsonText(bucketJson(b));
  // Only the parts the after shares with the before (the kept evaluation) are cached: the traded positions and
  // buckets are new objects each request, and a cache entry for each (an ephemeron the scavenger must process, and
  // its text kept until a GC) cost more than it saved. The before's positions, as a set, kept with it.
  const keptPositions = new WeakMap<AccountEvaluation, ReadonlySet<object>>();
  const positionsOf = (before: AccountEvaluation): ReadonlySet<object> => {
    let set = keptPositions.get(before);
    if (set === undefined) keptPositions.set(before, (set = new Set(before.positions)));
    return set;
  };
  // evaluationJson's keys, in its order; `figures` is the text of e.figures, printed once for "after" and "afterDetail".
  const evaluationText = (e: AccountEvaluation, before: AccountEvaluation, figures: string): string => {
    const kept = positionsOf(before);
    const buckets = Object.entries(e.margin.byCurrency).map(([k, b]) => `${JSON.stringify(k)}:${before.margin.byCurrency[k] === b ? cached(b, bucketText) : bucketText(b)}`);
    const margin = `{"model":${jsonText(e.margin.model)},"parameterSet":${jsonText(e.margin.parameterSet)},"totalUsd":${jsonText(e.margin.totalUsd)},"byCurrency":{${buckets.join(",")}}}`;
    return (
      `{"figures":${figures},"inCurrency":${jsonText(e.inCurrency)},` +
      `"health":${jsonText({ state: e.health.state, reason: e.health.reason, thresholds: e.health.thresholds })},` +
      `"breakdown":${jsonText(e.breakdown)},"collateral":${jsonText(e.collateral)},` +
      `"positions":[${e.positions.map((p) => (kept.has(p) ? cached(p, jsonText) : jsonText(p))).join(",")}],"margin":${margin},"notes":${jsonText(e.notes)}}`
    );
  };
  // The account before the trades is the book's kept evaluation (the same object for every what-if on its version).
  const beforeText = (e: AccountEvaluation): string => jsonText({ figures: e.figures, state: e.health.state });
  // whatIfDocument's keys, in its order.
  return (w) => {
    const afterFigures = jsonText(w.after.figures);
    return (
      `{"accepted":${jsonText(w.accepted)},"reason":${jsonText(w.reason)},"trades":${jsonText(w.trades.map(tradeJson))},` +
      `"before":${cached(w.before, beforeText)},"after":{"figures":${afterFigures},"state":${jsonText(w.after.health.state)}},` +
      `"change":${jsonText(w.change)}${w.event !== undefined ? `,"event":${jsonText(w.event)}` : ""},"afterDetail":${evaluationText(w.after, w.before, afterFigures)}}`
    );
  };
}
