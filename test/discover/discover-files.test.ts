import { execFileSync } from "node:child_process";
import { mkdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { discoverFiles } from "../../src/discover/discover-files.js";
import { copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

let root: string;

beforeEach(async () => {
  root = await makeTempDir();
});

/** Writes each `relPath → contents` under `root`, creating directories. */
async function tree(files: Record<string, string | Buffer>): Promise<void> {
  for (const [relPath, contents] of Object.entries(files)) {
    const abs = path.join(root, ...relPath.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, contents);
  }
}

async function discoveredPaths(options?: Parameters<typeof discoverFiles>[1]): Promise<string[]> {
  return (await discoverFiles(root, options)).files.map((f) => f.path);
}

describe("discoverFiles: which files", () => {
  it("indexes a file without an extension under the language its #! line names", async () => {
    await tree({
      "bin/tool": "#!/usr/bin/env python3\ndef main():\n    pass\n",
      "bin/serve": "#!/usr/bin/node\nfunction serve() {}\n",
      "bin/release": "#!/usr/bin/env ruby\ndef release; end\n",
      "bin/build": "#!/bin/sh\nmake all\n",
      "Makefile": "all:\n\techo hi\n",
      "LICENSE": "MIT License\n",
      "notes.txt": "#!/usr/bin/env python3\n",
    });
    expect(await discoveredPaths()).toEqual(["bin/release", "bin/serve", "bin/tool"]);
    const { extractEntities } = await import("../../src/extract/extract-entities.js");
    const { entities } = await extractEntities("bin/tool", "#!/usr/bin/env python3\ndef main():\n    pass\n");
    expect(entities.map((entity) => `${entity.language} ${entity.qualifiedName}`)).toEqual(["python main"]);
  });

  it("returns every .py file, sorted by POSIX path, and ignores other extensions", async () => {
    await tree({
      "b.py": "b = 1\n",
      "a.py": "a = 1\n",
      "pkg/z.py": "",
      "pkg/sub/deep.py": "x = 1\n",
      "pkg/__init__.py": "",
      "README.md": "# readme\n",
      "setup.cfg": "[metadata]\n",
      "script.pyc": "not source",
      "types.pyi": "def f() -> int: ...\n",
      "notes.py.txt": "text",
    });
    expect(await discoveredPaths()).toEqual(["a.py", "b.py", "pkg/__init__.py", "pkg/sub/deep.py", "pkg/z.py"]);
  });

  it("root .gitignore: glob, directory pattern and anchored pattern", async () => {
    await tree({
      ".gitignore": "*_pb2.py\nbuild/\n/top_only.py\n",
      "api_pb2.py": "",
      "proto/user_pb2.py": "",
      "proto/user.py": "",
      "build/out.py": "",
      "src/build/nested_out.py": "",
      "build.py": "",
      "top_only.py": "",
      "sub/top_only.py": "",
      "main.py": "",
    });
    expect(await discoveredPaths()).toEqual(["build.py", "main.py", "proto/user.py", "sub/top_only.py"]);
  });

  it("a directory's .gitignore applies relative to that directory, negations included", async () => {
    await tree({
      "gen/.gitignore": "*.py\n!keep.py\n",
      "gen/a.py": "",
      "gen/keep.py": "",
      "gen/inner/b.py": "",
      "gen/inner/keep.py": "",
      "pkg/.gitignore": "/local.py\ncache/\n",
      "pkg/local.py": "",
      "pkg/deeper/local.py": "",
      "pkg/cache/c.py": "",
      "pkg/mod.py": "",
      "local.py": "",
      "cache/root_cache.py": "",
      "a.py": "",
    });
    expect(await discoveredPaths()).toEqual([
      "a.py",
      "cache/root_cache.py",
      "gen/inner/keep.py",
      "gen/keep.py",
      "local.py",
      "pkg/deeper/local.py",
      "pkg/mod.py",
    ]);
  });

  it("a nested .gitignore can re-include what the root .gitignore ignores", async () => {
    await tree({
      ".gitignore": "*.py\n",
      "top.py": "",
      "sub/.gitignore": "!wanted.py\n",
      "sub/wanted.py": "",
      "sub/other.py": "",
    });
    expect(await discoveredPaths()).toEqual(["sub/wanted.py"]);
  });

  it(".codesearchignore uses the same syntax, at the root and nested", async () => {
    await tree({
      ".codesearchignore": "migrations/\n*_test.py\n/conftest.py\n",
      "app/migrations/0001_initial.py": "",
      "app/models.py": "",
      "app/models_test.py": "",
      "conftest.py": "",
      "app/conftest.py": "",
      "lib/.codesearchignore": "*.py\n!api.py\n",
      "lib/api.py": "",
      "lib/impl.py": "",
    });
    expect(await discoveredPaths()).toEqual(["app/conftest.py", "app/models.py", "lib/api.py"]);
  });

  it("exclude patterns use .gitignore syntax relative to the root, negations included", async () => {
    await tree({
      "tests/test_a.py": "",
      "pkg/tests/test_b.py": "",
      "pkg/tests_util.py": "",
      "api_pb2.py": "",
      "proto/user_pb2.py": "",
      "keep_pb2.py": "",
      "proto/keep_pb2.py": "",
      "pkg/mod.py": "",
      "main.py": "",
    });
    const files = await discoveredPaths({ exclude: ["tests/", "*_pb2.py", "!keep_pb2.py"] });
    expect(files).toEqual(["keep_pb2.py", "main.py", "pkg/mod.py", "pkg/tests_util.py", "proto/keep_pb2.py"]);
  });

  it("exclude patterns combine with ignore files, and a leading slash anchors at the root", async () => {
    await tree({
      ".gitignore": "build/\n",
      "build/out.py": "",
      "setup.py": "",
      "sub/setup.py": "",
      "gen/x_pb2.py": "",
      "y_pb2.py": "",
      "main.py": "",
    });
    const files = await discoveredPaths({ exclude: ["/setup.py", "*_pb2.py"] });
    expect(files).toEqual(["main.py", "sub/setup.py"]);
    expect(await discoveredPaths({ exclude: [] })).toEqual(["gen/x_pb2.py", "main.py", "setup.py", "sub/setup.py", "y_pb2.py"]);
  });

  it("skips .git, node_modules, __pycache__, virtualenvs found by pyvenv.cfg, and excludeDirs", async () => {
    await tree({
      ".git/hooks/pre_commit.py": "",
      "node_modules/pkg/x.py": "",
      "__pycache__/mod.py": "",
      "pkg/__pycache__/inner.py": "",
      ".venv/lib/a.py": "",
      "myenv/pyvenv.cfg": "home = /usr/bin\n",
      "myenv/lib/site.py": "",
      "myenv/top.py": "",
      "tools/env2/pyvenv.cfg": "home = /usr/bin\n",
      "tools/env2/lib/x.py": "",
      "tools/real.py": "",
      "out/index/stuff.py": "",
      "out/kept.py": "",
      "pkg/mod.py": "",
      "main.py": "",
    });
    const files = await discoveredPaths({ excludeDirs: [path.join(root, "out", "index")] });
    expect(files).toEqual(["main.py", "out/kept.py", "pkg/mod.py", "tools/real.py"]);
  });

  it("does not follow symbolic links to files or directories, and reports them as skipped", async () => {
    const outside = await makeTempDir();
    await writeFile(path.join(outside, "elsewhere.py"), "x = 1\n");
    await tree({ "real.py": "", "pkg/mod.py": "", "notes.txt": "", ".gitignore": "ignored_link/\nignored.py\n" });
    await symlink(path.join(root, "real.py"), path.join(root, "alias.py"));
    await symlink(path.join(outside, "elsewhere.py"), path.join(root, "outside.py"));
    await symlink(path.join(root, "pkg"), path.join(root, "pkg_link"), "dir");
    await symlink(outside, path.join(root, "outside_dir"), "dir");
    await symlink(path.join(root, "nowhere.py"), path.join(root, "dangling.py"));
    // Not reported: a link to a non-Python file, a dangling link not named *.py, ignored links.
    await symlink(path.join(root, "notes.txt"), path.join(root, "notes_link.txt"));
    await symlink(path.join(root, "gone"), path.join(root, "gone_link"));
    await symlink(path.join(root, "pkg"), path.join(root, "ignored_link"), "dir");
    await symlink(path.join(root, "real.py"), path.join(root, "ignored.py"));
    const result = await discoverFiles(root);
    expect(result.files.map((f) => f.path)).toEqual(["pkg/mod.py", "real.py"]);
    expect(result.skipped.map((s) => [s.path, s.reason])).toEqual([
      ["alias.py", "symlink"],
      ["dangling.py", "symlink"],
      ["outside.py", "symlink"],
      ["outside_dir", "symlink"],
      ["pkg_link", "symlink"],
    ]);
    expect(result.unreadable).toEqual([]);
  });

  it("reports a FIFO named *.py as not a regular file, without opening it", async () => {
    await tree({ "real.py": "" });
    execFileSync("mkfifo", [path.join(root, "pipe.py"), path.join(root, "pipe.txt")]);
    const result = await discoverFiles(root);
    expect(result.files.map((f) => f.path)).toEqual(["real.py"]);
    expect(result.skipped).toEqual([{ path: "pipe.py", reason: "not-regular-file", sizeBytes: 0 }]);
  });
});

describe("discoverFiles: skipped files and metadata", () => {
  it("reports files over maxFileBytes as too-large with their size", async () => {
    await tree({ "small.py": "x = 1\n", "big.py": `# ${"a".repeat(198)}\n`, "exact.py": "y".repeat(100) });
    const result = await discoverFiles(root, { maxFileBytes: 100 });
    expect(result.files.map((f) => f.path)).toEqual(["exact.py", "small.py"]);
    expect(result.skipped).toEqual([{ path: "big.py", reason: "too-large", sizeBytes: 201 }]);
  });

  it("lists a .py file holding NUL bytes as a normal file: binary files are detected when read", async () => {
    const binary = Buffer.concat([Buffer.from("abc"), Buffer.from([0]), Buffer.from("def\n")]);
    await tree({ "blob.py": binary, "ok.py": "pass\n", "sub/all_nul.py": Buffer.alloc(16) });
    const result = await discoverFiles(root);
    expect(result.files.map((f) => [f.path, f.sizeBytes])).toEqual([
      ["blob.py", 8],
      ["ok.py", 5],
      ["sub/all_nul.py", 16],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it("skipped entries are sorted by path", async () => {
    await tree({ "z.py": "z".repeat(50), "a/b.py": "b".repeat(11), "m.py": "m".repeat(50), "ok.py": "x" });
    const result = await discoverFiles(root, { maxFileBytes: 10 });
    expect(result.skipped).toEqual([
      { path: "a/b.py", reason: "too-large", sizeBytes: 11 },
      { path: "m.py", reason: "too-large", sizeBytes: 50 },
      { path: "z.py", reason: "too-large", sizeBytes: 50 },
    ]);
    expect(result.files.map((f) => f.path)).toEqual(["ok.py"]);
  });

  it("gives absPath, sizeBytes and mtimeMs as fs.stat reports them", async () => {
    await tree({ "pkg/sub/mod.py": "def f():\n    return 1\n", "top.py": "é = 1\n" });
    const result = await discoverFiles(root);
    const expected = await Promise.all(
      ["pkg/sub/mod.py", "top.py"].map(async (rel) => {
        const absPath = path.join(root, ...rel.split("/"));
        const stats = await stat(absPath);
        return { path: rel, absPath, sizeBytes: stats.size, mtimeMs: stats.mtimeMs };
      }),
    );
    expect(result.files).toEqual(expected);
    expect(result.files.map((f) => f.sizeBytes)).toEqual([22, 7]);
    expect(result.skipped).toEqual([]);
    expect(result.unreadable).toEqual([]);
  });

  it("resolves a relative repoRoot to absolute paths", async () => {
    await tree({ "pkg/mod.py": "" });
    const relative = path.relative(process.cwd(), root);
    const result = await discoverFiles(relative);
    expect(result.files.map((f) => f.absPath)).toEqual([path.join(root, "pkg", "mod.py")]);
  });

  it("rejects when repoRoot does not exist", async () => {
    await expect(discoverFiles(path.join(root, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("rejects when repoRoot is a file", async () => {
    await tree({ "file.py": "" });
    await expect(discoverFiles(path.join(root, "file.py"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});

describe("discoverFiles: committed fixture tree", () => {
  it("finds the fixture .py files and leaves out build/ ignored by its .gitignore", async () => {
    const FIXTURES = await copyPythonFixtures();
    const result = await discoverFiles(FIXTURES);
    expect(result.files.map((f) => f.path)).toEqual([
      "scripts/tool.py",
      "shop/cart.py",
      "shop/net/retry.py",
      "shop/unicode_names.py",
    ]);
    expect(result.files.every((f) => f.absPath === path.join(FIXTURES, ...f.path.split("/")))).toBe(true);
    expect(result.skipped).toEqual([]);
    expect(result.unreadable).toEqual([]);
  });
});

describe("discoverFiles: --exclude wins over ignore-file negations", () => {
  it("a nested !pattern cannot re-include what --exclude removed", async () => {
    await tree({ "gen/.gitignore": "!keep.py\n", "gen/keep.py": "", "main.py": "" });
    const result = await discoverFiles(root, { exclude: ["gen/"] });
    expect(result.files.map((f) => f.path)).toEqual(["main.py"]);
  });
});

describe("discoverFiles: every language, generated code left out", () => {
  it("returns the source files of every registered language, skips generated folders and files, and reports them", async () => {
    await tree({
      "cmd/main.go": "package main\n",
      "cmd/main_test.go": "package main\n",
      "web/app.ts": "export const a = 1;\n",
      "web/view.tsx": "export {};\n",
      "web/old.cjs": "module.exports = 1;\n",
      "web/types.d.ts": "export declare const a: number;\n",
      "web/vendor.min.js": "var a=1;\n",
      "web/dist/app.js": "var a = 1;\n",
      "src/lib.rs": "fn main() {}\n",
      "target/debug/build.rs": "fn main() {}\n",
      "src/main/java/App.java": "class App {}\n",
      "lib/app.rb": "def app; end\n",
      "vendor/github.com/x/y.go": "package y\n",
      "tool.py": "x = 1\n",
      "notes.txt": "text\n",
    });
    const result = await discoverFiles(root);
    expect(result.files.map((f) => f.path)).toEqual([
      "cmd/main.go",
      "cmd/main_test.go",
      "lib/app.rb",
      "src/lib.rs",
      "src/main/java/App.java",
      "tool.py",
      "web/app.ts",
      "web/old.cjs",
      "web/view.tsx",
    ]);
    expect(result.skipped.map((s) => [s.path, s.reason])).toEqual([
      ["target/", "generated"],
      ["vendor/", "generated"],
      ["web/dist/", "generated"],
      ["web/types.d.ts", "generated"],
      ["web/vendor.min.js", "generated"],
    ]);
  });
});
