import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchemaFiles } from "./json-schema.js";

const schemasDir = fileURLToPath(new URL("../../schemas/", import.meta.url));

describe("committed JSON Schemas", () => {
  const files = Object.entries(renderJsonSchemaFiles());

  it("include the market schema", () => {
    expect(files.map(([f]) => f)).toContain("market.schema.json");
  });

  it.each(files)("schemas/%s equals the schema generated from the zod schema", (file, text) => {
    // Exact text comparison: regenerate with `npm run schemas` after a schema change.
    expect(readFileSync(`${schemasDir}${file}`, "utf8")).toBe(text);
  });

  it("describes the market file's name patterns and bounds", () => {
    const schema = JSON.parse(renderJsonSchemaFiles()["market.schema.json"] ?? "{}") as {
      required: string[];
      additionalProperties: boolean;
      properties: { instruments: { propertyNames: { pattern: string } } };
    };
    expect(schema.required).toEqual(["timestamp", "index", "instruments"]);
    expect(schema.additionalProperties).toBe(false);
    const names = new RegExp(schema.properties.instruments.propertyNames.pattern);
    expect(["BTC-PERPETUAL", "BTC-28JUN24", "BTC_USDC-28JUN24-70000-C", "XRP_USDC-30JUN23-0d625-C"].every((n) => names.test(n))).toBe(true);
    expect(["BTC", "btc-perpetual", "BTC-028JUN24"].some((n) => names.test(n))).toBe(false);
  });
});
