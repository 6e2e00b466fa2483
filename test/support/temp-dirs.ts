// Temporary directories that are removed after each test, and a copy of the Python fixture tree.
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** Absolute path of the project root. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The committed test model (768-d). */
export const TEST_MODEL_DIR = path.join(PROJECT_ROOT, "fixtures", "model");
/** The committed Python fixture tree (a clean repository). */
export const PYTHON_FIXTURES_DIR = path.join(PROJECT_ROOT, "fixtures", "python");
/** A Python file with two syntax errors (lines 10 and 21) and five recoverable definitions. */
export const BROKEN_PYTHON_FILE = path.join(PROJECT_ROOT, "fixtures", "bad-input", "broken.py");

const created: string[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A new empty directory under the OS temp dir, deleted after the current test. */
export async function makeTempDir(prefix = "codesearch-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/**
 * A fresh copy of `fixtures/python` in a temp dir (so tests may edit it and index into it);
 * with `withBrokenFile`, {@link BROKEN_PYTHON_FILE} is added as `shop/broken.py`.
 */
export async function copyPythonFixtures(options: { withBrokenFile?: boolean } = {}): Promise<string> {
  const dir = await makeTempDir("codesearch-repo-");
  await cp(PYTHON_FIXTURES_DIR, dir, { recursive: true });
  if (options.withBrokenFile) await cp(BROKEN_PYTHON_FILE, path.join(dir, "shop", "broken.py"));
  return dir;
}
