import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { appendFile, mkdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";

/** Folder of the cache inside an index folder. */
export const EMBEDDING_CACHE_DIR = "embedding-cache";

const FORMAT = "codesearch-embedding-cache";
const VERSION = 2;
const POINTER_FILE = "current.json";

/** How {@link EmbeddingCache.open} found the cache. */
export type CacheOpenState = "loaded" | "new" | "corrupt-rebuilt";

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

/** Where one vector lives in the current generation's sidecar. */
interface StoredEntry {
  /** Byte offset in `vectors-<gen>.f32`. */
  offset: number;
  /** Number of float32 values. */
  dimension: number;
  model: string;
}

/** One line of `keys-<gen>.jsonl`. */
interface KeyLine {
  k: string;
  m: string;
  o: number;
  d: number;
}

/**
 * Persistent embedding cache built for 100k+ entries: an append-only key log
 * (`keys-<gen>.jsonl`, one `{"k","m","o","d"}` line per vector) beside a binary sidecar
 * (`vectors-<gen>.f32`, little-endian float32 records), and `current.json` naming the generation.
 *
 * Opening reads only the key log; vectors are read from the sidecar on {@link get}. {@link save}
 * appends the vectors added since the last save (sidecar bytes first, then their key lines), so a
 * crash loses at most the unsaved entries and a half-written tail is ignored on the next open.
 * {@link compact} rewrites live entries into a new generation and switches `current.json`
 * atomically (temp file + rename), so readers see the old generation or the new one, never a mix.
 */
export class EmbeddingCache {
  private readonly stored = new Map<string, StoredEntry>();
  private readonly pending = new Map<string, { vector: Float32Array; model: string }>();
  private vectorBytes = 0;
  private readFd: number | null = null;

  private constructor(
    /** Absolute cache folder. */
    readonly dir: string,
    private generation: number,
    /** Key-log lines that were unreadable or pointed past the sidecar's end when opened. */
    readonly skippedEntries: number,
  ) {}

  /**
   * Opens (or creates) the cache in `dir`. A pointer file that is not valid JSON of this format, or
   * names missing files, makes the folder be renamed to `<dir>.corrupt-<ms>` and a new cache start
   * (`corrupt-rebuilt`). Bad lines inside a valid key log are skipped and counted in `skippedEntries`.
   * @throws Error only when the folder cannot be read, created or set aside (permissions, I/O).
   */
  static async open(dir: string): Promise<{ cache: EmbeddingCache; state: CacheOpenState; setAsidePath?: string }> {
    let pointerText: string;
    try {
      pointerText = await readFile(path.join(dir, POINTER_FILE), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return { cache: await EmbeddingCache.create(dir), state: "new" };
    }
    const generation = parsePointer(pointerText);
    const loaded = generation === null ? null : await EmbeddingCache.load(dir, generation);
    if (loaded) return { cache: loaded, state: "loaded" };
    const setAsidePath = `${dir}.corrupt-${Date.now()}`;
    await rename(dir, setAsidePath);
    return { cache: await EmbeddingCache.create(dir), state: "corrupt-rebuilt", setAsidePath };
  }

  private static async create(dir: string): Promise<EmbeddingCache> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, keysFile(1)), "");
    await writeFile(path.join(dir, vectorsFile(1)), "");
    await writePointer(dir, 1);
    return new EmbeddingCache(dir, 1, 0);
  }

  private static async load(dir: string, generation: number): Promise<EmbeddingCache | null> {
    let keysText: string;
    let vectorBytes: number;
    try {
      keysText = await readFile(path.join(dir, keysFile(generation)), "utf8");
      vectorBytes = (await stat(path.join(dir, vectorsFile(generation)))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    // A crash mid-append can leave a line without its newline; cut it off, or the next save would glue onto it.
    if (keysText !== "" && !keysText.endsWith("\n")) {
      const whole = keysText.slice(0, keysText.lastIndexOf("\n") + 1);
      await truncate(path.join(dir, keysFile(generation)), Buffer.byteLength(whole));
      keysText = `${whole}${keysText.slice(whole.length)}`;
    }
    let skipped = 0;
    const entries: [string, StoredEntry][] = [];
    for (const line of keysText.split("\n")) {
      if (line === "") continue;
      const entry = parseKeyLine(line);
      if (!entry || entry.o + entry.d * 4 > vectorBytes) skipped++;
      else entries.push([entry.k, { offset: entry.o, dimension: entry.d, model: entry.m }]);
    }
    const cache = new EmbeddingCache(dir, generation, skipped);
    for (const [key, entry] of entries) cache.stored.set(key, entry);
    cache.vectorBytes = vectorBytes;
    return cache;
  }

  /** Number of vectors held (saved and unsaved). */
  get size(): number {
    return this.stored.size + this.pending.size;
  }

  /** Vectors added since the last successful save. */
  get unsavedCount(): number {
    return this.pending.size;
  }

  /** Whether a vector is held under `key`, without reading it. */
  has(key: string): boolean {
    return this.pending.has(key) || this.stored.has(key);
  }

  /** Length of the vector held under `key`, without reading it; undefined on a miss. */
  dimensionOf(key: string): number | undefined {
    return this.pending.get(key)?.vector.length ?? this.stored.get(key)?.dimension;
  }

  /** The vector stored under `key` (a fresh `Float32Array`), or undefined on a miss. */
  get(key: string): Float32Array | undefined {
    const unsaved = this.pending.get(key);
    if (unsaved) return unsaved.vector.slice();
    const entry = this.stored.get(key);
    if (!entry) return undefined;
    this.readFd ??= openSync(path.join(this.dir, vectorsFile(this.generation)), "r");
    const vector = new Float32Array(entry.dimension);
    const bytes = new Uint8Array(vector.buffer);
    if (readSync(this.readFd, bytes, 0, bytes.length, entry.offset) !== bytes.length) return undefined;
    return vector;
  }

  /** Holds `vector` under `key` in memory for model `modelId`; {@link save} persists it. */
  set(key: string, vector: Float32Array, modelId: string): void {
    if (this.has(key)) return;
    this.pending.set(key, { vector: vector.slice(), model: modelTag(modelId) });
  }

  /**
   * Appends the unsaved vectors to the sidecar, then their key lines to the log. No-op when
   * nothing is unsaved.
   * @throws Error when the files cannot be written (the entries stay unsaved in memory).
   */
  async save(): Promise<void> {
    if (this.pending.size === 0) return;
    const records = [...this.pending];
    const bytes = Buffer.alloc(records.reduce((n, [, r]) => n + r.vector.byteLength, 0));
    const lines: string[] = [];
    let cursor = 0;
    for (const [key, record] of records) {
      bytes.set(new Uint8Array(record.vector.buffer, record.vector.byteOffset, record.vector.byteLength), cursor);
      lines.push(JSON.stringify({ k: key, m: record.model, o: this.vectorBytes + cursor, d: record.vector.length } satisfies KeyLine));
      cursor += record.vector.byteLength;
    }
    await appendFile(path.join(this.dir, vectorsFile(this.generation)), bytes);
    await appendFile(path.join(this.dir, keysFile(this.generation)), `${lines.join("\n")}\n`);
    for (const [key, record] of records) {
      this.stored.set(key, { offset: this.vectorBytes, dimension: record.vector.length, model: record.model });
      this.vectorBytes += record.vector.byteLength;
      this.pending.delete(key);
    }
  }

  /**
   * Drops the entries of model `modelId` whose keys `keep` rejects (entries of other models stay,
   * so switching models back and forth re-uses vectors), writing the survivors to a new
   * generation and switching to it atomically. Saves unsaved entries first.
   * @returns the number of entries dropped.
   * @throws Error when the new generation cannot be written (the old one stays current).
   */
  async compact(modelId: string, keep: (key: string) => boolean): Promise<number> {
    await this.save();
    const tag = modelTag(modelId);
    const survivors = [...this.stored].filter(([key, entry]) => entry.model !== tag || keep(key));
    const dropped = this.stored.size - survivors.length;
    if (dropped === 0) return 0;
    const next = this.generation + 1;
    const bytes = Buffer.alloc(survivors.reduce((n, [, e]) => n + e.dimension * 4, 0));
    const lines: string[] = [];
    const moved: [string, StoredEntry][] = [];
    let cursor = 0;
    for (const [key, entry] of survivors) {
      const vector = this.get(key)!;
      bytes.set(new Uint8Array(vector.buffer), cursor);
      lines.push(JSON.stringify({ k: key, m: entry.model, o: cursor, d: entry.dimension } satisfies KeyLine));
      moved.push([key, { offset: cursor, dimension: entry.dimension, model: entry.model }]);
      cursor += vector.byteLength;
    }
    await writeFile(path.join(this.dir, vectorsFile(next)), bytes);
    await writeFile(path.join(this.dir, keysFile(next)), lines.length ? `${lines.join("\n")}\n` : "");
    await writePointer(this.dir, next);
    this.close();
    const previous = this.generation;
    this.generation = next;
    this.vectorBytes = cursor;
    this.stored.clear();
    for (const [key, entry] of moved) this.stored.set(key, entry);
    await rm(path.join(this.dir, keysFile(previous)), { force: true });
    await rm(path.join(this.dir, vectorsFile(previous)), { force: true });
    return dropped;
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

function parsePointer(text: string): number | null {
  try {
    const pointer = JSON.parse(text) as { format?: unknown; version?: unknown; generation?: unknown };
    const ok = pointer.format === FORMAT && pointer.version === VERSION && Number.isSafeInteger(pointer.generation) && (pointer.generation as number) > 0;
    return ok ? (pointer.generation as number) : null;
  } catch {
    return null;
  }
}

function parseKeyLine(line: string): KeyLine | null {
  try {
    const entry = JSON.parse(line) as Partial<KeyLine>;
    const ok =
      typeof entry.k === "string" &&
      typeof entry.m === "string" &&
      Number.isSafeInteger(entry.o) &&
      (entry.o as number) >= 0 &&
      Number.isSafeInteger(entry.d) &&
      (entry.d as number) > 0;
    return ok ? (entry as KeyLine) : null;
  } catch {
    return null;
  }
}
