/**
 * Structural comparison of JSON values with numbers equal to a relative tolerance. Committed outputs (the 2020-03-12
 * replay's events) are compared with it rather than as text: V8's Math.exp/log/pow may differ in the last bit between
 * Node 20 and Node 24, which changes the 16th significant digit of a printed figure but nothing a user can act on.
 * Strings, booleans, keys and array lengths must match exactly.
 */
export function jsonDifferences(got: unknown, want: unknown, relTol: number, path = "$", out: string[] = []): string[] {
  if (out.length >= 10) return out;
  if (typeof got === "number" && typeof want === "number") {
    const scale = Math.max(Math.abs(got), Math.abs(want), 1e-300);
    if (!(Math.abs(got - want) <= relTol * scale) && !(Math.abs(got - want) <= 1e-12)) out.push(`${path}: ${got} != ${want}`);
    return out;
  }
  if (Array.isArray(got) && Array.isArray(want)) {
    if (got.length !== want.length) out.push(`${path}: length ${got.length} != ${want.length}`);
    else got.forEach((g, i) => jsonDifferences(g, want[i], relTol, `${path}[${i}]`, out));
    return out;
  }
  if (got !== null && want !== null && typeof got === "object" && typeof want === "object" && !Array.isArray(got) && !Array.isArray(want)) {
    const gk = Object.keys(got).sort();
    const wk = Object.keys(want).sort();
    if (gk.join(",") !== wk.join(",")) out.push(`${path}: keys [${gk.join(",")}] != [${wk.join(",")}]`);
    else for (const k of gk) jsonDifferences((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], relTol, `${path}.${k}`, out);
    return out;
  }
  if (got !== want) out.push(`${path}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  return out;
}
