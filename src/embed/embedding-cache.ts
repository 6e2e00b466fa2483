import { createHash } from "node:crypto";
import { readFile, rename } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";

/** File name of the cache inside an index folder. */
export const EMBEDDING_CACHE_FILE = "embedding-cache.json";

const FORMAT = "codesearch-embedding-cache";
const VERSION = 1;

/** On-disk shape: vectors as base64 of little-endian float32 bytes, keyed by {@link embeddingCacheKey}. */
interface CacheFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  entries: Record<string, string>;
}

/** How {@link EmbeddingCache.open} found the file. */
export type CacheOpenState = "loaded" | "new" | "corrupt-rebuilt";

/**
 * Cache key of one prepared text: hex SHA-256 over model id, token limit and text, NUL-separated.
 * Keyed by content, not by file:line, so moved code is a hit and edited code a miss; the token
 * limit is part of the key because truncation changes the vector of long texts.
 */
export function embeddingCacheKey(modelId: string, maxTokens: number, text: string): string {
  return createHash("sha256").update(modelId).update("\0").update(String(maxTokens)).update("\0").update(text).digest("hex");
}

/**
 * Persistent embedding cache: one JSON file, written atomically (temp file + rename) by
 * {@link EmbeddingCache.save}. Vectors are decoded lazily on {@link EmbeddingCache.get}.
 */
export class EmbeddingCache {
  private readonly entries: Map<string, string>;
  private unsaved = 0;

  private constructor(
    /** Absolute path of the cache file. */
    readonly filePath: string,
    entries: Map<string, string>,
  ) {
    this.entries = entries;
  }

  /**
   * Opens the cache at `filePath`. A missing file gives an empty cache (`new`); a file that is not
   * a valid cache is renamed to `<file>.corrupt-<ms>` and an empty cache returned (`corrupt-rebuilt`).
   * @throws Error only when the file exists but cannot be read or set aside (permissions, I/O).
   */
  static async open(filePath: string): Promise<{ cache: EmbeddingCache; state: CacheOpenState; setAsidePath?: string }> {
    let raw: string;
    try {
      raw = await readFile(filePath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { cache: new EmbeddingCache(filePath, new Map()), state: "new" };
      throw error;
    }
    const entries = parseCacheFile(raw);
    if (entries) return { cache: new EmbeddingCache(filePath, entries), state: "loaded" };
    const setAsidePath = `${filePath}.corrupt-${Date.now()}`;
    await rename(filePath, setAsidePath);
    return { cache: new EmbeddingCache(filePath, new Map()), state: "corrupt-rebuilt", setAsidePath };
  }

  /** Number of vectors held. */
  get size(): number {
    return this.entries.size;
  }

  /** Vectors added since the last successful save. */
  get unsavedCount(): number {
    return this.unsaved;
  }

  /** The vector stored under `key` (a fresh `Float32Array`), or undefined on a miss or an undecodable entry. */
  get(key: string): Float32Array | undefined {
    const encoded = this.entries.get(key);
    if (encoded === undefined) return undefined;
    const bytes = Buffer.from(encoded, "base64");
    if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
    const vector = new Float32Array(bytes.length / 4);
    new Uint8Array(vector.buffer).set(bytes);
    return vector;
  }

  /** Stores `vector` under `key` in memory; {@link save} persists it. */
  set(key: string, vector: Float32Array): void {
    this.entries.set(key, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64"));
    this.unsaved++;
  }

  /**
   * Writes the whole cache to {@link filePath} atomically. A crash mid-write leaves the previous
   * file intact. No-op when nothing changed since the last save.
   * @throws Error when the file cannot be written.
   */
  async save(): Promise<void> {
    if (this.unsaved === 0) return;
    const file: CacheFile = { format: FORMAT, version: VERSION, entries: Object.fromEntries(this.entries) };
    await writeFileAtomic(this.filePath, JSON.stringify(file));
    this.unsaved = 0;
  }
}

function parseCacheFile(raw: string): Map<string, string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const file = parsed as Partial<CacheFile>;
  if (file.format !== FORMAT || file.version !== VERSION || typeof file.entries !== "object" || file.entries === null || Array.isArray(file.entries)) return null;
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(file.entries)) {
    if (typeof value !== "string") return null;
    entries.set(key, value);
  }
  return entries;
}
