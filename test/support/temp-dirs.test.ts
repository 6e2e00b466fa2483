// The fixture copy that tests index into: what a user's earlier commands left in the work tree
// (the README demo writes fixtures/python/.codesearch/, which git ignores) must not reach it.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PYTHON_FIXTURES_DIR, committableFiles, copyCommittedTree, copyPythonFixtures, makeTempDir } from "./temp-dirs.js";

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listTree(dir, `${prefix}${e.name}/`) : Promise.resolve([`${prefix}${e.name}`]))),
  );
  return nested.flat().sort();
}

describe("copyCommittedTree", () => {
  it("copies tracked and untracked-unignored files, not git-ignored leftovers like .codesearch/", async () => {
    const repo = await makeTempDir();
    const git = (...args: string[]): string => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
    git("init", "-q");
    await mkdir(path.join(repo, "pkg", "build"), { recursive: true });
    await writeFile(path.join(repo, ".gitignore"), ".codesearch/\n");
    await writeFile(path.join(repo, "pkg", ".gitignore"), "build/\n");
    await writeFile(path.join(repo, "pkg", "a.py"), "def a(): pass\n");
    await writeFile(path.join(repo, "pkg", "build", "generated.py"), "x = 1\n");
    git("add", "-f", ".gitignore", "pkg/.gitignore", "pkg/a.py", "pkg/build/generated.py");
    // Left behind by a user's earlier commands: an index (ignored) and a new, unignored file.
    await mkdir(path.join(repo, "pkg", ".codesearch", "entities.lance"), { recursive: true });
    await writeFile(path.join(repo, "pkg", ".codesearch", "manifest.json"), "{}");
    await writeFile(path.join(repo, "pkg", "new.py"), "def n(): pass\n");

    const target = await makeTempDir();
    await copyCommittedTree(path.join(repo, "pkg"), target);
    expect(await listTree(target)).toEqual([".gitignore", "a.py", "build/generated.py", "new.py"]);
  });

  it("outside a git work tree, copies everything but .codesearch/ folders", async () => {
    const dir = await makeTempDir();
    await mkdir(path.join(dir, "sub", ".codesearch"), { recursive: true });
    await writeFile(path.join(dir, "sub", ".codesearch", "manifest.json"), "{}");
    await writeFile(path.join(dir, "sub", "b.py"), "");
    expect(committableFiles(dir).sort()).toEqual(["sub/b.py"]);
  });
});

describe("copyPythonFixtures", () => {
  it("holds every committed fixture file and no index left by the README demo", async () => {
    const copy = await listTree(await copyPythonFixtures());
    const committed = execFileSync("git", ["-C", PYTHON_FIXTURES_DIR, "ls-files", "--", "."], { encoding: "utf8" })
      .split("\n")
      .filter((f) => f !== "");
    expect(copy).toEqual(expect.arrayContaining(committed));
    expect(copy.filter((f) => f.split("/").includes(".codesearch"))).toEqual([]);
  });
});
