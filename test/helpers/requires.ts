/**
 * Test-side view of the environment probed by test/global-setup.ts. Use it to skip what the machine lacks:
 *
 *   import { testEnv, sharedData } from "../helpers/requires.js";
 *   describe.skipIf(testEnv.postgresUrl === null)("store on PostgreSQL", () => { ... });
 *   describe.skipIf(testEnv.sharedDataDir === null)("real chain", () => { const f = sharedData("deribit_...csv"); });
 *
 * The global setup prints ONE notice per missing component for the whole run, and with NETRISK_REQUIRE_ALL=1
 * (.ci/run) it fails the run instead, so a skip here can never hide a missing component in CI.
 */
import { describe, inject, it } from "vitest";
import type { TestEnv } from "./test-env.js";

export const testEnv: TestEnv = inject("testEnv");

/** Absolute path of a file in ../shared/data. Only call inside a block skipped when `testEnv.sharedDataDir` is null. */
export function sharedData(file: string): string {
  if (testEnv.sharedDataDir === null) throw new Error(`../shared/data is missing (wanted ${file})`);
  return `${testEnv.sharedDataDir}${file}`;
}

export const hasSharedData: boolean = testEnv.sharedDataDir !== null;

/** `describe` that runs only when ../shared/data is beside the repository (one notice for the whole run otherwise). */
export function describeWithSharedData(name: string, body: () => void): void {
  describe.skipIf(!hasSharedData)(name, body);
}

/** `it` that runs only when ../shared/data is beside the repository. */
export function itWithSharedData(name: string, body: () => unknown, timeoutMs?: number): void {
  it.skipIf(!hasSharedData)(name, async () => {
    await body();
  }, timeoutMs);
}

/**
 * Load something from ../shared/data at module level, or nothing when the data is missing: the blocks that use it are
 * skipped then (describeWithSharedData / itWithSharedData), so the placeholder is never read.
 */
export function whenSharedData<T>(load: () => T): T {
  return hasSharedData ? load() : (undefined as never);
}
