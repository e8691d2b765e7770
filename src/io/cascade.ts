/**
 * The cascade's file formats at the boundary (docs/cascade.md): liquidation policies (presets/liquidation-*.json) and
 * market-impact models (presets/impact-default.json), validated by their zod schemas with the shared issue mapping;
 * JSON Schemas exported to schemas/liquidation-policy.schema.json and impact-model.schema.json.
 * @module
 */
import { fail, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { impactModelSchema } from "../live/cascade/impact.js";
import type { ImpactModel } from "../live/cascade/impact.js";
import { liquidationPolicySchema } from "../live/cascade/policy.js";
import type { LiquidationPolicy } from "../live/cascade/policy.js";
import { zodIssuesToIssues } from "./zod-issues.js";

/** Validate a liquidation policy file. */
export function validateLiquidationPolicy(input: unknown): Result<LiquidationPolicy> {
  const parsed = liquidationPolicySchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail(...zodIssuesToIssues(parsed.error.issues, input));
}

/** Validate a market-impact model file. */
export function validateImpactModel(input: unknown): Result<ImpactModel> {
  const parsed = impactModelSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail(...zodIssuesToIssues(parsed.error.issues, input));
}

/** The bundled policy presets (presets/liquidation-<name>.json). */
export const LIQUIDATION_PRESETS = ["deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop"] as const;
export const DEFAULT_LIQUIDATION_PRESET = "deribit-incremental";
