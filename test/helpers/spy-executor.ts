/**
 * A RemarginExecutor that records how the live core uses it: `settle()` is called before every input a core applies
 * and `run()` on every pass shared with helpers (books of 2 claims or more), so a test can tell that a command or
 * service gave its core the executor. Its "helper" takes no claim: the caller's `local()` runs them all (the same
 * doubles as one thread).
 */
import type { RemarginExecutor, RemarginJob } from "../../src/live/chunk.js";

export interface SpyExecutor extends RemarginExecutor {
  settles: number;
  runs: number;
}

export function spyExecutor(): SpyExecutor {
  const spy: SpyExecutor = {
    helpers: 1,
    settles: 0,
    runs: 0,
    run(_job: RemarginJob, local: () => void): boolean {
      spy.runs++;
      local();
      return true;
    },
    settle(): void {
      spy.settles++;
    },
  };
  return spy;
}
