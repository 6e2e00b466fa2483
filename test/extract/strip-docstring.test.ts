import { describe, expect, it } from "vitest";
import { extractEntities, stripDocstring } from "../../src/extract/index.js";

async function entity(source: string, qualifiedName: string) {
  const { entities } = await extractEntities("m.py", source);
  return entities.find((e) => e.qualifiedName === qualifiedName)!;
}

describe("stripDocstring", () => {
  it("removes a docstring on lines of its own and keeps the code", async () => {
    const stripped = await stripDocstring(await entity('def add(a, b):\n    """Add two numbers.\n\n    More words.\n    """\n    return a + b\n', "add"));
    expect(stripped.source).toBe("def add(a, b):\n    return a + b");
    expect(stripped.docstring).toBeNull();
  });

  it("removes a method's docstring, source dedented, other fields unchanged", async () => {
    const original = await entity("class A:\n    def f(self):\n        'Do f.'  # why\n        # keep me\n        return 1\n", "A.f");
    const stripped = await stripDocstring(original);
    expect(stripped.source).toBe("def f(self):\n    # keep me\n    return 1");
    expect({ ...stripped, source: original.source, docstring: original.docstring }).toEqual(original);
  });

  it("replaces a docstring that shares its line with code by `pass`", async () => {
    const stripped = await stripDocstring(await entity('def f(): "Do f."; return 1\n', "f"));
    expect(stripped.source).toBe("def f(): pass; return 1");
    expect(stripped.source).not.toContain("Do f.");
  });

  it("leaves an entity without a docstring as it is", async () => {
    const original = await entity("def f():\n    x = 'not a docstring'\n    return x\n", "f");
    expect(await stripDocstring(original)).toBe(original);
  });
});
