/**
 * The request's pathname without parsing its URL (http.ts `plainPathname`): a target taken as its own pathname must be
 * exactly what the WHATWG URL parser makes of it, whatever the characters (dots, `.` and `..` segments, percent signs,
 * empty segments, queries); anything else goes to the parser.
 */
import { describe, expect, it } from "vitest";
import { plainPathname } from "../../src/server/http.js";

const parsed = (target: string): string => new URL(target, "http://localhost").pathname;

describe("plainPathname", () => {
  it("takes the service's own paths as they are", () => {
    for (const t of ["/v1/accounts/bench-50/whatif", "/v1/accounts/fill-0/fills", "/health", "/v1/accounts/a.b~c_d"]) {
      expect(plainPathname(t)).toBe(t);
      expect(parsed(t)).toBe(t);
    }
  });

  it("leaves to the parser what the parser changes", () => {
    for (const t of ["/", "/v1/./x", "/v1/../x", "/v1/x/..", "//host/x", "/a%2e%2e/b", "/a?b=1", "/a#b", "/a b", "/a\\b", "/v1//x", "/.x", "/é"]) expect(plainPathname(t)).toBeUndefined();
  });

  it("agrees with the URL parser on random targets of path characters", () => {
    const alphabet = "/./.aZ09_~-%?#\\ ";
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let plain = 0;
    for (let i = 0; i < 20000; i++) {
      let t = "/";
      const n = 1 + Math.floor(next() * 12);
      for (let k = 0; k < n; k++) t += alphabet[Math.floor(next() * alphabet.length)];
      const p = plainPathname(t);
      if (p === undefined) continue;
      plain++;
      expect(p).toBe(parsed(t));
    }
    expect(plain).toBeGreaterThan(500);
  });
});
