/**
 * The public API as a user imports it (`import { ... } from "netrisk"`): the package's own name resolves through the
 * `exports` map to dist/ after `npm run build` (the test script builds first).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as api from "../src/index.js";

describe("public API", () => {
  it("computes a margin end to end with only public exports (README example)", () => {
    const market = api.unwrap(api.loadMarketFile("examples/deribit-w1/market.json")).snapshot;
    const context = api.unwrap(api.buildMarketContext(market));
    const portfolio = api.unwrap(
      api.validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", size: 0.314538364 }, { instrument: "BTC-28JUN24", size: -0.001187534 }] }, context),
    );
    const result = api.unwrap(api.loadModel("deribit")).compute(portfolio, context);
    // Deribit pme/simulate docs example: maintenance margin 0.050274504784 BTC (1e-9, see src/models/risk-matrix/w1.test.ts).
    expect(result.byCurrency.btc_btc?.maintenanceMargin).toBeCloseTo(0.050274504784, 9);
  });

  it("exports the documented names", () => {
    for (const name of ["black76PriceUsd", "impliedVolCoin", "parseInstrument", "buildVolSurface", "createModel", "compareModels", "NetriskError", "normCdf"]) {
      expect(typeof (api as Record<string, unknown>)[name]).toBe("function");
    }
  });

  it("VERSION matches package.json", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(api.VERSION).toBe(pkg.version);
  });

  it("the built package resolves by its own name through the exports map", async () => {
    const built = (await import("netrisk")) as Record<string, unknown>;
    expect(typeof built.buildMarketContext).toBe("function");
  });
});
