/**
 * Test setup. Property tests explore fresh random cases on every local run; in CI (CI=true) they use one fixed seed,
 * so a CI result is reproducible and a red run can be replayed exactly (`CI=true npx vitest run ...`). Override the
 * seed with FC_SEED to explore from CI too.
 */
import fc from "fast-check";

if (process.env.CI === "true" || process.env.FC_SEED !== undefined) {
  fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) });
}
