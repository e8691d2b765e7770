/**
 * The one progress renderer of the CLI. Engines report progress through callbacks `(done, total)` (done never
 * decreases within one phase and the last call has done === total); a command that can run longer than a second
 * passes the callback of a bar made here. The bar is drawn on stderr only when stderr is a terminal (`Io.progress`)
 * and never under `--json`: in a pipe, a file or a JSON run the output is the result alone.
 * @module
 */
import type { Io } from "./run.js";

/** Width of the bar in characters. */
const BAR_WIDTH = 30;

export interface ProgressBar {
  /** Redraw (only when the whole percentage or the detail changes); `detail` is e.g. the day a backtest is at. */
  update(done: number, total: number, detail?: string): void;
  /** Clear the line (the result follows on stdout). */
  done(): void;
}

/** A bar on a raw writer: one line redrawn with `\r`; `done()` clears it. */
export function progressBar(write: (text: string) => void, label: string): ProgressBar {
  let shown = "";
  let width = 0;
  return {
    update(done, total, detail) {
      const percent = total > 0 ? Math.max(0, Math.min(100, Math.floor((100 * done) / total))) : 100;
      const key = `${percent}|${detail ?? ""}`;
      if (key === shown) return;
      shown = key;
      const filled = Math.round((BAR_WIDTH * percent) / 100);
      const line = `${label} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%${detail !== undefined ? ` ${detail}` : ""} (${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")})`;
      // Pad to the longest line drawn so a shorter one leaves no tail of the previous.
      write(`\r${line.padEnd(width)}`);
      width = Math.max(width, line.length);
    },
    done() {
      if (width > 0) write(`\r${" ".repeat(width)}\r`);
      width = 0;
      shown = "";
    },
  };
}

/** A bar for `label` when stderr is a terminal and the command is not under `--json`; otherwise undefined. */
export function startProgress(io: Io, json: boolean, label: string): ProgressBar | undefined {
  return io.progress !== undefined && !json ? progressBar(io.progress, label) : undefined;
}

/**
 * Run `body` with a progress callback (undefined when no bar is drawn, so the engine skips the calls) and clear the
 * bar afterwards, also when `body` throws (the error line must start on a clean line).
 */
export function withProgress<T>(io: Io, json: boolean, label: string, body: (onProgress: ((done: number, total: number) => void) | undefined) => T): T {
  const bar = startProgress(io, json, label);
  try {
    return body(bar !== undefined ? (done, total) => bar.update(done, total) : undefined);
  } finally {
    bar?.done();
  }
}
