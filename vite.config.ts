// The dashboard's build (docs/dashboard.md): Vite with Preact's JSX, from src/web into dist/web, which `netrisk serve`
// serves at / and /assets/* (src/server/static.ts). Everything is bundled: no CDN, nothing fetched at run time.
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/web",
  base: "/",
  publicDir: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // `npm run dev:web`: a development server that forwards the API to a `netrisk serve` on port 8080.
  server: { proxy: { "/v1": { target: "http://127.0.0.1:8080", ws: true }, "/openapi.json": "http://127.0.0.1:8080" } },
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
});
