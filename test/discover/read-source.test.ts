import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSource } from "../../src/discover/read-source.js";
import type { SourceFile } from "../../src/model/types.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "codesearch-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes `bytes` to `root/relPath` and returns the SourceFile discovery would give for it. */
async function sourceFile(relPath: string, bytes: string | Buffer): Promise<SourceFile> {
  const absPath = path.join(root, relPath);
  await writeFile(absPath, bytes);
  const stats = await stat(absPath);
  return { path: relPath, absPath, sizeBytes: stats.size, mtimeMs: stats.mtimeMs };
}

describe("readSource", () => {
  it("returns UTF-8 text unchanged, non-ASCII and CRLF included", async () => {
    const text = "def grüße():\r\n    return '日本語 🐍'\r\n";
    const file = await sourceFile("mod.py", text);
    expect(await readSource(file)).toEqual({ kind: "text", text });
  });

  it("returns an empty file as empty text", async () => {
    const file = await sourceFile("empty.py", "");
    expect(await readSource(file)).toEqual({ kind: "text", text: "" });
  });

  it("removes a leading BOM and only that one", async () => {
    const file = await sourceFile("bom.py", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x = '\uFEFF'\n")]));
    expect(await readSource(file)).toEqual({ kind: "text", text: "x = '\uFEFF'\n" });
  });

  it("fails with stage read and the line of an invalid UTF-8 byte", async () => {
    const bytes = Buffer.concat([Buffer.from("# first\nname = 'ok'\ncaf"), Buffer.from([0xe9]), Buffer.from("\nend = 1\n")]);
    const file = await sourceFile("latin1.py", bytes);
    expect(await readSource(file)).toEqual({
      kind: "failed",
      failure: { path: "latin1.py", stage: "read", message: "not valid UTF-8 text", line: 3 },
    });
  });

  it("an invalid byte on line 1 is reported on line 1", async () => {
    const file = await sourceFile("first.py", Buffer.from([0x78, 0xff, 0x0a, 0x79]));
    const result = await readSource(file);
    expect(result).toEqual({ kind: "failed", failure: { path: "first.py", stage: "read", message: "not valid UTF-8 text", line: 1 } });
  });

  it("names the line of the invalid byte even when a valid U+FFFD character comes earlier", async () => {
    // U+FFFD is valid UTF-8 (EF BF BD); the invalid byte 0xE9 is on line 3.
    const bytes = Buffer.concat([Buffer.from("marker = '\uFFFD'\n\ncaf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    const file = await sourceFile("replacement.py", bytes);
    expect(await readSource(file)).toEqual({
      kind: "failed",
      failure: { path: "replacement.py", stage: "read", message: "not valid UTF-8 text", line: 3 },
    });
  });

  it("keeps a valid U+FFFD character in the text", async () => {
    const file = await sourceFile("fffd.py", "s = '\uFFFD'\n");
    expect(await readSource(file)).toEqual({ kind: "text", text: "s = '\uFFFD'\n" });
  });

  it("fails with stage read and ENOENT when the file is gone", async () => {
    const file = await sourceFile("gone.py", "x = 1\n");
    await rm(file.absPath);
    const result = await readSource(file);
    expect(result.kind).toBe("failed");
    if (result.kind !== "failed") return;
    expect(result.failure.path).toBe("gone.py");
    expect(result.failure.stage).toBe("read");
    expect(result.failure.message).toContain("ENOENT");
    expect(result.failure.message).toBe("cannot read file (ENOENT)");
    expect(result.failure.cause).toMatchObject({ code: "ENOENT" });
    expect(result.failure.line).toBeUndefined();
  });

  it("fails with stage read when the path is a directory", async () => {
    const dir = path.join(root, "pkg.py");
    await mkdir(dir);
    const result = await readSource({ path: "pkg.py", absPath: dir, sizeBytes: 0, mtimeMs: 0 });
    expect(result).toMatchObject({ kind: "failed", failure: { path: "pkg.py", stage: "read", message: "cannot read file (EISDIR)" } });
  });
});
