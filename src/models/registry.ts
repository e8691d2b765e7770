/**
 * Model registry: a margin model by id, bound to a parameter set the caller has already parsed from JSON. Pure: reading
 * presets/<name>.json is I/O and lives in `io/presets.ts` (`loadPreset`, `loadModel`).
 * @module
 */
import { fail, issue } from "../errors.js";
import type { Result } from "../errors.js";
import { createDerivePmrm2Model, DERIVE_PMRM2_MODEL_ID, parseDerivePmrm2Params } from "./derive-pmrm2/index.js";
import { createGreeksModel, GREEKS_MODEL_ID, parseGreeksParams } from "./greeks/index.js";
import { createOkxModel, OKX_MODEL_ID, parseOkxParams } from "./okx/index.js";
import type { OkxParams } from "./okx/params.js";
import { createRiskMatrixModel, DERIBIT_MODEL_ID, parseRiskMatrixParams } from "./risk-matrix/index.js";
import { createSpanModel, parseSpanParams, SPAN_MODEL_ID } from "./span/index.js";
import { createStandardModel, STANDARD_MODEL_ID } from "./standard/model.js";
import { parseStandardParams } from "./standard/params.js";
import type { MarginModel } from "./types.js";
import { HYBRID_MODEL_ID } from "./hybrid/model.js";
import { hybridFactory, varFactory } from "./var/factory.js";
import type { StatisticalFactoryOptions } from "./var/factory.js";
import { VAR_MODEL_ID } from "./var/model.js";

/** A model factory: validate a parsed parameter set and bind it (statistical models also read `options`). */
type Factory = (parameterSet: unknown, options: CreateModelOptions) => Result<MarginModel>;

function bind<P>(parse: (input: unknown) => Result<P>, create: (params: P) => MarginModel): Factory {
  return (parameterSet) => {
    const p = parse(parameterSet);
    return p.ok ? { ok: true, value: create(p.value) } : p;
  };
}

const FACTORIES: Readonly<Record<string, Factory>> = {
  // Deribit portfolio margin: the risk-matrix model (any parameter set with "model": "risk-matrix").
  [DERIBIT_MODEL_ID]: bind(parseRiskMatrixParams, createRiskMatrixModel),
  [STANDARD_MODEL_ID]: bind(parseStandardParams, createStandardModel),
  [DERIVE_PMRM2_MODEL_ID]: bind(parseDerivePmrm2Params, createDerivePmrm2Model),
  // CME SPAN over crypto risk arrays (docs/methodology.md "SPAN").
  [SPAN_MODEL_ID]: bind(parseSpanParams, createSpanModel),
  // Greeks-based margin in the ISDA SIMM shape (docs/methodology.md "Greeks-based margin").
  [GREEKS_MODEL_ID]: bind(parseGreeksParams, createGreeksModel),
  // OKX portfolio margin, MR1–MR9 per risk unit (docs/methodology.md "OKX portfolio margin").
  [OKX_MODEL_ID]: bind(parseOkxParams, createOkxModel),
  // Statistical margin: ES under joint scenarios bound via `options.statistical` (docs/methodology.md "VaR and
  // expected shortfall", "Hybrid model").
  [VAR_MODEL_ID]: varFactory,
  [HYBRID_MODEL_ID]: hybridFactory,
};

/**
 * The models bound on a validated parameter set alone, as each exposes it (`model.params`): a partition snapshot
 * stores those parameters as JSON and binds the model on them again. Not the statistical models (`var`, `hybrid`):
 * they also need scenario sets.
 */
const ON_VALIDATED: Readonly<Record<string, (params: never) => MarginModel>> = {
  [DERIBIT_MODEL_ID]: createRiskMatrixModel,
  [STANDARD_MODEL_ID]: createStandardModel,
  [DERIVE_PMRM2_MODEL_ID]: createDerivePmrm2Model,
  [SPAN_MODEL_ID]: createSpanModel,
  [GREEKS_MODEL_ID]: createGreeksModel,
};

/**
 * Models whose validated set holds functions (look-ups its parser builds: `okx`), so it is not JSON: the snapshot
 * stores the parameter document the set was validated from (`raw`, plain JSON) and binds the model on it through
 * the model's own validation again.
 */
const ON_DOCUMENT: Readonly<Record<string, { readonly documentOf: (params: never) => object; readonly factory: Factory }>> = {
  [OKX_MODEL_ID]: { documentOf: (params: OkxParams) => params.raw, factory: FACTORIES[OKX_MODEL_ID] as Factory },
};

/**
 * The parameters `model` is bound to as {@link modelOnParams} binds it again (JSON as they are): its validated set,
 * or for a model in ON_DOCUMENT the document that set was validated from; undefined for the statistical models.
 */
export function validatedParamsOf(model: MarginModel): object | undefined {
  const params = (model as { params?: unknown }).params;
  if (typeof params !== "object" || params === null) return undefined;
  if (Object.hasOwn(ON_VALIDATED, model.id)) return params;
  return Object.hasOwn(ON_DOCUMENT, model.id) ? (ON_DOCUMENT[model.id] as (typeof ON_DOCUMENT)[string]).documentOf(params as never) : undefined;
}

/**
 * Model `id` bound on parameters {@link validatedParamsOf} gave: a validated set is not validated again (the caller's
 * own record), a parameter document is (undefined when it does not validate); undefined for a model not bound on
 * its parameters alone.
 */
export function modelOnParams(id: string, params: object): MarginModel | undefined {
  if (Object.hasOwn(ON_DOCUMENT, id)) {
    const bound = (ON_DOCUMENT[id] as (typeof ON_DOCUMENT)[string]).factory(params, {});
    return bound.ok ? bound.value : undefined;
  }
  const create = Object.hasOwn(ON_VALIDATED, id) ? ON_VALIDATED[id] : undefined;
  return create?.(params as never);
}

/** Ids of the registered models. */
export const MODEL_IDS: readonly string[] = Object.keys(FACTORIES);

/** The preset (file presets/<name>.json) each model uses unless told otherwise. */
export const DEFAULT_PRESETS: Readonly<Record<string, string>> = {
  [DERIBIT_MODEL_ID]: "deribit",
  [STANDARD_MODEL_ID]: "standard-deribit",
  [DERIVE_PMRM2_MODEL_ID]: "derive-pmrm2",
  [SPAN_MODEL_ID]: "span-crypto",
  [GREEKS_MODEL_ID]: "greeks-default",
  [OKX_MODEL_ID]: "okx",
  [VAR_MODEL_ID]: "var-default",
  [HYBRID_MODEL_ID]: "hybrid-default",
};

export interface CreateModelOptions extends StatisticalFactoryOptions {
  /**
   * The model's parameter set as parsed JSON (e.g. the content of presets/standard-deribit.json); validated by the
   * model. Required: the registry does no I/O (use `loadModel` in io/presets.ts to read the default preset).
   */
  readonly parameterSet?: unknown;
}

/**
 * Create a margin model by id.
 * @param id - a registered id ({@link MODEL_IDS}): "deribit" (risk matrix), "derive-pmrm2", "standard".
 * @returns the model, or `unknown_model` (path `model`), `required` (no parameter set), or the model's
 *   `invalid_parameter_set` issues (paths inside the parameter set).
 */
export function createModel(id: string, options: CreateModelOptions = {}): Result<MarginModel> {
  const factory = Object.hasOwn(FACTORIES, id) ? FACTORIES[id] : undefined;
  if (factory === undefined) {
    return fail(issue("unknown_model", "model", `unknown margin model ${JSON.stringify(id)}; known: ${MODEL_IDS.join(", ")}`));
  }
  if (options.parameterSet === undefined) {
    return fail(issue("required", "parameterSet", `model ${id} needs a parameter set (default preset: presets/${DEFAULT_PRESETS[id] ?? id}.json)`));
  }
  return factory(options.parameterSet, options);
}
