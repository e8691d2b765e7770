/** `GET /health`: liveness, no credentials. */
import { z } from "zod";
import { route } from "../http.js";
import type { AnyRoute } from "../http.js";

export function healthRoutes(): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/health",
      tag: "service",
      summary: "Liveness: 200 {\"status\":\"ok\"} while the server accepts requests",
      access: "public",
      response: { status: 200, description: "ok", schema: z.object({ status: z.literal("ok") }) },
      handler: () => ({ status: 200, body: { status: "ok" } }),
    }),
  ];
}
