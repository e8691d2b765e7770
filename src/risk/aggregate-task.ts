/**
 * One unit of parallel aggregation work (an account range) and its execution, shared by the worker thread
 * (`./aggregate-worker.ts`) and tests that run it in-process. The message format between `./parallel.ts` and the
 * workers is defined here.
 * @module
 */
import { vectorsRange, worstLossRange } from "./aggregate-ts.js";
import { createWasmAggregator } from "./wasm/kernel.js";
import type { WasmAggregator } from "./wasm/kernel.js";

/** A task: compute accounts [a0, a1) of a book against a risk matrix; results go to a shared output. */
export interface AggregateTaskMessage {
  readonly type: "task";
  readonly taskIndex: number;
  readonly mode: "worst" | "vectors";
  /** Which kernel; "auto" = WebAssembly SIMD when available. */
  readonly kernel: "auto" | "wasm" | "typescript";
  /** Identifies the risk matrix so a worker prepares it (SIMD layout) once, not once per task. */
  readonly arraysId: number;
  /** Risk matrix, row-major, on a SharedArrayBuffer (shared by all workers, never copied by postMessage). */
  readonly data: Float64Array;
  readonly scenarioCount: number;
  readonly rowCount: number;
  readonly offsets: Int32Array;
  readonly instrumentIndex: Int32Array;
  readonly sizeCoin: Float64Array;
  readonly a0: number;
  readonly a1: number;
  readonly dampener: Float64Array | null;
  /** Output on a SharedArrayBuffer: per-account loss (mode "worst") or vectors with stride S (mode "vectors"). */
  readonly out: Float64Array;
  /** Completion flags (Int32Array on a SharedArrayBuffer): the worker stores 1 at taskIndex with Atomics. */
  readonly doneFlags: Int32Array;
}

export interface AggregateTaskReply {
  readonly type: "done" | "error";
  readonly taskIndex: number;
  readonly message?: string;
}

/** Per-thread state: the prepared risk matrix (by id) and the kernel instance. */
export interface AggregateTaskState {
  arraysId: number;
  /** Whether the prepared state was set up for WebAssembly (requested kernel ≠ "typescript"). */
  wasmRequested: boolean;
  kernel: WasmAggregator | null;
  scratch: Float64Array;
}

export function createTaskState(): AggregateTaskState {
  return { arraysId: -1, wasmRequested: false, kernel: null, scratch: new Float64Array(0) };
}

/**
 * Run one task. Results written into `msg.out` are then published with `Atomics.store(doneFlags, taskIndex, 1)`:
 * the sequentially-consistent store orders the plain writes before it for a reader that does `Atomics.load` on the
 * flag (ECMAScript memory model), so the main thread reads complete results without relying on postMessage ordering.
 */
export function runAggregateTask(msg: AggregateTaskMessage, state: AggregateTaskState): void {
  const S = msg.scenarioCount;
  const wasmRequested = msg.kernel !== "typescript";
  if (state.arraysId !== msg.arraysId || state.wasmRequested !== wasmRequested) {
    // "auto" falls back to TypeScript (kernel null) where WebAssembly SIMD is unavailable.
    state.kernel = wasmRequested ? createWasmAggregator(S) : null;
    if (state.kernel === null && msg.kernel === "wasm") throw new Error("WebAssembly SIMD is not available in this worker");
    // Re-laying the matrix into the SIMD layout happens once per (thread, risk matrix), not per task.
    state.kernel?.loadArrays(msg.data, msg.rowCount);
    state.arraysId = msg.arraysId;
    state.wasmRequested = wasmRequested;
    state.scratch = new Float64Array(S);
  }
  const k = state.kernel;
  const { offsets, instrumentIndex, sizeCoin, a0, a1, out } = msg;
  if (msg.mode === "worst") {
    if (k !== null) {
      k.setDampener(msg.dampener);
      k.worstLoss(offsets, instrumentIndex, sizeCoin, a0, a1, out, a0);
    } else {
      worstLossRange(msg.data, S, offsets, instrumentIndex, sizeCoin, a0, a1, msg.dampener, state.scratch, out, a0);
    }
  } else if (k !== null) {
    k.vectors(offsets, instrumentIndex, sizeCoin, a0, a1, out, a0 * S);
  } else {
    vectorsRange(msg.data, S, offsets, instrumentIndex, sizeCoin, a0, a1, out, a0 * S);
  }
  Atomics.store(msg.doneFlags, msg.taskIndex, 1);
}
