import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import type { IndexFailure, SkippedFile, SourceFile } from "../model/types.js";

/** How many leading bytes are checked for a NUL byte to call a file binary (git checks 8000). */
export const BINARY_SNIFF_BYTES = 8000;

/** Outcome of {@link readSource}: the text and the hex SHA-256 of the file's bytes, a binary skip, or a read failure. */
export type ReadSourceResult =
  | { kind: "text"; text: string; contentHash: string }
  | { kind: "skipped"; skipped: SkippedFile }
  | { kind: "failed"; failure: IndexFailure };

/**
 * Reads a discovered file as UTF-8 text (a leading BOM removed) and hashes its bytes. A NUL byte in
 * the first {@link BINARY_SNIFF_BYTES} bytes makes it `skipped` (binary). Bytes that are not valid
 * UTF-8 (the failure names the first bad line) or an I/O error make it `failed` with stage `read`.
 * Never throws.
 */
export async function readSource(file: SourceFile): Promise<ReadSourceResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      kind: "failed",
      failure: { path: file.path, stage: "read", message: code ? `cannot read file (${code})` : "cannot read file", cause: error },
    };
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return { kind: "skipped", skipped: { path: file.path, reason: "binary", sizeBytes: bytes.length } };
  }
  if (!isUtf8(bytes)) {
    return { kind: "failed", failure: { path: file.path, stage: "read", message: "not valid UTF-8 text", line: firstInvalidLine(bytes) } };
  }
  const text = bytes.toString("utf8");
  return {
    kind: "text",
    text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    contentHash: createHash("sha256").update(bytes).digest("hex"),
  };
}
/**
 * 1-based line holding the first invalid UTF-8 byte. Byte 0x0A never occurs inside a multi-byte
 * UTF-8 sequence, so the bytes can be split into lines before decoding.
 */
function firstInvalidLine(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    if (newline === -1) break;
    line++;
    start = newline + 1;
  }
  return line;
}
