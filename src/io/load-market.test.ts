import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { itWithSharedData, sharedData } from "../../test/helpers/requires.js";
import { loadMarketFile } from "./load-market.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-load-market-"));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const MARKET = JSON.stringify({ timestamp: "2024-06-17T10:22:20.501Z", index: { BTC: 65666.19 }, instruments: { "BTC-PERPETUAL": { markPrice: 65910.57 } } });

describe("loadMarketFile", () => {
  it("loads a market JSON by extension or by content", () => {
    for (const name of ["m.json", "m.txt"]) {
      const r = loadMarketFile(write(name, MARKET));
      expect(r.ok && [r.value.format, r.value.snapshot.indexUsd]).toEqual(["json", { BTC: 65666.19 }]);
    }
  });

  it("reports a missing file, invalid JSON and an unknown CSV with the file as path", () => {
    const missing = join(dir, "nope.json");
    expect(loadMarketFile(missing)).toMatchObject({ ok: false, issues: [{ code: "file_not_found", path: missing }] });
    const bad = write("bad.json", "{");
    expect(loadMarketFile(bad)).toMatchObject({ ok: false, issues: [{ code: "invalid_json", path: bad }] });
    const csv = write("other.csv", "a,b\n1,2\n");
    expect(loadMarketFile(csv)).toMatchObject({ ok: false, issues: [{ code: "unsupported", path: csv }] });
  });

  it("refuses side files for a JSON market instead of ignoring them", () => {
    const r = loadMarketFile(write("m2.json", MARKET), { futuresPath: "f.csv" });
    expect(r).toMatchObject({ ok: false, issues: [{ code: "unsupported" }] });
  });

  itWithSharedData("loads the real Deribit CSVs by header, with side files (../shared/data)", () => {
    const d = sharedData("");
    const a = loadMarketFile(`${d}deribit_btc_eth_options_20251230T1731Z.csv`, {
      futuresPath: `${d}deribit_futures_marks_20251230T1731Z.csv`,
      perpetualsPath: `${d}deribit_perpetual_prices_20251230T1731Z.csv`,
    });
    expect(a.ok && [a.value.format, Object.keys(a.value.snapshot.instruments).length]).toEqual(["deribit-options-snapshot", 1304 + 16 + 2]);
    const b = loadMarketFile(`${d}deribit_btc_options_20200521T2319Z.csv`);
    expect(b.ok && [b.value.format, Object.keys(b.value.snapshot.instruments).length]).toEqual(["deribit-ticker", 326 + 3]);
    const missingSide = loadMarketFile(`${d}deribit_btc_eth_options_20251230T1731Z.csv`, { futuresPath: `${d}nope.csv` });
    expect(missingSide).toMatchObject({ ok: false, issues: [{ code: "file_not_found", path: `${d}nope.csv` }] });
  });
});
