/**
 * Registry factories of the statistical models (`var`, `hybrid`): unlike the scenario-grid models they need scenario
 * sets, which the io/cli layer builds from history files and passes in `statistical` (the registry stays pure).
 * @module
 */
import { fail, issue } from "../../errors.js";
import type { Result } from "../../errors.js";
import { createHybridModel } from "../hybrid/model.js";
import { createRiskMatrixModel, parseRiskMatrixParams } from "../risk-matrix/index.js";
import type { MarginModel } from "../types.js";
import { createVarModel } from "./model.js";
import { parseHybridParams, parseVarParams } from "./params.js";
import type { StatisticalInputs } from "./report.js";

/** What the statistical factories read from the registry's options. */
export interface StatisticalFactoryOptions {
  /** The scenario sets to bind (main set, optional stress set and correlation-breakdown sets). */
  readonly statistical?: StatisticalInputs;
  /** `hybrid` only: the parsed risk-matrix parameter set named by the hybrid set's `riskMatrixPreset`. */
  readonly riskMatrixParameterSet?: unknown;
}

const needScenarios = (id: string) =>
  fail<MarginModel>(issue("required", "statistical", `model ${id} needs joint scenarios (build them from history files: netrisk var --history FILE...)`));

/** Factory of the `var` model. */
export function varFactory(parameterSet: unknown, options: StatisticalFactoryOptions): Result<MarginModel> {
  const p = parseVarParams(parameterSet);
  if (!p.ok) return p;
  if (options.statistical === undefined) return needScenarios("var");
  return createVarModel(p.value, options.statistical);
}

/** Factory of the `hybrid` model. */
export function hybridFactory(parameterSet: unknown, options: StatisticalFactoryOptions): Result<MarginModel> {
  const p = parseHybridParams(parameterSet);
  if (!p.ok) return p;
  if (options.statistical === undefined) return needScenarios("hybrid");
  if (options.riskMatrixParameterSet === undefined) {
    return fail(issue("required", "riskMatrixParameterSet", `model hybrid needs the risk-matrix parameter set presets/${p.value.riskMatrixPreset}.json`));
  }
  const rm = parseRiskMatrixParams(options.riskMatrixParameterSet);
  if (!rm.ok) return fail(...rm.issues.map((i) => ({ ...i, path: `riskMatrixParameterSet${i.path ? `.${i.path}` : ""}` })));
  return createHybridModel(p.value, options.statistical, createRiskMatrixModel(rm.value));
}
