/** The in-process adapter against the Transport contract, and what only it promises (bounded retention). */
import { describe, expect, it } from "vitest";
import { createInProcessTransport } from "../../src/transport/in-process.js";
import { subjectToken, TransportError } from "../../src/transport/port.js";
import { transportContract } from "./contract.js";

transportContract("in-process", async () => ({ transport: createInProcessTransport(), cleanup: async () => undefined }));

describe("in-process transport", () => {
  it("drops the oldest messages past its bound, and refuses to resume from a dropped sequence", async () => {
    const t = createInProcessTransport({ maxMessages: 5 });
    for (let i = 0; i < 8; i++) await t.publish("netrisk.in.tick", { i });
    expect((await t.read("netrisk.>", 4, 10)).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
    await expect(t.subscribe("netrisk.>", () => undefined, { fromSeq: 2 })).rejects.toBeInstanceOf(TransportError);
    await t.close();
  });

  it("encodes any account id as one subject token", () => {
    expect(subjectToken("acct-01_x")).toBe("acct-01_x");
    expect(subjectToken("a.b c*>")).toBe("a~002eb~0020c~002a~003e");
  });
});
