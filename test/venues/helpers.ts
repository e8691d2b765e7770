/** Reading the venue fixtures (test/fixtures/venues, sources in its SOURCES.md). */
import { readFileSync } from "node:fs";
import type { VenueFile } from "../../src/venues/index.js";

export function fixture(path: string): VenueFile {
  return { name: path, json: JSON.parse(readFileSync(`test/fixtures/venues/${path}`, "utf8")) as unknown };
}
