import { describe, expect, it } from "vitest";
import { testEnv } from "./helpers/requires.js";

describe("test environment probe", () => {
  it("reports each component as a usable value or null", () => {
    for (const v of Object.values(testEnv)) expect(v === null || (typeof v === "string" && v.length > 0)).toBe(true);
  });
});
