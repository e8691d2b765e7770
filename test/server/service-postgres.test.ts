/** The service contract on the real PostgreSQL server (a database created for the run and dropped). */
import { describe } from "vitest";
import { testEnv } from "../helpers/requires.js";
import { serviceContract } from "./service.contract.js";
import { startTestService } from "./helpers.js";

describe.skipIf(testEnv.postgresUrl === null)("PostgreSQL", () => {
  serviceContract("PostgreSQL", () => startTestService({ kind: "postgres", serverUrl: testEnv.postgresUrl as string }));
});
