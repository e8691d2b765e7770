import { describe, expect, it } from "vitest";
import type { DerivativeInstrument } from "../../market/types.js";
import type { BucketPosition } from "./bucket.js";
import { sortByName } from "./model.js";
import { bucketKeyOf } from "./scenario-set.js";
import { Xoshiro256StarStar } from "../../math/rng.js";

describe("risk-matrix internals that only save allocation", () => {
  it("sortByName orders a bucket as the built-in sort by name does, small (insertion) and large", () => {
    // The project's seeded generator, so a failure repeats.
    const stream = Xoshiro256StarStar.fromSeed(7);
    const rnd = (): number => stream.nextDouble();
    for (const n of [0, 1, 2, 3, 17, 50, 63, 64, 65, 200]) {
      for (let trial = 0; trial < 20; trial++) {
        // Distinct names in random rows (a bucket's names are distinct: merged by name).
        const names = Array.from({ length: n }, (_, i) => `BTC-${Math.floor(rnd() * 1e6)}-${i}`);
        const positions: BucketPosition[] = names.map((_, row) => ({ row, sizeCoin: rnd() - 0.5 })).sort(() => rnd() - 0.5);
        const expected = [...positions].sort((a, b) => ((names[a.row] as string) < (names[b.row] as string) ? -1 : 1));
        const got = [...positions];
        sortByName(got, names);
        expect(got).toEqual(expected);
      }
    }
  });

  it("bucketKeyOf is <base>_<settlement> in lower case, the same on every call", () => {
    const inst = (base: string, settlementCurrency: string) => ({ base, settlementCurrency }) as DerivativeInstrument;
    for (let round = 0; round < 2; round++) {
      expect(bucketKeyOf(inst("BTC", "BTC"))).toBe("btc_btc");
      expect(bucketKeyOf(inst("BTC", "USDC"))).toBe("btc_usdc");
      expect(bucketKeyOf(inst("ETH", "USDC"))).toBe("eth_usdc");
      expect(bucketKeyOf(inst("Sol", "UsDc"))).toBe("sol_usdc");
    }
  });
});
