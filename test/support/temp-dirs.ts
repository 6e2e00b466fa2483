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
/** The committed Python fixture tree. */
export const PYTHON_FIXTURES_DIR = path.join(PROJECT_ROOT, "fixtures", "python");

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

/** A fresh copy of `fixtures/python` in a temp dir (so tests may edit it and index into it). */
export async function copyPythonFixtures(): Promise<string> {
  const dir = await makeTempDir("codesearch-repo-");
  await cp(PYTHON_FIXTURES_DIR, dir, { recursive: true });
  return dir;
}
