import { readFile } from "node:fs/promises";
import { isUtf8 } from "node:buffer";
import type { IndexFailure, SourceFile } from "../model/types.js";

/** Outcome of {@link readSource}: the text, or a read failure. */
export type ReadSourceResult = { kind: "text"; text: string } | { kind: "failed"; failure: IndexFailure };

/**
 * Reads a discovered file as UTF-8 text (a leading BOM removed). Bytes that are not valid UTF-8 (the failure names the first bad line) or an
 * I/O error make it `failed` with stage `read`. Never throws.
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
  if (!isUtf8(bytes)) {
    return { kind: "failed", failure: { path: file.path, stage: "read", message: "not valid UTF-8 text", line: firstInvalidLine(bytes) } };
  }
  const text = bytes.toString("utf8");
  return { kind: "text", text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
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
