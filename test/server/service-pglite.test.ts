/** The service contract on embedded PGlite (in memory). Always runs. */
import { serviceContract } from "./service.contract.js";
import { startTestService } from "./helpers.js";

serviceContract("PGlite", () => startTestService({ kind: "pglite" }));
