/** The live service on the real PostgreSQL server (a database created for the run and dropped). */
import { describe } from "vitest";
import { testEnv } from "../helpers/requires.js";
import { liveServiceContract } from "./live.contract.js";

describe.skipIf(testEnv.postgresUrl === null)("PostgreSQL", () => {
  liveServiceContract("PostgreSQL", () => ({ kind: "postgres", serverUrl: testEnv.postgresUrl as string }));
});
