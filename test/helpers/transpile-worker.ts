/**
 * Test helper: make a worker-thread entry written in TypeScript runnable by a plain Node worker. It transpiles the
 * entry and every module it imports through relative `.js` specifiers (NodeNext style, resolved to the `.ts`
 * sources) with the project's `typescript` (type erasure only), into a fresh temporary directory with the same
 * relative layout and a `{"type":"module"}` package.json, and returns the URL of the transpiled entry.
 *
 * WHY: vitest transforms TypeScript only inside its own thread; a `new Worker(url)` is a plain Node thread, and
 * Node 20 cannot run .ts. Transpiling once per test file costs ~0.5 s (loading typescript); a loader hook in every
 * worker would pay that per worker.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

export interface TranspiledWorker {
  readonly url: URL;
  /** Remove the temporary directory. */
  dispose(): void;
}

export function transpileWorker(entry: URL, root: URL): TranspiledWorker {
  const rootPath = fileURLToPath(root);
  const tmp = mkdtempSync(join(tmpdir(), "netrisk-worker-"));
  // The copy sits one level down, as src/ does in the package (tmp/src/...), with the package's bundled presets
  // linked beside it (tmp/presets): modules that find a shipped file by a path relative to themselves
  // (io/presets.ts: ../../presets) find it in the copy too.
  const outDir = join(tmp, basename(rootPath));
  mkdirSync(outDir);
  writeFileSync(join(tmp, "package.json"), '{ "type": "module" }\n');
  const presets = join(dirname(rootPath), "presets");
  if (existsSync(presets)) symlinkSync(presets, join(tmp, "presets"), "dir");
  // Packages the sources import (zod, ...) resolve from the project's node_modules: linked in, since nothing above a
  // temporary directory has one (a directory link: removing the copy never touches its target).
  const modules = nearestNodeModules(rootPath);
  if (modules !== undefined) symlinkSync(modules, join(tmp, "node_modules"), "dir");
  const pending = [fileURLToPath(entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g)) {
      pending.push(join(dirname(file), `${m[1]}.ts`));
    }
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const target = join(outDir, relative(rootPath, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  const url = pathToFileURL(join(outDir, relative(rootPath, fileURLToPath(entry))).replace(/\.ts$/, ".js"));
  return { url, dispose: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** The node_modules folder in `dir` or its nearest ancestor that has one. */
function nearestNodeModules(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) return join(d, "node_modules");
    if (dirname(d) === d) return undefined;
  }
}
