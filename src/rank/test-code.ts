import { type EntityKind, isTypeKind } from "../model/entity-kinds.js";

/** Directory names whose contents are test code. */
const TEST_DIRS = new Set(["test", "tests", "testing"]);

/**
 * Whether an entity is test code by the conventions of pytest and unittest: its file is a test
 * file (`test_*.py`, `*_test.py`, `tests.py`, `conftest.py`, or under a `test`, `tests` or `testing`
 * directory), or it is a function or method named `test`, `test_*` or `testSomething`.
 * Classes are judged by their file only: `TestResult` in library code is not a test.
 * @param path repository-relative POSIX path.
 */
export function isTestCode(path: string, kind: EntityKind, name: string): boolean {
  const parts = path.split("/");
  const file = parts.pop() ?? "";
  if (parts.some((dir) => TEST_DIRS.has(dir))) return true;
  if (/^(test_.*|.*_test|tests|conftest)\.py$/.test(file)) return true;
  return !isTypeKind(kind) && /^test(_|\p{Lu}|$)/u.test(name);
}
