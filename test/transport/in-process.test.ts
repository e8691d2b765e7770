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

  it("never drops what a running subscription has not read: a slow subscriber gets every message, then the log trims", async () => {
    const t = createInProcessTransport({ maxMessages: 3 });
    const got: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await t.subscribe("netrisk.in.>", async (m) => {
      await gate;
      got.push((m.data as { i: number }).i);
    });
    // Outputs fill the log while the subscriber is held on its first input.
    for (let i = 0; i < 10; i++) {
      await t.publish("netrisk.in.tick", { i });
      await t.publish("netrisk.out.figures.a", { i });
    }
    release();
    for (let k = 0; k < 100 && got.length < 10; k++) await new Promise((r) => setTimeout(r, 1));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Once read, the bound applies again at the next publish.
    await t.publish("netrisk.in.tick", { i: 10 });
    await expect(t.read("netrisk.>", 1, 100)).rejects.toBeInstanceOf(TransportError);
    expect((await t.read("netrisk.>", 19, 100)).map((m) => m.seq)).toEqual([19, 20, 21]);
    await sub.unsubscribe();
    await t.close();
  });

  it("encodes any account id as one subject token", () => {
    expect(subjectToken("acct-01_x")).toBe("acct-01_x");
    expect(subjectToken("a.b c*>")).toBe("a~002eb~0020c~002a~003e");
  });
});
