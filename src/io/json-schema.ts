/**
 * JSON Schema (draft 2020-12) export of the file-format validation schemas, generated from the zod schemas with
 * `z.toJSONSchema` so the published schema cannot drift from what the engine accepts. scripts/export-schemas.js writes
 * them to schemas/<name>.schema.json after a build; a test checks the committed files equal the generated text.
 *
 * The JSON Schema covers the first validation stage (shape, types, bounds, name syntax). Rules that need several
 * fields (calendar dates in names, expiry vs timestamp, index per base, vol or price per option) are documented in
 * docs/formats.md and enforced by the validators only.
 * @module
 */
import { z } from "zod";
import { breakerRulesSchema } from "../live/breakers.js";
import { impactModelSchema } from "../live/cascade/impact.js";
import { liquidationPolicySchema } from "../live/cascade/policy.js";
import { liveParamsSchema } from "../live/params.js";
import { accountFileSchema } from "./account.js";
import { tickSchema } from "./live.js";
import { marketFileSchema } from "./market.js";
import { portfolioFileSchema } from "./portfolio.js";
import { stressScenarioFileSchema } from "./stress-scenarios.js";

/**
 * Every exported file schema by name; the file is schemas/<name>.schema.json. Add an entry here for a new format
 * (e.g. `portfolio`) and run `npm run schemas` (build, then scripts/export-schemas.js).
 */
export const FILE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  account: accountFileSchema,
  breakers: breakerRulesSchema,
  "impact-model": impactModelSchema,
  "liquidation-policy": liquidationPolicySchema,
  "live-params": liveParamsSchema,
  market: marketFileSchema,
  portfolio: portfolioFileSchema,
  "stress-scenarios": stressScenarioFileSchema,
  tick: tickSchema,
};

/** The JSON Schema object of one file schema (describes the input as a user writes it). */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
}

/** File name → exact file text (2-space JSON, trailing newline) for every entry of {@link FILE_SCHEMAS}. */
export function renderJsonSchemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(FILE_SCHEMAS)) out[`${name}.schema.json`] = `${JSON.stringify(toJsonSchema(schema), null, 2)}\n`;
  return out;
}
