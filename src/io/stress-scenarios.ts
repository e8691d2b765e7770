/**
 * The user stress-scenario file (`scenarios.json`): zod schema (exported as schemas/stress-scenarios.schema.json) and
 * validation into the engine's {@link UserStressScenario}s. Documented in docs/formats.md (`## Stress scenarios`).
 *
 * Strict objects: an unknown field is an error, because a misspelt `volMoves` silently ignored would understate a
 * stress. Second stage: scenario names unique.
 * @module
 */
import { z } from "zod";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { CURRENCY_CODE_PATTERN } from "../market/instrument.js";
import { BOUNDS } from "../market/bounds.js";
import type { UserStressScenario } from "../risk/stress/user.js";
import { zodIssuesToIssues } from "./zod-issues.js";

const currencyCode = z.string().regex(new RegExp(CURRENCY_CODE_PATTERN));
/**
 * A relative move x = new/old − 1, inside the engine's bounds (market/bounds.ts): −0.999 to 100. A price or vol
 * cannot reach 0, and a move of 1.8e308 would make −Infinity of a loss.
 */
const relativeMove = z.number().min(BOUNDS.moveDecimal.min).max(BOUNDS.moveDecimal.max);

/** One user scenario. */
export const stressScenarioSchema = z
  .strictObject({
    name: z.string().min(1).max(80).meta({ description: "Unique name, shown in outputs (e.g. btc-crash-vol-up)." }),
    description: z.string().optional().meta({ description: "Free text." }),
    horizonDays: z.number().int().min(1).max(365).optional().meta({ description: "Horizon the moves are meant over, in days (informative). Default 1." }),
    priceMoves: z
      .record(currencyCode, relativeMove)
      .meta({ description: "Relative price move per currency, S'/S − 1 (−0.999 to 100): {\"BTC\": -0.3} is BTC down 30 %. Currencies not listed are unchanged." }),
    volMoves: z
      .record(currencyCode, relativeMove)
      .optional()
      .meta({ description: "Relative implied-vol move per base, σ'/σ − 1 (−0.999 to 100), applied to the whole surface: {\"BTC\": 0.5} multiplies every BTC vol by 1.5. Bases not listed are unchanged." }),
  })
  .meta({ description: "One stress scenario." });

/** The stress-scenario file. */
export const stressScenarioFileSchema = z
  .strictObject({
    scenarios: z.array(stressScenarioSchema).min(1).meta({ description: "One or more scenarios; names unique." }),
  })
  .meta({ title: "netrisk stress scenarios", description: "User-defined stress scenarios: per-factor price moves and vol moves. See docs/formats.md." });

/** The file as JSON. */
export type StressScenarioFile = z.infer<typeof stressScenarioFileSchema>;

/**
 * Validate a parsed JSON value as a stress-scenario file.
 * @returns the scenarios, or issues: invalid_type, required, non_finite, out_of_range (a move outside −0.999 to 100),
 *   invalid_value (unknown field, bad currency code), duplicate (a name twice).
 */
export function validateStressScenarios(input: unknown): Result<UserStressScenario[]> {
  const parsed = stressScenarioFileSchema.safeParse(input);
  if (!parsed.success) return fail(...zodIssuesToIssues(parsed.error.issues, input));
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  parsed.data.scenarios.forEach((s, i) => {
    const prev = seen.get(s.name);
    if (prev !== undefined) issues.push(issue("duplicate", `scenarios[${i}].name`, `name ${JSON.stringify(s.name)} already used by scenarios[${prev}]`));
    else seen.set(s.name, i);
  });
  if (issues.length > 0) return fail(...issues);
  return ok(
    parsed.data.scenarios.map((s) => ({
      name: s.name,
      priceMoves: { ...s.priceMoves },
      ...(s.description !== undefined ? { description: s.description } : {}),
      ...(s.horizonDays !== undefined ? { horizonDays: s.horizonDays } : {}),
      ...(s.volMoves !== undefined ? { volMoves: { ...s.volMoves } } : {}),
    })),
  );
}

/** Parse and validate the text of a stress-scenario file; `sourceName` is the path of an `invalid_json` issue. */
export function parseStressScenariosJson(text: string, sourceName: string): Result<UserStressScenario[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(issue("invalid_json", sourceName, (e as Error).message));
  }
  return validateStressScenarios(value);
}
