/**
 * pipeline/ is the only place the stages meet: discover → extract → prepare → cache → embed → store.
 * It must not import Ink/React or print; it reports through typed events and returns values.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { discoverFiles, readSource } from "../discover/index.js";
import { DEFAULT_BATCH_SIZE, DEFAULT_MODEL_ID, EmbeddingCache, EMBEDDING_CACHE_FILE, embedChunks, embeddingCacheKey, modelIdOf, resolveModelSource } from "../embed/index.js";
import type { Embedder } from "../embed/index.js";
import { DEFAULT_MAX_CHUNK_CHARS, extractEntities, prepareChunks } from "../extract/index.js";
import { describeError, IndexMismatchError, NothingIndexedError, StoreError, UsageError } from "../model/errors.js";
import { emitEvent, type IndexEventSink } from "../model/events.js";
import type { Chunk, EmbeddedChunk, IndexFailure, IndexSummary, SkippedFile } from "../model/types.js";
import { assertSameModel, openDatabase, readManifest, refreshSearchIndexes, replaceEntityTable, SCHEMA_VERSION, writeManifest } from "../store/index.js";
import { type EmbedderLoader, loadEmbedderFromRequest } from "./load-embedder.js";

/** Default token limit per entity: CodeBERT's 512 positions (514 minus RoBERTa's 2 offset). */
export const DEFAULT_MAX_TOKENS = 512;

/** The cache is saved after this many new vectors, or {@link CHECKPOINT_INTERVAL_MS}, whichever comes first. */
export const CHECKPOINT_VECTORS = 256;
/** Longest time between cache checkpoints while embedding, in ms. */
export const CHECKPOINT_INTERVAL_MS = 30_000;

/** Options of {@link indexRepo}. */
export interface IndexRepoOptions {
  /** Repository to index (absolute or relative to the process cwd). */
  repoRoot: string;
  /** Index folder; default `<repoRoot>/.codesearch`. */
  indexDir: string;
  /** `--model`: hub id or local directory; default the model the index records, else {@link DEFAULT_MODEL_ID}. */
  model?: string;
  /** Directory against which a relative `model` path is resolved. */
  cwd: string;
  /** Per-user model download directory. */
  modelCacheDir: string;
  offline: boolean;
  endpoint?: string;
  /** Re-index with a different model than the index records, replacing its vectors. */
  rebuild?: boolean;
  batchSize?: number;
  maxTokens?: number;
  maxFileBytes?: number;
  sink: IndexEventSink;
  /** Model loader; default transformers.js. */
  loadEmbedder?: EmbedderLoader;
  signal?: AbortSignal;
}

/**
 * Indexes every Python definition under `repoRoot` into a fresh version of the entity table.
 * Vectors come from the embedding cache where the prepared text was embedded before by the same
 * model and token limit; the model is loaded only when something misses.
 *
 * Writes, in order: the embedding cache (checkpoints while embedding, and at the end even when a
 * later step fails), then the LanceDB table, then `manifest.json`. Per-file and per-entity problems
 * become `failures` in the summary; the run goes on.
 *
 * @throws UsageError when `repoRoot` is not a directory (nothing is created);
 *   IndexMismatchError when the index was built with another model and `rebuild` is not set;
 *   ModelLoadError; StoreError; NothingIndexedError when no entity could be stored (the previous
 *   table, if any, is left as it was).
 */
export async function indexRepo(options: IndexRepoOptions): Promise<IndexSummary> {
  const startedAt = Date.now();
  const repoRoot = path.resolve(options.repoRoot);
  const indexDir = path.resolve(options.indexDir);
  const sink = options.sink;
  await assertDirectory(repoRoot);
  const manifest = await readManifest(indexDir, { anySchemaVersion: options.rebuild === true });
  const source = resolveModelSource(options.model ?? manifest?.modelId ?? DEFAULT_MODEL_ID, options.cwd);
  const modelId = modelIdOf(source);
  const maxTokens = options.maxTokens ?? manifest?.maxTokens ?? DEFAULT_MAX_TOKENS;
  const compatibleManifest = manifest && !options.rebuild ? manifest : null;
  if (compatibleManifest) assertSameModel(compatibleManifest, modelId);

  await prepareIndexDir(indexDir);
  emitEvent(sink, { type: "run-started", repoRoot, indexDir, modelId });

  const failures: IndexFailure[] = [];
  const discovered = await discoverFiles(repoRoot, {
    excludeDirs: [indexDir],
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
  });
  const skipped: SkippedFile[] = discovered.skipped;
  emitEvent(sink, { type: "scan-finished", fileCount: discovered.files.length, skipped });
  for (const entry of discovered.unreadable) {
    const failure: IndexFailure = { path: entry.path, stage: "read", message: entry.message };
    failures.push(failure);
    emitEvent(sink, { type: "file-failed", failure });
  }

  const extractStartedAt = Date.now();
  const chunks: Chunk[] = [];
  let filesIndexed = 0;
  for (const file of discovered.files) {
    const read = await readSource(file);
    if (read.kind === "failed") {
      failures.push(read.failure);
      emitEvent(sink, { type: "file-failed", failure: read.failure });
      continue;
    }
    let extracted;
    try {
      extracted = await extractEntities(file.path, read.text);
    } catch (error) {
      const failure: IndexFailure = { path: file.path, stage: "parse", message: `parser failed: ${describeError(error)}`, cause: error };
      failures.push(failure);
      emitEvent(sink, { type: "file-failed", failure });
      continue;
    }
    filesIndexed++;
    const fileChunks = prepareChunks(extracted.entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS });
    chunks.push(...fileChunks);
    const firstError = extracted.syntaxErrors[0];
    if (firstError) {
      const more = extracted.syntaxErrors.length > 1 ? ` (+${extracted.syntaxErrors.length - 1} more)` : "";
      const failure: IndexFailure = {
        path: file.path,
        stage: "parse",
        line: firstError.line,
        message: `${firstError.message}${more}; kept ${fileChunks.length} recovered entities`,
      };
      failures.push(failure);
      emitEvent(sink, { type: "file-failed", failure });
    }
    emitEvent(sink, { type: "file-extracted", path: file.path, entityCount: fileChunks.length });
  }
  emitEvent(sink, {
    type: "extract-finished",
    fileCount: filesIndexed,
    entityCount: chunks.length,
    durationMs: Date.now() - extractStartedAt,
  });
  if (chunks.length === 0) {
    throw new NothingIndexedError(
      discovered.files.length === 0
        ? `no Python files to index under ${repoRoot}${skipped.length ? ` (${skipped.length} skipped)` : ""}`
        : `no functions, methods or classes found in ${discovered.files.length} Python files under ${repoRoot}`,
    );
  }

  const opened = await openCache(path.join(indexDir, EMBEDDING_CACHE_FILE));
  const cache = opened.cache;
  const embedded = new Map<string, Float32Array>();
  const misses: Chunk[] = [];
  let dimension = compatibleManifest?.dimension;
  for (const chunk of chunks) {
    const vector = cache.get(embeddingCacheKey(modelId, maxTokens, chunk.text));
    if (vector && (dimension === undefined || vector.length === dimension)) {
      dimension ??= vector.length;
      embedded.set(chunk.id, vector);
    } else {
      misses.push(chunk);
    }
  }
  const chunksFromCache = embedded.size;
  emitEvent(sink, {
    type: "cache-checked",
    hits: chunksFromCache,
    misses: misses.length,
    cacheState: opened.state,
    ...(opened.setAsidePath ? { setAsidePath: opened.setAsidePath } : {}),
  });

  let chunksEmbedded = 0;
  let embedder: Embedder | undefined;
  try {
    if (misses.length > 0) {
      emitEvent(sink, { type: "model-loading", modelId });
      const loadStartedAt = Date.now();
      embedder = await (options.loadEmbedder ?? loadEmbedderFromRequest)({
        source,
        cacheDir: options.modelCacheDir,
        offline: options.offline,
        maxTokens,
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      });
      emitEvent(sink, { type: "model-loaded", modelId, dimension: embedder.dimension, durationMs: Date.now() - loadStartedAt });
      if (compatibleManifest) assertSameModel(compatibleManifest, modelId, embedder.dimension);
      if (dimension !== undefined && dimension !== embedder.dimension) {
        throw new IndexMismatchError(`cached vectors are ${dimension}-d but model ${modelId} now produces ${embedder.dimension}-d vectors; pass --rebuild`);
      }
      dimension = embedder.dimension;
      let lastSaveAt = Date.now();
      await embedChunks(misses, embedder, {
        batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
        ...(options.signal ? { signal: options.signal } : {}),
        onEmbedded: async (chunk, vector) => {
          cache.set(embeddingCacheKey(modelId, maxTokens, chunk.text), vector);
          embedded.set(chunk.id, vector);
          chunksEmbedded++;
          emitEvent(sink, { type: "chunk-embedded", path: chunk.path, qualifiedName: chunk.qualifiedName, startLine: chunk.startLine });
          if (cache.unsavedCount >= CHECKPOINT_VECTORS || Date.now() - lastSaveAt >= CHECKPOINT_INTERVAL_MS) {
            await saveCache(cache, sink);
            lastSaveAt = Date.now();
          }
        },
        onFailed: (chunk, error) => {
          const failure: IndexFailure = {
            path: chunk.path,
            stage: "embed",
            line: chunk.startLine,
            qualifiedName: chunk.qualifiedName,
            message: describeError(error),
            cause: error,
          };
          failures.push(failure);
          emitEvent(sink, { type: "chunk-failed", failure });
        },
      });
    }
  } catch (error) {
    // Keep what was embedded before the fatal error, but report the fatal error, not a save problem.
    await embedder?.dispose();
    await saveCache(cache, sink).catch((saveError: unknown) => {
      const failure: IndexFailure = { path: cache.filePath, stage: "store", message: describeError(saveError), cause: saveError };
      emitEvent(sink, { type: "file-failed", failure });
    });
    throw error;
  }
  await embedder?.dispose();
  await saveCache(cache, sink);

  const rows: EmbeddedChunk[] = [];
  for (const chunk of chunks) {
    const vector = embedded.get(chunk.id);
    if (vector) rows.push({ ...chunk, vector });
  }
  if (rows.length === 0 || dimension === undefined) {
    throw new NothingIndexedError(`all ${chunks.length} entities failed to embed; the previous index was left unchanged`);
  }

  emitEvent(sink, { type: "store-started", rowCount: rows.length });
  const storeStartedAt = Date.now();
  const db = await openDatabase(indexDir);
  await replaceEntityTable(db, rows, dimension);
  await refreshSearchIndexes(db);
  db.close();
  emitEvent(sink, { type: "store-finished", rowCount: rows.length, durationMs: Date.now() - storeStartedAt });

  const finishedAt = Date.now();
  const summary: IndexSummary = {
    repoRoot,
    indexDir,
    modelId,
    dimension,
    filesDiscovered: discovered.files.length,
    filesIndexed,
    filesSkipped: skipped,
    entitiesFound: chunks.length,
    chunksEmbedded,
    chunksFromCache,
    chunksStored: rows.length,
    failures,
    durationMs: finishedAt - startedAt,
  };
  await writeManifest(indexDir, {
    format: "codesearch-index",
    schemaVersion: SCHEMA_VERSION,
    modelId,
    dimension,
    maxTokens,
    repoRoot,
    lastRun: {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: summary.durationMs,
      filesIndexed,
      entitiesStored: rows.length,
      failureCount: failures.length,
    },
  });
  emitEvent(sink, { type: "index-finished", summary });
  return summary;
}

async function assertDirectory(dir: string): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    throw new UsageError(`cannot index ${dir}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : describeError(error)}`, { cause: error });
  });
  if (!stats.isDirectory()) throw new UsageError(`cannot index ${dir}: not a directory`);
}

/** Creates the index folder with a `.gitignore` of `*`, so the index is never committed by accident. */
async function prepareIndexDir(indexDir: string): Promise<void> {
  try {
    await mkdir(indexDir, { recursive: true });
    const gitignore = path.join(indexDir, ".gitignore");
    if (!existsSync(gitignore)) await writeFile(gitignore, "# written by codesearch: the index is local data\n*\n");
  } catch (error) {
    throw new StoreError(`cannot create the index folder ${indexDir}: ${describeError(error)}`, { cause: error });
  }
}

async function openCache(file: string): ReturnType<typeof EmbeddingCache.open> {
  try {
    return await EmbeddingCache.open(file);
  } catch (error) {
    throw new StoreError(`cannot open the embedding cache ${file}: ${describeError(error)}`, { cause: error });
  }
}

async function saveCache(cache: EmbeddingCache, sink: IndexEventSink): Promise<void> {
  if (cache.unsavedCount === 0) return;
  try {
    await cache.save();
  } catch (error) {
    throw new StoreError(`cannot save the embedding cache ${cache.filePath}: ${describeError(error)}`, { cause: error });
  }
  emitEvent(sink, { type: "cache-saved", entryCount: cache.size });
}
