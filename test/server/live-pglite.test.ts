/** The live service on embedded PGlite (a folder in a temp dir, so a restart finds its data). Always runs. */
import { liveServiceContract } from "./live.contract.js";

liveServiceContract("PGlite", () => ({ kind: "pglite" }));
