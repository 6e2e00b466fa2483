import { describe, expect, it } from "vitest";
import type { EntityKind } from "../../src/model/types.js";
import { isTestCode } from "../../src/lang/index.js";

describe("isTestCode", () => {
  it.each<[string, EntityKind, string, boolean]>([
    ["tests/test_cart.py", "function", "helper", true],
    ["pkg/tests/fixtures.py", "class", "Fixture", true],
    ["test/util.py", "function", "make", true],
    ["pkg/testing/fakes.py", "function", "fake_clock", true],
    ["pkg/test_cart.py", "function", "helper", true],
    ["pkg/cart_test.py", "class", "Helper", true],
    ["pkg/conftest.py", "function", "db", true],
    ["pkg/tests.py", "function", "run", true],
    ["pkg/cart.py", "function", "test_total", true],
    ["pkg/cart.py", "method", "testTotal", true],
    ["pkg/cart.py", "function", "test", true],
    ["pkg/cart.py", "function", "testable", false],
    ["pkg/cart.py", "function", "testing_mode", false],
    ["pkg/cart.py", "class", "TestResult", false],
    ["pkg/cart.py", "class", "test_case", false],
    ["pkg/contest.py", "function", "run", false],
    ["pkg/latest/cart.py", "function", "total", false],
    ["pkg/attest.py", "function", "sign", false],
  ])("%s %s %s → %s", (path, kind, name, expected) => {
    expect(isTestCode({ path, kind, name })).toBe(expected);
  });
});
