/**
 * `--threads` of `netrisk serve` and `netrisk worker` (docs/cli.md): a bad value exits 2 with one coded line naming
 * the flag, before anything opens (the URLs below lead nowhere); `serve --cluster` refuses it (the workers take it).
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

const PG = ["--database-url", "postgres://127.0.0.1:1/none"];
const CASES: readonly (readonly [argv: readonly string[], code: string])[] = [
  [["serve", "--port", "0", "--threads", "0", ...PG], "out_of_range"],
  [["serve", "--port", "0", "--threads", "65", ...PG], "out_of_range"],
  [["serve", "--port", "0", "--threads", "two", ...PG], "out_of_range"],
  [["serve", "--port", "0", "--threads", "1.5", ...PG], "out_of_range"],
  [["serve", "--port", "0", "--cluster", "nats://127.0.0.1:1", "--partitions", "4", "--threads", "2", ...PG], "invalid_value"],
];
// `netrisk worker` prints JSON: the coded error document on stdout.
const WORKER_CASES: readonly (readonly string[])[] = [
  ["worker", "--nats", "nats://127.0.0.1:1", "--partitions", "4", "--threads", "0", ...PG],
  ["worker", "--nats", "nats://127.0.0.1:1", "--partitions", "4", "--threads", "-1", ...PG],
  ["worker", "--nats", "nats://127.0.0.1:1", "--partitions", "4", "--threads", "100", ...PG],
];

describe("--threads", () => {
  for (const [argv, code] of CASES) {
    it(`${argv.join(" ")} → --threads: ${code}`, async () => {
      const run = await runCli(...argv);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^netrisk: error: --threads: ${code}: `));
      expect(run.stdout).toBe("");
    });
  }
  for (const argv of WORKER_CASES) {
    it(`${argv.join(" ")} → --threads: out_of_range (JSON)`, async () => {
      const run = await runCli(...argv);
      expect(run.code).toBe(2);
      const doc = JSON.parse(run.stdout) as { error: { code: string; issues: { code: string; path: string }[] } };
      expect(doc.error.issues.map((i) => [i.path, i.code])).toEqual([["--threads", "out_of_range"]]);
    });
  }
});
