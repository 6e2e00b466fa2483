import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/model/errors.js";
import { buildEntityFilter, selectPaths } from "../../src/store/entity-filter.js";

const PATHS = ["lib/http/headers.py", "lib/http/client.py", "lib/cart.py", "tests/test_cart.py", "scripts/tool.py", ".github/check.py", "o'brien.py"];

describe("selectPaths", () => {
  it.each([
    [["lib/**"], ["lib/http/headers.py", "lib/http/client.py", "lib/cart.py"]],
    [["lib/"], ["lib/http/headers.py", "lib/http/client.py", "lib/cart.py"]],
    [["lib/*.py"], ["lib/cart.py"]],
    [["*.py"], PATHS],
    [["cart.py"], ["lib/cart.py"]],
    [["lib/**", "scripts/**"], ["lib/http/headers.py", "lib/http/client.py", "lib/cart.py", "scripts/tool.py"]],
    [["lib/**", "!lib/http/**"], ["lib/cart.py"]],
    [["!tests/**"], ["lib/http/headers.py", "lib/http/client.py", "lib/cart.py", "scripts/tool.py", ".github/check.py", "o'brien.py"]],
    [["**/check.py"], [".github/check.py"]],
    [["lib/{cart,nothing}.py"], ["lib/cart.py"]],
    [["docs/**"], []],
  ])("%j", (globs, selected) => {
    expect(selectPaths(PATHS, globs)).toEqual(selected);
  });

  it.each([[["!"]], [[""]], [["lib/**", "!"]]])("%j is a usage error, not a crash inside picomatch", (globs) => {
    expect(() => selectPaths(PATHS, globs)).toThrow(UsageError);
  });
});

describe("buildEntityFilter", () => {
  it.each([
    { name: "no filters", filters: {}, expected: { kind: "all" } },
    { name: "empty lists", filters: { paths: [], kinds: [], excludeTests: false }, expected: { kind: "all" } },
    { name: "globs that select every path", filters: { paths: ["**"] }, expected: { kind: "all" } },
    { name: "globs that select no path", filters: { paths: ["docs/**"] }, expected: { kind: "none" } },
    { name: "few selected paths: IN", filters: { paths: ["o'*"] }, expected: { kind: "where", sql: "(path IN ('o''brien.py'))" } },
    {
      name: "most paths selected: NOT IN the rest",
      filters: { paths: ["!tests/**"] },
      expected: { kind: "where", sql: "(NOT path IN ('tests/test_cart.py'))" },
    },
    { name: "kinds, deduplicated", filters: { kinds: ["method", "class", "method"] as const }, expected: { kind: "where", sql: "(kind IN ('method', 'class'))" } },
    { name: "tests excluded", filters: { excludeTests: true }, expected: { kind: "where", sql: "(NOT `is_test`)" } },
    {
      name: "all together, joined with AND",
      filters: { paths: ["lib/cart.py"], kinds: ["function"] as const, excludeTests: true },
      expected: { kind: "where", sql: "(path IN ('lib/cart.py')) AND (kind IN ('function')) AND (NOT `is_test`)" },
    },
  ])("$name", ({ filters, expected }) => {
    expect(buildEntityFilter(filters, PATHS)).toEqual(expected);
  });
});
