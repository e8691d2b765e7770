/**
 * The NATS JetStream adapter against the Transport contract, on the server at testEnv.natsUrl (NETRISK_TEST_NATS_URL
 * or 127.0.0.1:4222): every test gets its own stream (file storage, as deployed: nats-server 2.9.10 miscounts a
 * filtered consumer's pending messages on a file stream, not on a memory one) and subject prefix, deleted afterwards, so
 * the machine's other streams are never touched. Skipped with one notice when no server answers.
 */
import { randomBytes } from "node:crypto";
import { connect } from "nats";
import { describe } from "vitest";
import { createNatsTransport } from "../../src/transport/nats.js";
import { testEnv } from "../helpers/requires.js";
import { transportContract } from "./contract.js";

describe.skipIf(testEnv.natsUrl === null)("NATS JetStream", () => {
  transportContract("nats", async () => {
    const id = `nrtest${randomBytes(6).toString("hex")}`;
    const transport = await createNatsTransport({ servers: testEnv.natsUrl as string, stream: id.toUpperCase(), prefix: id });
    return {
      transport,
      cleanup: async () => {
        const nc = await connect({ servers: testEnv.natsUrl as string });
        try {
          const jsm = await nc.jetstreamManager();
          await jsm.streams.delete(id.toUpperCase()).catch(() => undefined);
        } finally {
          await nc.close();
        }
      },
    };
  });
});
