/**
 * The data-folder lock of an embedded (PGlite) store: two processes on one PGlite folder corrupt it (PGlite is
 * single-user Postgres), so a server holds `DIR/netrisk.lock` (its pid) while it runs. A lock whose process is gone
 * (a crash, SIGKILL) is stale and is taken over.
 * @module
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { issue, NetriskError } from "../errors.js";

export const LOCK_FILE = "netrisk.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid holding `dir`, or null when nobody (a stale lock counts as nobody). */
export function lockHolder(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Take the lock of `dir` (created if missing) for this process. Throws a NetriskError `data_locked` naming the
 * holder, and what to do instead, when a live process holds it. Returns the release function.
 */
export function acquireDataLock(dir: string, hint: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = lockHolder(dir);
      if (holder !== null) throw new NetriskError([issue("data_locked", "--data", `${dir} is held by a running server (pid ${holder}); ${hint}`)]);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new NetriskError([issue("data_locked", "--data", `could not lock ${dir}; ${hint}`)]);
}
