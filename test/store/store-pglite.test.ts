/** The Store contract on embedded PGlite (in memory: a fresh database, gone when closed). Always runs. */
import { openStore } from "../../src/store/open.js";
import { storeContract } from "./store.contract.js";

storeContract("PGlite (in process)", () => openStore({ kind: "pglite", dataDir: null }));
