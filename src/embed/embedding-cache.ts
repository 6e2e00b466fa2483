import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { parseKeyLine, recordChecksum, writeAtEnd, type KeyLine } from "./embedding-cache-records.js";
import { isFiniteVector } from "./embedder.js";

/** Folder of the cache inside an index folder. */
export const EMBEDDING_CACHE_DIR = "embedding-cache";

const FORMAT = "codesearch-embedding-cache";
/**
 * On-disk format version. 3 added a checksum to every key line; caches of an older version cannot
 * prove that a vector belongs to its key, so they are discarded (`outdated-replaced`), never read.
 */
const VERSION = 3;
const POINTER_FILE = "current.json";

/**
 * How {@link EmbeddingCache.open} found the cache: `loaded`; `new` (none there); `corrupt-rebuilt`
 * (the pointer was unreadable or named missing files: the folder was set aside and a new cache
 * started); `outdated-replaced` (an older format without checksums was deleted and a new cache started).
 */
export type CacheOpenState = "loaded" | "new" | "corrupt-rebuilt" | "outdated-replaced";

/** Options of {@link EmbeddingCache.open}. */
export interface CacheOpenOptions {
  /**
   * Change no file (a dry run): damage is skipped rather than repaired, and a corrupt or outdated
   * cache opens empty in memory without being set aside or deleted. Such a cache must not be saved.
   */
  readOnly?: boolean;
}

/**
 * Cache key of one prepared text: hex SHA-256 over model id, token limit and text, NUL-separated.
 * Keyed by content, not by file:line, so moved code is a hit and edited code a miss; the token
 * limit is part of the key because truncation changes the vector of long texts.
 */
export function embeddingCacheKey(modelId: string, maxTokens: number, text: string): string {
  return createHash("sha256").update(modelId).update("\0").update(String(maxTokens)).update("\0").update(text).digest("hex");
}

/** Short tag of a model id stored with each entry, so compaction can prune one model's entries only. */
function modelTag(modelId: string): string {
  return createHash("sha256").update(modelId).digest("hex").slice(0, 12);
}

/** Where one vector lives in the current generation's sidecar, and how to check it. */
interface StoredEntry {
  /** Byte offset in `vectors-<gen>.f32`. */
  offset: number;
  /** Number of float32 values. */
  dimension: number;
  model: string;
  /** `recordChecksum(key, model, bytes)` of the vector as written. */
  checksum: string;
}

/**
 * Persistent embedding cache built for 100k+ entries: an append-only key log
 * (`keys-<gen>.jsonl`, one `{"k","m","o","d","c"}` line per vector: key, model tag, byte offset,
 * dimension, checksum) beside a binary sidecar (`vectors-<gen>.f32`, little-endian float32 records),
 * and `current.json` naming the format version and the generation.
 *
 * It never hands out a vector it cannot prove belongs to its key: every vector read is checked
 * against its line's checksum (over key, model tag and bytes) and for NaN/Infinity, and one that
 * fails is dropped and reported as a miss (`rejectedEntries`), so the caller re-embeds it. Opening
 * reads only the key log, checks each line's record against the sidecar's real size and 4-byte
 * alignment, and repairs a torn or cut tail by truncating both files to the end of the last good
 * record. {@link save} appends the unsaved vectors (sidecar bytes first, then their key lines) at
 * the files' known good ends, cutting off whatever a failed earlier append left there, so offsets
 * always match the bytes. {@link compact} rewrites live entries into a new generation and switches
 * `current.json` atomically (temp file + rename).
 */
export class EmbeddingCache {
  private readonly stored = new Map<string, StoredEntry>();
  private readonly pending = new Map<string, { vector: Float32Array; model: string }>();
  /** Known good end of the sidecar (bytes): every byte before it belongs to a recorded vector. */
  private vectorBytes = 0;
  /** Known good end of the key log (bytes): every line before it is complete. */
  private keyBytes = 0;
  private readFd: number | null = null;
  private rejected = 0;

  private constructor(
    /** Absolute cache folder. */
    readonly dir: string,
    private generation: number,
    /** Key-log lines that were unreadable, misaligned or pointed past the sidecar's end when opened. */
    readonly skippedEntries: number,
  ) {}

  /**
   * Opens (or creates) the cache in `dir`. A pointer file that is not valid JSON of this format, or
   * names missing files, makes the folder be renamed to `<dir>.corrupt-<ms>` and a new cache start
   * (`corrupt-rebuilt`); a pointer of an older format version makes the folder be deleted and a new
   * cache start (`outdated-replaced`). Bad lines inside a valid key log are skipped and counted in
   * `skippedEntries`; a bad tail is cut off both files (see the class comment). With `readOnly`,
   * no file is changed.
   * @throws Error only when the folder cannot be read, created, repaired or set aside (permissions, I/O).
   */
  static async open(dir: string, options: CacheOpenOptions = {}): Promise<{ cache: EmbeddingCache; state: CacheOpenState; setAsidePath?: string }> {
    const readOnly = options.readOnly ?? false;
    let pointerText: string;
    try {
      pointerText = await readFile(path.join(dir, POINTER_FILE), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return { cache: await EmbeddingCache.create(dir, readOnly), state: "new" };
    }
    const pointer = parsePointer(pointerText);
    if (pointer === "outdated") {
      if (!readOnly) await rm(dir, { recursive: true, force: true });
      return { cache: await EmbeddingCache.create(dir, readOnly), state: "outdated-replaced" };
    }
    const loaded = pointer === null ? null : await EmbeddingCache.load(dir, pointer, readOnly);
    if (loaded) return { cache: loaded, state: "loaded" };
    if (readOnly) return { cache: await EmbeddingCache.create(dir, readOnly), state: "corrupt-rebuilt" };
    const setAsidePath = `${dir}.corrupt-${Date.now()}`;
    await rename(dir, setAsidePath);
    return { cache: await EmbeddingCache.create(dir, readOnly), state: "corrupt-rebuilt", setAsidePath };
  }

  private static async create(dir: string, readOnly: boolean): Promise<EmbeddingCache> {
    if (!readOnly) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, keysFile(1)), "");
      await writeFile(path.join(dir, vectorsFile(1)), "");
      await writePointer(dir, 1);
    }
    return new EmbeddingCache(dir, 1, 0);
  }

  private static async load(dir: string, generation: number, readOnly: boolean): Promise<EmbeddingCache | null> {
    let keysText: Buffer;
    let sidecarBytes: number;
    try {
      keysText = await readFile(path.join(dir, keysFile(generation)));
      sidecarBytes = (await stat(path.join(dir, vectorsFile(generation)))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    let skipped = 0;
    let lineStart = 0;
    let goodKeyEnd = 0;
    let goodVectorEnd = 0;
    const entries: [string, StoredEntry][] = [];
    while (lineStart < keysText.length) {
      const newline = keysText.indexOf(0x0a, lineStart);
      // A line without its newline is the torn end of an interrupted append.
      const lineEnd = newline === -1 ? keysText.length : newline + 1;
      const line = newline === -1 ? null : parseKeyLine(keysText.toString("utf8", lineStart, newline), sidecarBytes);
      if (line) {
        entries.push([line.k, { offset: line.o, dimension: line.d, model: line.m, checksum: line.c }]);
        goodKeyEnd = lineEnd;
        goodVectorEnd = Math.max(goodVectorEnd, line.o + line.d * 4);
      } else {
        skipped++;
      }
      lineStart = lineEnd;
    }
    // Repair: lines after the last good one and sidecar bytes after the last good record are the
    // remains of an interrupted append or of a cut file; left in place, a later append would make
    // those lines point at new bytes.
    if (!readOnly) {
      if (keysText.length > goodKeyEnd) await truncate(path.join(dir, keysFile(generation)), goodKeyEnd);
      if (sidecarBytes > goodVectorEnd) await truncate(path.join(dir, vectorsFile(generation)), goodVectorEnd);
    }
    const cache = new EmbeddingCache(dir, generation, skipped);
    // A key written again ({@link touch}) moves to the end: `stored` is in order of last write.
    for (const [key, entry] of entries) {
      cache.stored.delete(key);
      cache.stored.set(key, entry);
    }
    cache.vectorBytes = goodVectorEnd;
    cache.keyBytes = goodKeyEnd;
    return cache;
  }

  /** Number of vectors held (saved and unsaved), rejected ones no longer counted. */
  get size(): number {
    let count = this.stored.size;
    for (const key of this.pending.keys()) if (!this.stored.has(key)) count++;
    return count;
  }

  /** Vectors added since the last successful save. */
  get unsavedCount(): number {
    return this.pending.size;
  }

  /** Saved entries dropped since opening because their bytes failed the checksum or held NaN/Infinity. */
  get rejectedEntries(): number {
    return this.rejected;
  }

  /** Whether a vector is held under `key`, without reading (or verifying) it. */
  has(key: string): boolean {
    return this.pending.has(key) || this.stored.has(key);
  }

  /** Length of the vector held under `key`, without reading (or verifying) it; undefined on a miss. */
  dimensionOf(key: string): number | undefined {
    return this.pending.get(key)?.vector.length ?? this.stored.get(key)?.dimension;
  }

  /**
   * The vector stored under `key` (a fresh `Float32Array`), or undefined on a miss. A saved vector
   * is read from the sidecar and verified: one that is cut short, fails its checksum or holds
   * NaN/Infinity is dropped from the cache, counted in {@link rejectedEntries}, and is a miss.
   */
  get(key: string): Float32Array | undefined {
    const unsaved = this.pending.get(key);
    if (unsaved) return unsaved.vector.slice();
    const entry = this.stored.get(key);
    if (!entry) return undefined;
    this.readFd ??= openSync(path.join(this.dir, vectorsFile(this.generation)), "r");
    const vector = new Float32Array(entry.dimension);
    const bytes = new Uint8Array(vector.buffer);
    const complete = readSync(this.readFd, bytes, 0, bytes.length, entry.offset) === bytes.length;
    if (!complete || recordChecksum(key, entry.model, bytes) !== entry.checksum || !isFiniteVector(vector)) {
      this.stored.delete(key);
      this.rejected++;
      return undefined;
    }
    return vector;
  }

  /**
   * Holds `vector` under `key` in memory for model `modelId`; {@link save} persists it.
   * @throws RangeError when `vector` holds NaN or Infinity (the embed seam rejects those first).
   */
  set(key: string, vector: Float32Array, modelId: string): void {
    if (!isFiniteVector(vector)) throw new RangeError(`refusing to cache a vector with NaN or Infinity under ${key}`);
    if (this.has(key)) return;
    this.pending.set(key, { vector: vector.slice(), model: modelTag(modelId) });
  }

  /**
   * Appends the unsaved vectors to the sidecar, then their key lines to the log, each at the
   * file's known good end (see {@link writeAtEnd}). No-op when nothing is unsaved.
   * @throws Error when the files cannot be written (the entries stay unsaved in memory, and the
   *   next save overwrites whatever part of them reached the disk).
   */
  async save(): Promise<void> {
    if (this.pending.size === 0) return;
    const records = [...this.pending];
    const bytes = Buffer.alloc(records.reduce((n, [, r]) => n + r.vector.byteLength, 0));
    const lines: string[] = [];
    const saved: [string, StoredEntry][] = [];
    let cursor = 0;
    for (const [key, record] of records) {
      const vectorBytes = new Uint8Array(record.vector.buffer, record.vector.byteOffset, record.vector.byteLength);
      bytes.set(vectorBytes, cursor);
      const entry: StoredEntry = { offset: this.vectorBytes + cursor, dimension: record.vector.length, model: record.model, checksum: recordChecksum(key, record.model, vectorBytes) };
      lines.push(JSON.stringify({ k: key, m: entry.model, o: entry.offset, d: entry.dimension, c: entry.checksum } satisfies KeyLine));
      saved.push([key, entry]);
      cursor += record.vector.byteLength;
    }
    const vectorEnd = await writeAtEnd(path.join(this.dir, vectorsFile(this.generation)), this.vectorBytes, bytes);
    this.keyBytes = await writeAtEnd(path.join(this.dir, keysFile(this.generation)), this.keyBytes, Buffer.from(`${lines.join("\n")}\n`));
    this.vectorBytes = vectorEnd;
    for (const [key, entry] of saved) {
      this.stored.delete(key);
      this.stored.set(key, entry);
      this.pending.delete(key);
    }
  }

  /**
   * Drops the entries of model `modelId` whose keys `keep` rejects (entries of other models stay,
   * so switching models back and forth re-uses vectors), writing the survivors to a new
   * generation and switching to it atomically. Saves unsaved entries first. Survivors that fail
   * verification while being copied are dropped too.
   * @returns the number of entries dropped.
   * @throws Error when the new generation cannot be written (the old one stays current).
   */
  async compact(modelId: string, keep: (key: string) => boolean): Promise<number> {
    await this.save();
    const tag = modelTag(modelId);
    const before = this.stored.size;
    const candidates = [...this.stored].filter(([key, entry]) => entry.model !== tag || keep(key));
    if (candidates.length === before) return 0;
    return this.rewrite(candidates);
  }

  /**
   * Writes `candidates` (entries of this cache, in order) into a new generation and switches to it
   * atomically; a candidate that fails verification while being copied is dropped.
   * @returns the number of entries the cache held before less the number it holds now.
   */
  private async rewrite(candidates: [string, StoredEntry][]): Promise<number> {
    const before = this.stored.size;
    const next = this.generation + 1;
    const chunks: Uint8Array[] = [];
    const lines: string[] = [];
    const moved: [string, StoredEntry][] = [];
    let cursor = 0;
    for (const [key, entry] of candidates) {
      const vector = this.get(key);
      if (!vector) continue;
      const bytes = new Uint8Array(vector.buffer);
      chunks.push(bytes);
      const copy: StoredEntry = { ...entry, offset: cursor };
      lines.push(JSON.stringify({ k: key, m: copy.model, o: copy.offset, d: copy.dimension, c: copy.checksum } satisfies KeyLine));
      moved.push([key, copy]);
      cursor += bytes.byteLength;
    }
    const keysText = lines.length ? `${lines.join("\n")}\n` : "";
    await writeFile(path.join(this.dir, vectorsFile(next)), Buffer.concat(chunks));
    await writeFile(path.join(this.dir, keysFile(next)), keysText);
    await writePointer(this.dir, next);
    this.close();
    const previous = this.generation;
    this.generation = next;
    this.vectorBytes = cursor;
    this.keyBytes = Buffer.byteLength(keysText);
    this.stored.clear();
    for (const [key, entry] of moved) this.stored.set(key, entry);
    await rm(path.join(this.dir, keysFile(previous)), { force: true });
    await rm(path.join(this.dir, vectorsFile(previous)), { force: true });
    return before - moved.length;
  }

  /**
   * Marks the saved vector under `key` as just used: the next {@link save} writes it again at the
   * end, so entries stay in order of last use and {@link retainNewest} evicts the least recently
   * used. Returns false on a miss (or a vector that fails verification).
   */
  touch(key: string): boolean {
    if (this.pending.has(key)) return true;
    const entry = this.stored.get(key);
    const vector = entry ? this.get(key) : undefined;
    if (!entry || !vector) return false;
    this.pending.set(key, { vector, model: entry.model });
    return true;
  }

  /** Bytes of vectors in the current sidecar, live or not (what {@link retainNewest} bounds). */
  get sidecarBytes(): number {
    return this.vectorBytes;
  }

  /**
   * Least-recently-used eviction over every model: when the sidecar exceeds `maxBytes`, keeps the
   * most recently written or touched entries whose vectors fit in `targetBytes` (≤ `maxBytes`) and
   * rewrites them into a new generation ({@link compact}'s atomic switch). Saves unsaved entries first.
   * @returns the number of entries evicted (0 when under the cap).
   * @throws Error when the new generation cannot be written (the old one stays current).
   */
  async retainNewest(maxBytes: number, targetBytes: number): Promise<number> {
    await this.save();
    if (this.vectorBytes <= maxBytes) return 0;
    const newest = [...this.stored].reverse();
    const keep = new Set<string>();
    let bytes = 0;
    for (const [key, entry] of newest) {
      if (bytes + entry.dimension * 4 > targetBytes) break;
      bytes += entry.dimension * 4;
      keep.add(key);
    }
    return this.rewrite([...this.stored].filter(([key]) => keep.has(key)));
  }

  /** Number of saved entries that belong to `modelId`. */
  countForModel(modelId: string): number {
    const tag = modelTag(modelId);
    let n = 0;
    for (const entry of this.stored.values()) if (entry.model === tag) n++;
    return n;
  }

  /** Closes the sidecar's read handle; the cache stays usable (it reopens on demand). */
  close(): void {
    if (this.readFd !== null) closeSync(this.readFd);
    this.readFd = null;
  }
}

function keysFile(generation: number): string {
  return `keys-${generation}.jsonl`;
}

function vectorsFile(generation: number): string {
  return `vectors-${generation}.f32`;
}

async function writePointer(dir: string, generation: number): Promise<void> {
  await writeFileAtomic(path.join(dir, POINTER_FILE), `${JSON.stringify({ format: FORMAT, version: VERSION, generation })}\n`);
}

/** The generation named by a pointer of this format and version, `outdated` for an older version of this format, else null. */
function parsePointer(text: string): number | "outdated" | null {
  let pointer: { format?: unknown; version?: unknown; generation?: unknown } | null;
  try {
    pointer = JSON.parse(text) as typeof pointer;
  } catch {
    return null;
  }
  if (pointer === null || typeof pointer !== "object" || pointer.format !== FORMAT) return null;
  if (Number.isSafeInteger(pointer.version) && (pointer.version as number) >= 1 && (pointer.version as number) < VERSION) return "outdated";
  const ok = pointer.version === VERSION && Number.isSafeInteger(pointer.generation) && (pointer.generation as number) > 0;
  return ok ? (pointer.generation as number) : null;
}
