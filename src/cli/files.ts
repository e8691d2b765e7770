/**
 * File helpers for the CLI: reading (shared with io/) and the location of files shipped with the package.
 * @module
 */
import { fileURLToPath } from "node:url";

export { readJson, readText } from "../io/files.js";

/** Absolute path of a file shipped with the package (examples/, presets/), from src/ or dist/ alike. */
export function packagePath(relative: string): string {
  // Both src/cli/*.ts (under vitest) and dist/cli/*.js sit two levels below the package root.
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
