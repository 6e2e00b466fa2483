/**
 * The on-disk records of the embedding cache: one key-log line per vector, its checksum, and the
 * positioned appends that keep both files' ends where the cache believes they are.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** One line of `keys-<gen>.jsonl`. */
export interface KeyLine {
  /** Cache key (see `embeddingCacheKey`). */
  k: string;
  /** Model tag (see `modelTag`). */
  m: string;
  /** Byte offset of the vector in `vectors-<gen>.f32`, a multiple of 4. */
  o: number;
  /** Number of float32 values. */
  d: number;
  /** {@link recordChecksum} of key, model tag and the vector's bytes. */
  c: string;
}

/** Length of a record checksum in hex characters (64 bits). */
const CHECKSUM_HEX_LENGTH = 16;

/**
 * Checksum that ties a vector's bytes to its key and model tag: the first 64 bits of SHA-256 over
 * `key NUL model NUL bytes`, as 16 hex characters. A vector read back whose checksum differs was
 * damaged, overwritten or belongs to another key; 64 bits make an undetected random corruption of
 * one record a 2^-64 event.
 */
export function recordChecksum(key: string, model: string, bytes: Uint8Array): string {
  return createHash("sha256").update(key).update("\0").update(model).update("\0").update(bytes).digest("hex").slice(0, CHECKSUM_HEX_LENGTH);
}

/**
 * The key line `line` parsed, or null when it is not a well-formed line of this format or its
 * record does not lie inside a sidecar of `vectorBytes` bytes on a 4-byte boundary.
 */
export function parseKeyLine(line: string, vectorBytes: number): KeyLine | null {
  let entry: Partial<KeyLine>;
  try {
    entry = JSON.parse(line) as Partial<KeyLine>;
  } catch {
    return null;
  }
  if (entry === null || typeof entry !== "object") return null;
  const { k, m, o, d, c } = entry;
  const ok =
    typeof k === "string" &&
    typeof m === "string" &&
    typeof c === "string" &&
    /^[0-9a-f]{16}$/.test(c) &&
    Number.isSafeInteger(o) &&
    (o as number) >= 0 &&
    (o as number) % 4 === 0 &&
    Number.isSafeInteger(d) &&
    (d as number) > 0 &&
    (o as number) + (d as number) * 4 <= vectorBytes;
  return ok ? (entry as KeyLine) : null;
}

/**
 * Writes `data` to `file` at byte `end`, the end the caller last wrote successfully: bytes past
 * `end` (left by an append that failed part-way, e.g. on ENOSPC) are cut off first, so the data
 * lands exactly where the caller's offsets say. Returns the new end (`end + data.length`).
 * @throws Error when the file is shorter than `end` (it changed under the cache), or on I/O errors
 *   (the file may then hold part of `data` past `end`; the next call cuts it off).
 */
export async function writeAtEnd(file: string, end: number, data: Uint8Array): Promise<number> {
  const handle = await open(file, "r+");
  try {
    const { size } = await handle.stat();
    if (size < end) throw new Error(`${file} holds ${size} bytes, fewer than the ${end} this cache wrote; it was changed outside codesearch`);
    if (size > end) await handle.truncate(end);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written, end + written);
      written += bytesWritten;
    }
    return end + data.length;
  } finally {
    await handle.close();
  }
}
