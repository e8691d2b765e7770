/** `GET /v1/whoami` (any key): the caller's client id, role and (trader keys) accounts, so a client can show what the key may do. */
import { requirePrincipal } from "../auth.js";
import type { ServiceDeps } from "../deps.js";
import { route } from "../http.js";
import type { AnyRoute } from "../http.js";

export function sessionRoutes(_deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/v1/whoami",
      tag: "keys",
      summary: "The calling key: client id, role, and the accounts a trader key may use (null for other roles)",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "{ clientId, role, accounts }" },
      handler(ctx) {
        const p = requirePrincipal(ctx.principal);
        return { status: 200, body: { clientId: p.clientId, role: p.role, accounts: p.accounts } };
      },
    }),
  ];
}
