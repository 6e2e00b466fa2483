import { createHash } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { BINARY_SNIFF_BYTES, readSource } from "../../src/discover/read-source.js";
import type { SourceFile } from "../../src/model/types.js";
import { makeTempDir } from "../support/temp-dirs.js";

let root: string;

beforeEach(async () => {
  root = await makeTempDir();
});

/** Hex SHA-256 of `bytes`, computed independently of readSource. */
const sha256 = (bytes: string | Buffer): string => createHash("sha256").update(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes).digest("hex");

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
    expect(await readSource(file)).toEqual({ kind: "text", text, contentHash: sha256(text) });
  });

  it("returns an empty file as empty text", async () => {
    const file = await sourceFile("empty.py", "");
    expect(await readSource(file)).toEqual({
      kind: "text",
      text: "",
      contentHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
  });

  it("removes a leading BOM and only that one", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x = '\uFEFF'\n")]);
    const file = await sourceFile("bom.py", bytes);
    // The hash covers the file's bytes, BOM included; the text drops the BOM.
    expect(await readSource(file)).toEqual({ kind: "text", text: "x = '\uFEFF'\n", contentHash: sha256(bytes) });
    expect(sha256(bytes)).not.toBe(sha256("x = '\uFEFF'\n"));
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
    expect(await readSource(file)).toEqual({ kind: "text", text: "s = '\uFFFD'\n", contentHash: sha256("s = '\uFFFD'\n") });
  });

  it("gives different hashes for contents that differ only in line endings or one byte", async () => {
    const lf = await readSource(await sourceFile("lf.py", "a = 1\nb = 2\n"));
    const crlf = await readSource(await sourceFile("crlf.py", "a = 1\r\nb = 2\r\n"));
    const other = await readSource(await sourceFile("other.py", "a = 1\nb = 3\n"));
    const same = await readSource(await sourceFile("same.py", "a = 1\nb = 2\n"));
    const hashes = [lf, crlf, other, same].map((r) => (r.kind === "text" ? r.contentHash : r.kind));
    expect(hashes).toEqual([sha256("a = 1\nb = 2\n"), sha256("a = 1\r\nb = 2\r\n"), sha256("a = 1\nb = 3\n"), sha256("a = 1\nb = 2\n")]);
    expect(new Set(hashes).size).toBe(3);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("skips a file with a NUL byte in its first bytes as binary, with its size", async () => {
    const bytes = Buffer.concat([Buffer.from("abc"), Buffer.from([0]), Buffer.from("def\n")]);
    const file = await sourceFile("blob.py", bytes);
    expect(await readSource(file)).toEqual({ kind: "skipped", skipped: { path: "blob.py", reason: "binary", sizeBytes: 8 } });
  });

  it("a binary file is skipped even when its bytes are not valid UTF-8", async () => {
    const file = await sourceFile("image.py", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff]));
    expect(await readSource(file)).toEqual({ kind: "skipped", skipped: { path: "image.py", reason: "binary", sizeBytes: 11 } });
  });

  it(`a NUL at the last sniffed byte (${BINARY_SNIFF_BYTES - 1}) makes a file binary`, async () => {
    expect(BINARY_SNIFF_BYTES).toBe(8000);
    const bytes = Buffer.concat([Buffer.from("#".repeat(7999)), Buffer.from([0]), Buffer.from("\nx = 1\n")]);
    const file = await sourceFile("edge.py", bytes);
    expect(await readSource(file)).toEqual({ kind: "skipped", skipped: { path: "edge.py", reason: "binary", sizeBytes: 8007 } });
  });

  it("a NUL after the first 8000 bytes does not make a file binary: valid UTF-8 is text", async () => {
    const bytes = Buffer.concat([Buffer.from("#".repeat(8000)), Buffer.from([0]), Buffer.from("\nx = 1\n")]);
    const file = await sourceFile("late_nul.py", bytes);
    expect(await readSource(file)).toEqual({ kind: "text", text: bytes.toString("utf8"), contentHash: sha256(bytes) });
  });

  it("a NUL after the first 8000 bytes with invalid UTF-8 is a read failure, not a binary skip", async () => {
    const bytes = Buffer.concat([Buffer.from(`${"#".repeat(8999)}\n`), Buffer.from([0, 0xff]), Buffer.from("\n")]);
    const file = await sourceFile("late_bad.py", bytes);
    expect(await readSource(file)).toEqual({
      kind: "failed",
      failure: { path: "late_bad.py", stage: "read", message: "not valid UTF-8 text", line: 2 },
    });
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
