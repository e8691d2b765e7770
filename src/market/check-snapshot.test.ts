import { describe, expect, it } from "vitest";
import { checkSnapshot } from "./check-snapshot.js";
import type { MarketSnapshot } from "./types.js";

const T = Date.UTC(2024, 5, 17, 10);
const good: MarketSnapshot = {
  timestampMs: T,
  indexUsd: { BTC: 65666.19 },
  instruments: { "BTC-PERPETUAL": { markPrice: 65910.57 }, "BTC-28JUN24-70000-C": { markIv: 0.55 } },
};

describe("checkSnapshot (snapshots built in code, never through the JSON validator)", () => {
  it("passes a good snapshot", () => {
    expect(checkSnapshot(good)).toEqual([]);
  });

  it("catches NaN, Infinity and out-of-domain numbers with the file-format codes and paths", () => {
    const issues = checkSnapshot({
      timestampMs: NaN,
      indexUsd: { BTC: Infinity, eth: 1 },
      ratesDecimal: { USDC: NaN },
      instruments: { "BTC-28JUN24-70000-C": { markIv: NaN, markPrice: -1, openInterest: -2, markIvConfidence: 2 } },
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["non_finite", "timestamp"],
      ["non_finite", "index.BTC"],
      ["invalid_value", "index.eth"],
      ["non_finite", "rates.USDC"],
      ["not_positive", "instruments.BTC-28JUN24-70000-C.markPrice"],
      ["non_finite", "instruments.BTC-28JUN24-70000-C.markIv"],
      ["out_of_range", "instruments.BTC-28JUN24-70000-C.openInterest"],
      ["out_of_range", "instruments.BTC-28JUN24-70000-C.markIvConfidence"],
    ]);
  });

  it("reports names, spot, index, expiry, vol and option-only fields", () => {
    const issues = checkSnapshot({
      ...good,
      instruments: {
        "BTC-31FEB24": { markPrice: 1 },
        BTC: { markPrice: 1 },
        "ETH-PERPETUAL": { markPrice: 1 },
        "BTC-14JUN24": { markPrice: 1 },
        "BTC-28JUN24-60000-P": {},
        "BTC-28JUN24": { markPrice: 65000, underlyingPrice: 65000 },
        "BTC-28JUN24-50000-P": { markIv: 55 },
      },
    });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["malformed_instrument", "instruments.BTC-31FEB24"],
      ["malformed_instrument", "instruments.BTC"],
      ["missing_index", "instruments.ETH-PERPETUAL"],
      ["expired_instrument", "instruments.BTC-14JUN24"],
      ["missing_vol", "instruments.BTC-28JUN24-60000-P"],
      ["invalid_value", "instruments.BTC-28JUN24.underlyingPrice"],
      ["out_of_range", "instruments.BTC-28JUN24-50000-P.markIv"],
    ]);
  });
});
