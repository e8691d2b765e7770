/** keyedSerial: one key's calls run one at a time in arrival order (a failure does not block the next); keys overlap. */
import { describe, expect, it } from "vitest";
import { keyedSerial } from "../../src/server/keyed-serial.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("keyedSerial", () => {
  it("serialises calls per key, in order, past failures; other keys run concurrently", async () => {
    const serial = keyedSerial();
    const log: string[] = [];
    let running = 0;
    let maxA = 0;
    const job = (key: string, name: string, ms: number, fail = false) =>
      serial(key, async () => {
        if (key === "a") maxA = Math.max(maxA, ++running);
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        if (key === "a") running--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job("a", "a1", 20), job("a", "a2", 1, true), job("a", "a3", 1), job("b", "b1", 1)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(maxA).toBe(1);
    expect(log.filter((l) => / a\d$/.test(l))).toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
    // b1 started while a1 was still running.
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });
});
