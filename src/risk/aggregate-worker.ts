/**
 * Worker-thread entry of the parallel aggregation (`./parallel.ts`): receives {@link AggregateTaskMessage}s, runs
 * them, answers `done` or `error`. Compiled to dist/risk/aggregate-worker.js, which the pool loads by default.
 *
 * It only listens when started by the pool (`workerData.netriskAggregateWorker === true`): importing this module
 * anywhere else (a test runner's own worker thread, a bundler) does nothing.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { createTaskState, runAggregateTask } from "./aggregate-task.js";
import type { AggregateTaskMessage, AggregateTaskReply } from "./aggregate-task.js";

const startedByPool = (workerData as { netriskAggregateWorker?: unknown } | null)?.netriskAggregateWorker === true;
const port = parentPort;

if (startedByPool && port !== null) {
  const state = createTaskState();
  port.on("message", (msg: AggregateTaskMessage) => {
    let reply: AggregateTaskReply;
    try {
      runAggregateTask(msg, state);
      reply = { type: "done", taskIndex: msg.taskIndex };
    } catch (e) {
      reply = { type: "error", taskIndex: msg.taskIndex, message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}
