/** `PUT /v1/market` (admin, feed): the current market for every later computation; `GET /v1/market`. */
import { z } from "zod";
import { marketFileSchema } from "../../io/market.js";
import { HttpError, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";

export function marketRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "PUT",
      path: "/v1/market",
      tag: "market",
      summary: "Store a market snapshot (market file format) and make it current",
      access: ["feed"],
      body: z.unknown().meta({ description: "A market snapshot in the market file format (docs/formats.md)." }) as z.ZodType<unknown>,
      response: { status: 200, description: "the stored snapshot's id and timestamp" },
      async handler(ctx) {
        const built = deps.book.buildMarket(ctx.body);
        if (!built.ok) throw new HttpError(built.issues);
        const previous = await deps.book.market().then(
          (m) => m.stored.id,
          () => null,
        );
        const { created, market } = await deps.store.putMarket({ id: built.value.id, timestampMs: built.value.timestampMs, document: ctx.body as Record<string, unknown> }, writeContext(deps, ctx));
        deps.book.setMarket(market, built.value.context);
        // Every binding was on the old market: bind them all again in the background, as after a start, so the next
        // preview or request does not pay for it (the preview answers 503 + Retry-After until that is done). A
        // tick's market (the live engine) does not: ticks come many times a second.
        if (market.id !== previous) void deps.book.rewarm();
        deps.events.publish({ type: "market.updated", marketId: market.id, timestampMs: market.timestampMs });
        await deps.live?.marketReplaced(writeContext(deps, ctx));
        return { status: 200, body: { id: market.id, timestamp: new Date(market.timestampMs).toISOString(), created } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/market",
      tag: "market",
      summary: "The current market snapshot",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "{ id, timestamp, market }", schema: z.object({ id: z.string(), timestamp: z.string(), market: marketFileSchema }) },
      async handler() {
        const m = await deps.book.market();
        return { status: 200, body: { id: m.stored.id, timestamp: new Date(m.stored.timestampMs).toISOString(), market: m.stored.document } };
      },
    }),
  ];
}
