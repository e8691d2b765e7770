/** `netrisk serve --feed` pacing (feed-pace.ts): the schedule of the ticks and the flags' errors. */
import { describe, expect, it } from "vitest";
import { dueMs, feedPaceOf } from "../../src/cli/commands/feed-pace.js";
import { runCli } from "./helpers.js";

describe("feed pacing", () => {
  it("reads the flags: as fast as possible by default, a rate, real time with an optional speed", () => {
    expect(feedPaceOf(undefined, undefined)).toEqual({ kind: "asap" });
    expect(feedPaceOf("20", undefined)).toEqual({ kind: "rate", ticksPerSecond: 20 });
    expect(feedPaceOf(undefined, true)).toEqual({ kind: "realtime", speed: 1 });
    expect(feedPaceOf(undefined, "60")).toEqual({ kind: "realtime", speed: 60 });
    expect(() => feedPaceOf("0", undefined)).toThrow(/--feed-rate must be a number > 0/);
    expect(() => feedPaceOf("abc", undefined)).toThrow(/got "abc"/);
    expect(() => feedPaceOf(undefined, "-1")).toThrow(/--feed-realtime/);
    expect(() => feedPaceOf("5", true)).toThrow(/not both/);
  });

  it("schedules the k-th tick at k / rate, or at its market time since the first over the speed, never earlier than the one before", () => {
    const rate = feedPaceOf("4", undefined);
    expect([0, 1, 2, 9].map((k) => dueMs(rate, k, 0, 0, 0))).toEqual([0, 250, 500, 2250]);
    const rt = feedPaceOf(undefined, "60");
    const t0 = Date.parse("2020-03-12T00:00:00Z");
    const ts = [0, 60_000, 120_000, 90_000, 3_600_000].map((d) => t0 + d);
    let prev = 0;
    const due = ts.map((t, k) => (prev = dueMs(rt, k, t, t0, prev)));
    // One minute of market time = one second; a tick older than the one before is due at once (the engine ignores it).
    expect(due).toEqual([0, 1000, 2000, 2000, 60_000]);
    expect(dueMs(feedPaceOf(undefined, undefined), 5, t0 + 5e6, t0, 0)).toBe(0);
  });

  it("serve: a pace without --feed, or both paces, exits 2 before opening a store", async () => {
    const noFeed = await runCli("serve", "--feed-rate", "5", "--port", "0");
    expect([noFeed.code, noFeed.stderr.trim()]).toEqual([2, "netrisk: error: --feed: required: --feed-rate paces a --feed FILE: give one"]);
    const both = await runCli("serve", "--feed", "examples/replay-2020-03-12/ticks.jsonl", "--feed-rate", "5", "--feed-realtime");
    expect([both.code, both.stderr]).toEqual([2, "netrisk: error: --feed-rate: invalid_value: give --feed-rate or --feed-realtime, not both\n"]);
  });
});
