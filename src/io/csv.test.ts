import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { columns, numberCell, parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads quoted cells with commas, escaped quotes and newlines (RFC 4180 §2 examples)", () => {
    const r = parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\n2,"multi\nline",\n', "t.csv");
    expect(r.ok && r.value).toEqual({
      header: ["a", "b", "c"],
      records: [
        { line: 2, cells: ["1", "x, y", 'say "hi"'] },
        { line: 3, cells: ["2", "multi\nline", ""] },
      ],
    });
  });

  it("reads the pandas layout of the 2020 Deribit file (unnamed first column, Python dicts in quotes)", () => {
    const text = ',strike,greeks\n0,9250.0,"{\'vega\': 0.94545, \'delta\': -0.73032}"\n';
    const r = parseCsv(text);
    expect(r.ok && r.value.records[0]?.cells).toEqual(["0", "9250.0", "{'vega': 0.94545, 'delta': -0.73032}"]);
  });

  it("skips a BOM, blank lines and a missing final newline", () => {
    const r = parseCsv("\uFEFFa,b\n\n1,2\n\n3,4");
    expect(r.ok && r.value).toEqual({ header: ["a", "b"], records: [{ line: 3, cells: ["1", "2"] }, { line: 5, cells: ["3", "4"] }] });
  });

  it.each([
    ["a,b\n1,\"2\n", /unterminated/],
    ["a,b\n1,x\"y\"\n", /quote inside/],
    ["a,b\n1,\"x\"y\n", /after a closing quote/],
    ["a,b\n1,2,3\n", /3 cells, header has 2/],
    ["", /empty file/],
  ])("fails with invalid_csv on %j", (text, why) => {
    const r = parseCsv(text, "bad.csv");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ code: "invalid_csv", path: "bad.csv" });
    expect(r.issues[0]?.message).toMatch(why);
  });

  it("round-trips any table written with full quoting (fast-check)", () => {
    const cell = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((n) => fc.array(fc.array(cell, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 6 })), (table) => {
        const text = table.map((row) => row.map((c) => `"${c.replaceAll('"', '""')}"`).join(",")).join("\r\n");
        const r = parseCsv(text);
        expect(r.ok && [r.value.header, ...r.value.records.map((x) => x.cells)]).toEqual(table);
      }),
    );
  });
});

describe("columns / numberCell", () => {
  it("lists every missing column", () => {
    const t = parseCsv("a,b\n1,2\n");
    if (!t.ok) throw new Error("parse");
    const c = columns(t.value, ["a", "x", "y"], "f.csv");
    expect(c.ok || c.issues[0]).toMatchObject({ code: "invalid_csv", message: "missing column(s): x, y" });
    const ab = columns(t.value, ["b"]);
    expect(ab.ok && ab.value.b(["1", "2"])).toBe("2");
  });

  it("tells empty (undefined) from bad (NaN)", () => {
    expect(numberCell("")).toBeUndefined();
    expect(numberCell(" 1.5e-3 ")).toBe(0.0015);
    expect(numberCell("-2")).toBe(-2);
    for (const bad of ["nan", "inf", "Infinity", "0x10", "1,5", "1e999", "abc"]) expect(numberCell(bad)).toBeNaN();
  });
});
