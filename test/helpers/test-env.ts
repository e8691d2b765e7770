/**
 * What the test run found on this machine (probed once by test/global-setup.ts). Pure data, shared by the global
 * setup and the test files.
 */
export interface TestEnv {
  /** Absolute path of ../shared/data/ (with a trailing slash), or null when the real data is not beside the clone. */
  readonly sharedDataDir: string | null;
  /** A PostgreSQL URL that accepted a TCP connection (NETRISK_TEST_DATABASE_URL or the local default), or null. */
  readonly postgresUrl: string | null;
  /** A NATS URL that accepted a TCP connection (NETRISK_TEST_NATS_URL or nats://127.0.0.1:4222), or null. */
  readonly natsUrl: string | null;
  /** The nats-server binary (NETRISK_NATS_SERVER, /usr/sbin/nats-server), for tests that start their own server. */
  readonly natsServerBin: string | null;
  /** The Chromium binary (NETRISK_CHROMIUM, /usr/bin/chromium), for browser tests. */
  readonly chromiumBin: string | null;
}

export type Requirement = "sharedData" | "postgres" | "nats" | "natsServerBin" | "chromium";

/** One line per missing component: what is skipped and how to provide it. */
export const requirementHelp: Record<Requirement, string> = {
  sharedData:
    "real-data tests: ../shared/data/ is not beside the repository (put the real market data there, see README)",
  postgres:
    "PostgreSQL tests: no server at NETRISK_TEST_DATABASE_URL or 127.0.0.1:5432 (start PostgreSQL or set the variable)",
  nats: "NATS tests: no server at NETRISK_TEST_NATS_URL or 127.0.0.1:4222 (start nats-server -js or set the variable)",
  natsServerBin:
    "NATS failure tests: no nats-server binary (apt-get install nats-server, or set NETRISK_NATS_SERVER)",
  chromium: "browser tests: no Chromium (apt-get install chromium, or set NETRISK_CHROMIUM)",
};

declare module "vitest" {
  export interface ProvidedContext {
    testEnv: TestEnv;
  }
}
