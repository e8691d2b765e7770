/**
 * A child process of the insurance-fund sizing pool (./fund-pool.ts): binds the book on the market once, then runs
 * the draws it is handed, each a cascade on a fresh core of the book (live/fund/sizing.ts runDraw), and sends each
 * outcome back. It exits when its parent says so or goes away.
 * @module
 */
import { createLiveAccountBinder, loadLiveAccounts } from "../io/live-accounts.js";
import { createCascadeCore } from "../live/cascade/index.js";
import type { LiveAccountInput } from "../live/core.js";
import { drawCore, runDraw } from "../live/fund/sizing.js";
import { buildMarketContext } from "../pricing/build-context.js";
import { fail, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { FundChildMessage, FundParentMessage } from "./fund-pool.js";

type Init = Extract<FundParentMessage, { kind: "init" }>;

function bookOf(init: Init): Result<LiveAccountInput[]> {
  const context = buildMarketContext(init.market);
  if (!context.ok) return context;
  const book = init.book;
  if ("path" in book) return loadLiveAccounts(book.path, context.value);
  const out: LiveAccountInput[] = [];
  const bind = createLiveAccountBinder(context.value);
  for (const d of book.documents) {
    const a = bind(d.id, d.raw);
    if (!a.ok) return fail(...a.issues.map((i) => ({ ...i, path: `${d.id}: ${i.path}` })));
    out.push(a.value);
  }
  return ok(out);
}

const send = (m: FundChildMessage): void => {
  process.send?.(m);
};
let init: Init | undefined;
let accounts: Result<LiveAccountInput[]> | undefined;

process.on("message", (m: FundParentMessage) => {
  if (m.kind === "end") {
    process.disconnect?.();
    return;
  }
  if (m.kind === "init") {
    init = m;
    accounts = bookOf(m);
    send({ kind: "ready" });
    return;
  }
  if (init === undefined || accounts === undefined) return;
  const draw = init.draws[m.draw] as Init["draws"][number];
  // The caller bound the same book without issue; a child that cannot reports it as the draw's failure.
  if (!accounts.ok) return send({ kind: "failed", draw: m.draw, issues: accounts.issues });
  const book = accounts.value;
  const market = init.market;
  const core = drawCore(() => createCascadeCore({ market, accounts: book }), draw);
  const r = core.ok ? runDraw(core.value, draw, init) : core;
  send(r.ok ? { kind: "outcome", draw: m.draw, outcome: r.value } : { kind: "failed", draw: m.draw, issues: r.issues });
});
process.on("disconnect", () => process.exit(0));
