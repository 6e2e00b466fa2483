// Temporary directories that are removed after each test, and a copy of the Python fixture tree.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
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
 * The files under `sourceDir` that git would commit: tracked ones (even where an ignore file
 * matches them, like `fixtures/python/build/`) and untracked ones no ignore rule matches, as
 * paths relative to `sourceDir`. What a user's earlier commands left behind and git ignores
 * (the README demo's `.codesearch/`) is not among them. Outside a git work tree: every file
 * except those under a `.codesearch/` folder.
 */
export function committableFiles(sourceDir: string): string[] {
  let listed: string;
  try {
    listed = execFileSync("git", ["-C", sourceDir, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch {
    return listFiles(sourceDir).filter((file) => !file.split("/").includes(".codesearch"));
  }
  return listed.split("\0").filter((file) => file !== "" && existsSync(path.join(sourceDir, file)));
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

/**
 * Copies {@link committableFiles} of `sourceDir` into `targetDir`, so a test sees the tree as
 * committed, whatever a user's earlier commands wrote into the work tree and git ignores.
 */
export async function copyCommittedTree(sourceDir: string, targetDir: string): Promise<void> {
  for (const file of committableFiles(sourceDir)) {
    const target = path.join(targetDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(path.join(sourceDir, file), target);
  }
}

/**
 * A fresh copy of `fixtures/python` as committed (see {@link copyCommittedTree}: no `.codesearch/`
 * from the README demo) in a temp dir, so tests may edit it and index into it; with
 * `withBrokenFile`, {@link BROKEN_PYTHON_FILE} is added as `shop/broken.py`.
 */
export async function copyPythonFixtures(options: { withBrokenFile?: boolean } = {}): Promise<string> {
  const dir = await makeTempDir("codesearch-repo-");
  await copyCommittedTree(PYTHON_FIXTURES_DIR, dir);
  if (options.withBrokenFile) await cp(BROKEN_PYTHON_FILE, path.join(dir, "shop", "broken.py"));
  return dir;
}
