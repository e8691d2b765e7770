/**
 * The JSON text of a what-if answer (`whatIfDocument` of account/document.ts), exactly what `jsonText` prints for it,
 * encoded as UTF-8, with the bytes of the parts the account before and after share made once. Why: the answer is ~18 KB of doubles and
 * printing them was a fifth of the route's CPU; a what-if's "after" keeps the untouched positions' values and the
 * untouched risk-matrix buckets of the account before as the same objects (evaluateAccount's `basis`), so on a
 * 50-position account most of the text is the same from one request to the next.
 *
 * Fragments of the before's parts are cached by object identity in WeakMaps (kept only while the evaluation that
 * holds them is, i.e. while the book keeps the account's "before"): position values and model buckets are never
 * mutated once computed. Every fragment goes through `jsonText` when it is made, so a non-finite number is refused as
 * anywhere else.
 *
 * The answer is assembled as bytes, not as a string: the cached fragments are kept encoded (the before's positions as
 * one buffer, so a run of untouched positions is one slice of it) and copied once into the answer's buffer, the new
 * parts encoded into it. Why: joining ~17 KB of cached text into a new string, flattening it and encoding it again
 * for the socket cost more than the new parts (two 17 KB copies and an encoding per request, and their garbage: the
 * server's young-generation collections were a tail of the what-if's latency).
 * test/server/whatif-text.test.ts holds the bytes equal to `jsonText(whatIfDocument(w))`.
 * @module
 */
import type { AccountEvaluation } from "../account/account.js";
import { bucketJson, tradeJson } from "../account/document.js";
import type { WhatIfResult } from "../account/what-if.js";
import type { BucketMargin } from "../models/types.js";
import { jsonText } from "./http.js";

/** The answer's pieces in order: text to encode, or bytes to copy. */
type Piece = string | Buffer;

/** The pieces as one buffer: lengths measured first, then each piece written once at its place. */
function assemble(pieces: readonly Piece[]): Buffer {
  let bytes = 0;
  for (const p of pieces) bytes += typeof p === "string" ? Buffer.byteLength(p, "utf8") : p.length;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const p of pieces) at += typeof p === "string" ? out.write(p, at, "utf8") : p.copy(out, at);
  return out;
}

/** The before's positions printed once: each one's text, comma-separated, in one buffer, and where each starts and ends. */
interface KeptPositions {
  readonly index: ReadonlyMap<object, number>;
  readonly bytes: Buffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

function keptPositionsOf(before: AccountEvaluation): KeptPositions {
  const texts = before.positions.map((p) => jsonText(p));
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const t of texts) {
    starts.push(at);
    at += Buffer.byteLength(t, "utf8");
    ends.push(at);
    at += 1; // the comma
  }
  return { index: new Map(before.positions.map((p, i) => [p, i])), bytes: Buffer.from(texts.join(","), "utf8"), starts, ends };
}

/** A printer of what-if answers with its own fragment cache (one per service). */
export function createWhatIfText(): (w: WhatIfResult) => Buffer {
  const encoded = new WeakMap<object, Buffer>();
  const cached = <T extends object>(o: T, print: (o: T) => string): Buffer => {
    let b = encoded.get(o);
    if (b === undefined) encoded.set(o, (b = Buffer.from(print(o), "utf8")));
    return b;
  };
  const bucketText = (b: BucketMargin): string => jsonText(bucketJson(b));
  // Only the parts the after shares with the before (the kept evaluation) are cached: the traded positions and
  // buckets are new objects each request, and a cache entry for each (an ephemeron the scavenger must process, and
  // its text kept until a GC) cost more than it saved. The before's positions, printed once, kept with it.
  const keptPositions = new WeakMap<AccountEvaluation, KeptPositions>();
  const positionsOf = (before: AccountEvaluation): KeptPositions => {
    let kept = keptPositions.get(before);
    if (kept === undefined) keptPositions.set(before, (kept = keptPositionsOf(before)));
    return kept;
  };
  // evaluationJson's keys, in its order; `figures` is the text of e.figures, printed once for "after" and "afterDetail".
  // Adjacent text is joined as a string (small), each cached fragment is its own piece.
  const evaluationPieces = (out: Piece[], e: AccountEvaluation, before: AccountEvaluation, figures: string): void => {
    const kept = positionsOf(before);
    out.push(
      `{"figures":${figures},"inCurrency":${jsonText(e.inCurrency)},` +
        `"health":${jsonText({ state: e.health.state, reason: e.health.reason, thresholds: e.health.thresholds })},` +
        `"breakdown":${jsonText(e.breakdown)},"collateral":${jsonText(e.collateral)},"positions":[`,
    );
    const ps = e.positions;
    for (let i = 0; i < ps.length; ) {
      const p = ps[i] as (typeof ps)[number];
      const sep = i > 0 ? "," : "";
      const first = kept.index.get(p);
      if (first === undefined) {
        out.push(`${sep}${jsonText(p)}`);
        i++;
        continue;
      }
      // A run of the before's positions in the before's order: one slice of its buffer (commas included).
      let last = first;
      i++;
      while (i < ps.length && ps[i] === before.positions[last + 1]) {
        last++;
        i++;
      }
      if (sep !== "") out.push(sep);
      out.push(kept.bytes.subarray(kept.starts[first], kept.ends[last]));
    }
    out.push(`],"margin":{"model":${jsonText(e.margin.model)},"parameterSet":${jsonText(e.margin.parameterSet)},"totalUsd":${jsonText(e.margin.totalUsd)},"byCurrency":{`);
    let n = 0;
    for (const [k, b] of Object.entries(e.margin.byCurrency)) {
      const key = `${n++ > 0 ? "," : ""}${JSON.stringify(k)}:`;
      if (before.margin.byCurrency[k] === b) out.push(key, cached(b, bucketText));
      else out.push(`${key}${bucketText(b)}`);
    }
    out.push(`}},"notes":${jsonText(e.notes)}}`);
  };
  // The account before the trades is the book's kept evaluation (the same object for every what-if on its version).
  const beforeText = (e: AccountEvaluation): string => jsonText({ figures: e.figures, state: e.health.state });
  // whatIfDocument's keys, in its order.
  return (w) => {
    const afterFigures = jsonText(w.after.figures);
    const out: Piece[] = [`{"accepted":${jsonText(w.accepted)},"reason":${jsonText(w.reason)},"trades":${jsonText(w.trades.map(tradeJson))},"before":`, cached(w.before, beforeText)];
    out.push(`,"after":{"figures":${afterFigures},"state":${jsonText(w.after.health.state)}},"change":${jsonText(w.change)}${w.event !== undefined ? `,"event":${jsonText(w.event)}` : ""},"afterDetail":`);
    evaluationPieces(out, w.after, w.before, afterFigures);
    out.push("}");
    return assemble(out);
  };
}
