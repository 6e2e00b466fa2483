// Reference sites of one Python file: which names are references, of what kind, in which scope.
import { describe, expect, it } from "vitest";
import { extractReferences } from "../../src/extract/extract-references.js";

const names = (sites: { name: string; qualifier: string | null; kind: string; line: number }[]) => sites.map((s) => `${s.line}:${s.kind}:${s.qualifier ? `${s.qualifier}.` : ""}${s.name}`);

describe("extractReferences", () => {
  it("leaves out parameters and locals of enclosing functions, but keeps default values and globals", async () => {
    const { sites } = await extractReferences(
      "m.py",
      [
        "def run(helper, factor=DEFAULT):", // 1: helper is a parameter; DEFAULT is read outside
        "    total = helper(1)", //            2: helper is the parameter: no reference
        "    for item in items():", //         3: item is local; items is global
        "        print(item, total)", //       4
        "    def inner():", //                 5
        "        return helper()", //          6: closure over the parameter: no reference
        "    return inner(), (lambda q: q + other)(2)", // 7: q is the lambda's; other is global
        "def uses_global():",
        "    global counter",
        "    counter = count()", //            10: counter declared global
      ].join("\n"),
    );
    expect(names(sites)).toEqual(["1:name:DEFAULT", "3:call:items", "4:call:print", "7:call:inner", "7:name:other", "10:call:count"]);
  });

  it("records imports with their aliases and scopes, star imports and the imported names as sites", async () => {
    const { imports, sites } = await extractReferences(
      "m.py",
      ["import os.path", "import numpy as np", "from .models import Cart as C, helper", "from ..util import *", "def f():", "    from pkg import thing", "    return thing()"].join("\n"),
    );
    expect(imports).toEqual([
      { line: 1, scopeLine: 0, module: "os.path", name: null, alias: "os" },
      { line: 2, scopeLine: 0, module: "numpy", name: null, alias: "np" },
      { line: 3, scopeLine: 0, module: ".models", name: "Cart", alias: "C" },
      { line: 3, scopeLine: 0, module: ".models", name: "helper", alias: "helper" },
      { line: 4, scopeLine: 0, module: "..util", name: null, alias: "*" },
      { line: 6, scopeLine: 5, module: "pkg", name: "thing", alias: "thing" },
    ]);
    expect(names(sites)).toEqual(["3:import:.models.Cart", "3:import:.models.helper", "6:import:pkg.thing", "7:call:thing"]);
  });

  it("marks base classes, decorators and attribute calls with their qualifiers, and module-level assignments", async () => {
    const { sites, assignments } = await extractReferences(
      "m.py",
      ["@register(1)", "class K(Base, mod.Other):", "    def m(self):", "        super().m()", "        self.go()", "        make().run()", "helper = wrap(helper)"].join("\n"),
    );
    expect(names(sites)).toEqual([
      "1:decorator:register",
      "2:inherit:Base",
      "2:inherit:mod.Other",
      "2:name:mod",
      "4:call:super().m",
      "4:call:super",
      "5:call:self.go",
      "6:call:?.run",
      "6:call:make",
      "7:call:wrap",
      "7:name:helper",
    ]);
    expect(sites.find((s) => s.name === "go")!.enclosingLine).toBe(3);
    expect(assignments).toEqual([{ name: "helper", line: 7 }]);
  });
});
