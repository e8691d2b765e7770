/** The Store contract on the real PostgreSQL server (testEnv.postgresUrl), in a database created and dropped here. */
import { afterAll, describe } from "vitest";
import { openStore } from "../../src/store/open.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";
import { storeContract } from "./store.contract.js";

describe.skipIf(testEnv.postgresUrl === null)("PostgreSQL", () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(async () => {
    await scratch?.drop();
  });
  storeContract("PostgreSQL", async () => {
    scratch = await createScratchDatabase(testEnv.postgresUrl as string);
    return openStore({ kind: "postgres", url: scratch.url });
  });
});
