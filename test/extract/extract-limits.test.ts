import { describe, expect, it } from "vitest";
import { DEFAULT_EXTRACT_LIMITS, describeCut, estimateNesting, extractEntities } from "../../src/extract/index.js";

/** `depth` defs each nested in the one before (one space of indentation a level), the innermost holding `bodyLines` lines. */
function nestedDefs(depth: number, bodyLines: number): string {
  const lines: string[] = [];
  for (let level = 0; level < depth; level++) lines.push(`${" ".repeat(level)}def level_${level}():`);
  for (let line = 0; line < bodyLines; line++) lines.push(`${" ".repeat(depth)}value_${line} = "${"x".repeat(60)}"`);
  return `${lines.join("\n")}\n`;
}

describe("extractEntities: per-file limits (issue 19, item 5)", () => {
  it("does not parse a file 690 defs deep (it would break the parser for every later file) and says why", async () => {
    const text = nestedDefs(690, 1500);
    const result = await extractEntities("deep.py", text);
    expect(result.entities).toEqual([]);
    expect(result.cut.notParsedNesting).toBe(690);
    expect(describeCut(result.cut)).toBe("not parsed: nested 690 levels deep, more than the 256 a file may have");
    const next = await extractEntities("next.py", "def after():\n    pass\n");
    expect(next.entities.map((entity) => entity.name)).toEqual(["after"]);
  });

  it("keeps 200 nested defs from multiplying the file: depth cut at 16, sources bounded, the cut counted", async () => {
    const text = nestedDefs(200, 200);
    const result = await extractEntities("deep.py", text);
    const sourceChars = result.entities.reduce((sum, entity) => sum + entity.source.length, 0);
    expect(result.entities).toHaveLength(DEFAULT_EXTRACT_LIMITS.maxDepth);
    expect(result.entities.at(-1)!.qualifiedName.split(".")).toHaveLength(DEFAULT_EXTRACT_LIMITS.maxDepth);
    expect(sourceChars).toBeLessThanOrEqual((DEFAULT_EXTRACT_LIMITS.maxDepth + 1) * text.length);
    expect(result.cut).toEqual({ notParsedNesting: null, tooDeep: 200 - DEFAULT_EXTRACT_LIMITS.maxDepth, overCount: 0, sourcesCut: 0 });
    expect(describeCut(result.cut)).toBe("left out 184 definitions nested deeper than 16 levels");
  });

  it("keeps the first maxEntities definitions and cuts long sources after their last whole line", async () => {
    const text = ["def a():", "    return 1", "def b():", "    return 2", "def c():", `    return "${"y".repeat(50)}"`, ""].join("\n");
    const result = await extractEntities("flat.py", text, { limits: { ...DEFAULT_EXTRACT_LIMITS, maxEntities: 2, maxSourceChars: 21 } });
    expect(result.entities.map((entity) => [entity.name, entity.source])).toEqual([
      ["a", "def a():\n    return 1"],
      ["b", "def b():\n    return 2"],
    ]);
    expect(result.cut).toEqual({ notParsedNesting: null, tooDeep: 0, overCount: 1, sourcesCut: 0 });
    const cut = await extractEntities("long.py", "def c():\n    return 1\n    return 2\n", { limits: { ...DEFAULT_EXTRACT_LIMITS, maxSourceChars: 22 } });
    expect(cut.entities[0]!.source).toBe("def c():\n    return 1");
    expect(describeCut(cut.cut, { ...DEFAULT_EXTRACT_LIMITS, maxSourceChars: 22 })).toBe("cut the source of 1 entity to 22 characters");
  });

  it("reports nothing for an ordinary file", async () => {
    const result = await extractEntities("ok.py", "class A:\n    def f(self):\n        pass\n");
    expect(result.cut).toEqual({ notParsedNesting: null, tooDeep: 0, overCount: 0, sourcesCut: 0 });
    expect(describeCut(result.cut)).toBeNull();
  });
});

describe("estimateNesting", () => {
  it.each<[string, number]>([
    ["", 0],
    ["def f():\n    pass\n", 1],
    ["a = [[[1]]]\n", 3],
    ["if a:\n  if b:\n    x\n  y\nz\n", 2],
    ["f(\n)\n\tg()\n", 1],
  ])("%j → %i", (text, expected) => {
    expect(estimateNesting(text)).toBe(expected);
  });
});
