/**
 * Paths of the shared real-data files (../shared/data beside the repository, see ../shared/data/SOURCES.md),
 * resolved from the repository root whatever the working directory.
 * @module
 */
import { fileURLToPath } from "node:url";

/** Absolute path of `../shared/data/<file>` relative to the repository root. */
export function sharedDataPath(file: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${file}`, import.meta.url));
}
