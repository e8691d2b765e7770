import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Two cores on CI: keep workers bounded so timing-insensitive tests stay quick and stable.
    maxWorkers: 2,
    testTimeout: 60_000,
    setupFiles: ["test/setup.ts"],
    // Probes once for ../shared/data, PostgreSQL, NATS, nats-server and Chromium (test/helpers/requires.ts).
    globalSetup: ["test/global-setup.ts"],
  },
});
