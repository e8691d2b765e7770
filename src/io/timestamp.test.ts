import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatIsoTimestamp, parseIsoTimestampMs } from "./timestamp.js";

describe("parseIsoTimestampMs", () => {
  it("agrees with the engine's Date.parse on every valid ms-precision instant and zone (fast-check)", () => {
    // Reference: V8's Date.parse (ECMA-262 date-time string format), on strings we build from an instant and a zone.
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, offsetMin) => {
          const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
          const sign = offsetMin < 0 ? "-" : "+";
          const a = Math.abs(offsetMin);
          const text = `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
          expect(parseIsoTimestampMs(text)).toBe(Date.parse(text));
          expect(parseIsoTimestampMs(text)).toBe(ms);
        },
      ),
    );
  });

  it("truncates sub-millisecond digits (the 2025 Deribit file's stamp) and accepts no fraction", () => {
    expect(parseIsoTimestampMs("2025-12-30T17:31:15.944181+00:00")).toBe(1767115875944);
    expect(parseIsoTimestampMs("2024-06-17T10:22:20Z")).toBe(1718619740000);
  });

  it.each(["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-06-17T24:00:00Z", "2024-06-17T10:60:00Z", "2024-06-17T10:22:60Z", "2024-06-17T10:22:20", "2024-06-17 10:22:20Z", "2024-06-17", "2024-06-17T10:22Z", "0999-01-01T00:00:00Z", "2024-06-17T10:22:20+25:00"])(
    "rejects %j",
    (text) => {
      expect(parseIsoTimestampMs(text)).toBeUndefined();
    },
  );

  it("formats back to the UTC ms form", () => {
    expect(formatIsoTimestamp(1718619740501)).toBe("2024-06-17T10:22:20.501Z");
  });
});
