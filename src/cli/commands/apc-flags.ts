/**
 * The anti-procyclicality flags (EMIR RTS 153/2013 Art. 28; docs/methodology.md "Anti-procyclical margin") shared by
 * `netrisk var`, `margin --history`, `compare --history` and `backtest`: which tools are on and their values, merged
 * into the statistical parameter set's `antiProcyclicality` block (the model's parser validates the result).
 * @module
 */
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import { APC_TOOLS, DEFAULT_APC } from "../../models/var/apc.js";
import type { ApcTool } from "../../models/var/apc.js";
import { numberFlag } from "./risk-inputs.js";

export interface ApcFlags {
  apc?: string;
  apcBuffer?: string;
  apcStressedWeight?: string;
  apcLookbackYears?: string;
}

/** Add the anti-procyclicality flags to a command. */
export function apcOptions(cmd: Command): Command {
  return cmd
    .option("--apc <tools>", `anti-procyclicality tools (EMIR Art. 28), comma-separated: ${APC_TOOLS.join(" | ")} | none (default: the parameter set's)`)
    .option("--apc-buffer <decimal>", "with --apc buffer: buffer over the margin, e.g. 0.25 (EMIR minimum 25 %)")
    .option("--apc-stressed-weight <decimal>", "with --apc stressed-weight: weight of the stressed observations, e.g. 0.25 (EMIR minimum 25 %)")
    .option("--apc-lookback-years <years>", "with --apc lookback-floor: look-back of the floor in years (EMIR: 10; capped at the history)");
}

/** The tools named by `--apc` (undefined without the flag). */
export function apcTools(value: string | undefined): ApcTool[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
  if (names.length === 1 && names[0] === "none") return [];
  const bad = names.filter((n) => !(APC_TOOLS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) throw new NetriskError([issue("invalid_value", "--apc", `expected a comma-separated list of ${APC_TOOLS.join(", ")} (or none), got ${JSON.stringify(value)}`)]);
  return [...new Set(names as ApcTool[])];
}

/** True when a flag asks for an anti-procyclicality change. */
export function hasApcFlags(flags: ApcFlags): boolean {
  return flags.apc !== undefined || flags.apcBuffer !== undefined || flags.apcStressedWeight !== undefined || flags.apcLookbackYears !== undefined;
}

/** The parameter-set JSON with the flags merged into its `antiProcyclicality` block (EMIR defaults where absent). */
export function withApcFlags(json: Record<string, unknown>, flags: ApcFlags): Record<string, unknown> {
  if (!hasApcFlags(flags)) return json;
  const current = (typeof json.antiProcyclicality === "object" && json.antiProcyclicality !== null ? json.antiProcyclicality : {}) as Record<string, unknown>;
  const tools = apcTools(flags.apc);
  return {
    ...json,
    antiProcyclicality: {
      ...DEFAULT_APC,
      ...current,
      ...(tools !== undefined ? { tools } : {}),
      ...(flags.apcBuffer !== undefined ? { bufferDecimal: numberFlag(flags.apcBuffer, "--apc-buffer", { min: 0, max: 10 }) } : {}),
      ...(flags.apcStressedWeight !== undefined ? { stressedWeightDecimal: numberFlag(flags.apcStressedWeight, "--apc-stressed-weight", { min: 0, max: 1 }) } : {}),
      ...(flags.apcLookbackYears !== undefined ? { lookbackFloorYears: numberFlag(flags.apcLookbackYears, "--apc-lookback-years", { integer: true, min: 1, max: 50 }) } : {}),
    },
  };
}

/**
 * The tools of a model without a statistical parameter set (risk matrix, SPAN, ...), applied by the backtest walk:
 * `--apc buffer` the releasable buffer over its margin series, `--apc lookback-floor` the margin floored by the same
 * model at the vols' look-back level (backtest/vol-floor.ts). `stressed-weight` needs historical scenarios inside the
 * model and is refused.
 */
export function seriesApcFlags(flags: ApcFlags, model: string): { buffer?: { bufferDecimal: number; rebuildDays: number }; lookbackFloor?: { years: number } } {
  const tools = apcTools(flags.apc) ?? [];
  const other = tools.filter((t) => t !== "buffer" && t !== "lookback-floor");
  if (other.length > 0) throw new NetriskError([issue("unsupported", "--apc", `${other.join(", ")}: only the var and hybrid models take historical scenarios; model ${model} takes --apc buffer and lookback-floor`)]);
  if (!tools.includes("buffer") && flags.apcBuffer !== undefined) throw new NetriskError([issue("invalid_value", "--apc-buffer", "give --apc buffer to switch the buffer on")]);
  if (!tools.includes("lookback-floor") && flags.apcLookbackYears !== undefined) throw new NetriskError([issue("invalid_value", "--apc-lookback-years", "give --apc lookback-floor to switch the floor on")]);
  return {
    ...(tools.includes("buffer") ? { buffer: { bufferDecimal: flags.apcBuffer !== undefined ? numberFlag(flags.apcBuffer, "--apc-buffer", { min: 0, max: 10 }) : DEFAULT_APC.bufferDecimal, rebuildDays: DEFAULT_APC.bufferRebuildDays } } : {}),
    ...(tools.includes("lookback-floor") ? { lookbackFloor: { years: flags.apcLookbackYears !== undefined ? numberFlag(flags.apcLookbackYears, "--apc-lookback-years", { integer: true, min: 1, max: 50 }) : DEFAULT_APC.lookbackFloorYears } } : {}),
  };
}
