/**
 * Insurance-fund sizing on several processes (docs/cascade.md, "Speed of sizing"): the draws of
 * live/fund/sizing.ts are independent (each a cascade on a fresh core of the book), so child processes take them one
 * at a time, each on its own cores of the book, and this process puts the outcomes back in the draws' order and
 * summarises them with the same function as the one-thread loop: the document does not depend on the process count
 * (a test compares them).
 *
 * Processes, not worker threads: each child has its own heap and collector, and one that crashes or runs out of
 * memory fails the run with a coded error instead of taking the command down; a draw is coarse (tens of milliseconds
 * to seconds), so a process per core costs little beside the draws it runs.
 *
 * A child gets the market snapshot, the book (an account path it reads itself, or the parsed account documents),
 * the policy, the impact and the draws once, then draw numbers one at a time; it binds the accounts on the snapshot's
 * context as the caller did. When a draw fails, no draw after it is handed out; the draws already out finish, and
 * the failure of the earliest draw is returned, as the one-thread loop would have.
 *
 * Child module: `new URL("./fund-pool-worker.js", import.meta.url)` (dist/cluster/fund-pool-worker.js after `npm run
 * build`), or `workerUrl`.
 * @module
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fail, issue, ok } from "../errors.js";
import { minOf } from "../math/extent.js";
import type { Issue, Result } from "../errors.js";
import type { ImpactModel, LiquidationPolicy } from "../live/cascade/index.js";
import { checkLevels, sizingOf } from "../live/fund/sizing.js";
import type { DrawOutcome, FundDraw, SizingInput, SizingResult } from "../live/fund/sizing.js";
import type { MarketSnapshot } from "../market/types.js";

/** The book as a child reads it: an account file or folder (io/live-accounts.ts), or parsed account documents. */
export type FundBook = { readonly path: string } | { readonly documents: readonly { readonly id: string; readonly raw: unknown }[] };

/** The one-thread loop's input (live/fund/sizing.ts) with the book as data instead of a core factory. */
export interface ParallelSizingInput extends Omit<SizingInput, "newCore"> {
  /** Child processes (≥ 1); no more are started than there are draws. */
  readonly processes: number;
  readonly market: MarketSnapshot;
  readonly book: FundBook;
  readonly workerUrl?: URL;
}

/** What a child receives: the inputs once, then draws to run, then the end. */
export type FundParentMessage =
  | { readonly kind: "init"; readonly market: MarketSnapshot; readonly book: FundBook; readonly draws: readonly FundDraw[]; readonly policy: LiquidationPolicy; readonly impact: ImpactModel; readonly maxRounds?: number }
  | { readonly kind: "draw"; readonly draw: number }
  | { readonly kind: "end" };

/** What a child sends: ready once bound, then one message per draw it ran. */
export type FundChildMessage =
  | { readonly kind: "ready" }
  | { readonly kind: "outcome"; readonly draw: number; readonly outcome: DrawOutcome }
  | { readonly kind: "failed"; readonly draw: number; readonly issues: readonly Issue[] };

/**
 * Size the insurance fund over `processes` child processes. The same result as sizeInsuranceFund
 * (live/fund/sizing.ts) on the same book and draws; issues as there, plus `internal` when a child itself fails.
 */
export async function sizeInsuranceFundInParallel(input: ParallelSizingInput): Promise<Result<SizingResult>> {
  const levels = checkLevels(input.levels ?? [0.99, 0.999]);
  if (!levels.ok) return levels;
  const total = input.draws.length;
  if (total === 0) return fail(issue("invalid_value", "draws", "no draw to size the fund on"));
  if (!(Number.isSafeInteger(input.processes) && input.processes >= 1)) return fail(issue("invalid_value", "processes", `must be an integer ≥ 1, got ${input.processes}`));
  const init: FundParentMessage = { kind: "init", market: input.market, book: input.book, draws: input.draws, policy: input.policy, impact: input.impact, ...(input.maxRounds !== undefined ? { maxRounds: input.maxRounds } : {}) };
  const file = fileURLToPath(input.workerUrl ?? new URL("./fund-pool-worker.js", import.meta.url));
  if (!existsSync(file)) return fail(issue("internal", "", `the sizing child module ${file} is missing (a source checkout runs \`npm run build\` first)`));
  const outcomes: (DrawOutcome | undefined)[] = new Array<DrawOutcome | undefined>(total);
  const failures = new Map<number, readonly Issue[]>();
  let next = 0;
  let done = 0;
  let broken: string | undefined;
  const children = Array.from({ length: Math.min(input.processes, total) }, () =>
    // Structured clone over the channel (typed arrays, nested records); no inherited flags (a test runner's loaders).
    fork(file, [], { serialization: "advanced", execArgv: [], stdio: ["ignore", "ignore", "pipe", "ipc"] }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          let finished = false;
          let stderr = "";
          child.stderr?.on("data", (d: Buffer) => {
            if (stderr.length < 4000) stderr += d.toString();
          });
          // Done with this child: it is told to end, and the promise settles once it has exited (killed if it has not
          // within a few seconds), so no process outlives the call.
          const end = (why?: string): void => {
            if (finished) return;
            finished = true;
            // No draw is handed out after a broken child: the others finish the ones they hold.
            if (why !== undefined && broken === undefined) broken = why;
            if (child.connected) child.send({ kind: "end" } satisfies FundParentMessage);
            if (child.exitCode === null && child.signalCode === null) setTimeout(() => child.kill("SIGKILL"), 5000).unref();
            else resolve();
          };
          // The next draw, unless every draw is out or one has failed (nothing after it is started).
          const handOut = (): void => {
            if (next >= total || failures.size > 0 || broken !== undefined) return end();
            child.send({ kind: "draw", draw: next++ } satisfies FundParentMessage);
          };
          child.on("message", (m: FundChildMessage) => {
            if (m.kind === "outcome") {
              outcomes[m.draw] = m.outcome;
              input.onDraw?.(++done, total);
            } else if (m.kind === "failed") failures.set(m.draw, m.issues);
            handOut();
          });
          child.on("error", (e) => end(`a sizing process failed: ${e.message}`));
          child.on("exit", (code, signal) => {
            end(`a sizing process exited (${signal ?? `code ${code}`}) before its draws were done${stderr ? `: ${firstErrorLine(stderr)}` : ""}`);
            resolve();
          });
          child.send(init);
        }),
    ),
  );
  if (failures.size > 0) return fail(...(failures.get(minOf([...failures.keys()])) as readonly Issue[]));
  if (broken !== undefined) return fail(issue("internal", "", `${broken} (a bug: please report it)`));
  const missing = outcomes.findIndex((o) => o === undefined);
  if (missing >= 0) return fail(issue("internal", "", `draw ${missing} was not run by any sizing process (a bug: please report it)`));
  return ok(sizingOf(outcomes as DrawOutcome[], levels.value));
}

/** The line of a child's stderr that says what went wrong (Node prints the error after the source line it points at). */
function firstErrorLine(stderr: string): string {
  const lines = stderr.trim().split("\n").map((l) => l.trim());
  return (lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[0] ?? "").slice(0, 300);
}
