// Write schemas/<name>.schema.json from the zod schemas of the file formats (run after `npm run build`).
// Usage: node scripts/export-schemas.js [--check]   (--check: exit 1 if a committed file differs, write nothing)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchemaFiles } from "../dist/io/json-schema.js";

const dir = fileURLToPath(new URL("../schemas/", import.meta.url));
const check = process.argv.includes("--check");
let stale = 0;
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderJsonSchemaFiles())) {
  const path = `${dir}${file}`;
  if (readOrNull(path) === text) continue;
  stale += 1;
  if (check) console.error(`schemas/${file} is out of date: run npm run schemas`);
  else {
    writeFileSync(path, text);
    console.log(`wrote schemas/${file}`);
  }
}
if (check && stale > 0) process.exit(1);

function readOrNull(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
