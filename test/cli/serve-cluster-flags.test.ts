/**
 * `netrisk serve --cluster` flag checks (docs/cli.md, docs/server.md): each bad combination exits 2 with one coded line
 * naming the flag, before anything opens (no NATS server or database is reached: the URLs below lead nowhere).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers.js";

const PG = ["--database-url", "postgres://127.0.0.1:1/none"];
const CASES: readonly (readonly [argv: readonly string[], path: string, code: string])[] = [
  [["--cluster", "http://127.0.0.1:4222", "--partitions", "4", ...PG], "--cluster", "invalid_value"],
  [["--cluster", "nats://127.0.0.1:4222", ...PG], "--partitions", "required"],
  [["--cluster", "nats://127.0.0.1:4222", "--partitions", "0", ...PG], "--partitions", "out_of_range"],
  [["--cluster", "nats://127.0.0.1:4222", "--partitions", "4", "--data", join(mkdtempSync(join(tmpdir(), "netrisk-serve-")), "pglite")], "--database-url", "required"],
  [["--cluster", "nats://127.0.0.1:4222", "--partitions", "4", "--cluster-name", "a.b", ...PG], "--cluster-name", "invalid_value"],
];

describe("serve --cluster flags", () => {
  for (const [argv, path, code] of CASES) {
    it(`${argv.join(" ")} → ${path}: ${code}`, async () => {
      const run = await runCli("serve", "--port", "0", ...argv);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^netrisk: error: ${path.replace(/[-.]/g, "\\$&")}: ${code}: `));
      expect(run.stdout).toBe("");
    });
  }
});
