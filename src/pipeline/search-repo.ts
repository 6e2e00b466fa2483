import { stat } from "node:fs/promises";
import path from "node:path";
import type { Embedder, RemoteTuning } from "../embed/index.js";
import { IndexMismatchError, IndexNotFoundError } from "../model/errors.js";
import type { SearchHit } from "../model/types.js";
import type { RankedHit, SearchRequest } from "../model/search.js";
import { defaultIndexDir, findIndexUpwards, indexPathsOf, listIndexedPaths, openDatabase, readCatalog, requireManifest, resolveIndexLocation } from "../store/index.js";
import type { IndexManifest } from "../store/index.js";
import { embedderSourceOfManifest } from "./embedder-source.js";
import { type EmbedderLoader, loadEmbedderFromRequest } from "./load-embedder.js";
import { rankEntities } from "./rank-entities.js";

/** Options of {@link openSearchSession}. */
export interface SearchSessionOptions {
  /** Repository whose index to search; default: the nearest `.codesearch` from `cwd` upwards. */
  repoRoot?: string;
  /** Index folder or LanceDB URI (`--db`); overrides the repository's default. */
  indexDir?: string;
  cwd: string;
  modelCacheDir: string;
  offline: boolean;
  endpoint?: string;
  /** Timeout and retries when the index was built with a remote model. */
  remote?: RemoteTuning;
  loadEmbedder?: EmbedderLoader;
}

/** A loaded index and model, ready to answer many queries. */
export interface SearchSession {
  manifest: IndexManifest;
  indexDir: string;
  /**
   * Searches the index for `query` in `request.mode` (see {@link rankEntities}); the query is
   * embedded with the index's own model.
   * @returns at most `request.limit` hits, best first.
   * @throws StoreError; Error from the model.
   */
  search(query: string, request: SearchRequest): Promise<RankedHit[]>;
  /**
   * Human warnings about how far `hits` can be trusted: the last index run was partial, or a hit's
   * file changed on disk (size or mtime) or disappeared since it was indexed. Empty when all is current.
   */
  warnings(hits: readonly SearchHit[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Finds the index, reads its manifest and loads the model it records (once, for any number of queries).
 * @throws IndexNotFoundError when there is no index; IndexMismatchError; ModelLoadError; StoreError.
 */
export async function openSearchSession(options: SearchSessionOptions): Promise<SearchSession> {
  const indexDir = locateIndexDir(options);
  const manifest = await requireManifest(indexDir);
  // A remote index searched from a machine that did not index it has no catalog here: no staleness to report.
  const { catalog, state: catalogState } = await readCatalog(indexPathsOf(indexDir).stateDir);
  const db = await openDatabase(indexDir);
  const embedder: Embedder = await (options.loadEmbedder ?? loadEmbedderFromRequest)({
    source: embedderSourceOfManifest(manifest, options.cwd),
    cacheDir: options.modelCacheDir,
    offline: options.offline,
    maxTokens: manifest.maxTokens,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.remote ? { remote: options.remote } : {}),
  });
  if (embedder.dimension !== manifest.dimension) {
    await embedder.dispose();
    throw new IndexMismatchError(`model ${manifest.modelId} now produces ${embedder.dimension}-d vectors but the index holds ${manifest.dimension}-d ones; re-index`);
  }
  const embedQuery = async (query: string): Promise<Float32Array> => {
    const [vector] = await embedder.embed([query]);
    if (!vector) throw new Error("the model returned no vector for the query");
    return vector;
  };
  let paths: Promise<string[]> | undefined;
  const indexedPaths = () => (paths ??= listIndexedPaths(db));
  return {
    manifest,
    indexDir,
    search: (query, request) => rankEntities({ db, embedQuery, indexedPaths }, query, request),
    warnings: async (hits) => {
      const warnings: string[] = [];
      const { stopReason, chunksPending } = manifest.lastRun;
      if (stopReason) warnings.push(`the last index run stopped early (${stopReason}); ${chunksPending} entities are not indexed yet — run \`codesearch index\``);
      const changed: string[] = [];
      for (const file of catalogState === "new" ? [] : new Set(hits.map((h) => h.chunk.path))) {
        const entry = catalog.get(file);
        const stats = await stat(path.join(manifest.repoRoot, file)).catch(() => null);
        if (!entry || !stats || stats.size !== entry.sizeBytes || stats.mtimeMs !== entry.mtimeMs) changed.push(file);
      }
      if (changed.length > 0) {
        warnings.push(`${changed.length} of the files in these results changed since they were indexed (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""}); run \`codesearch index\` to refresh`);
      }
      return warnings;
    },
    close: async () => {
      db.close();
      await embedder.dispose();
    },
  };
}

function locateIndexDir(options: SearchSessionOptions): string {
  if (options.indexDir) return resolveIndexLocation(options.indexDir, options.cwd);
  if (options.repoRoot) return defaultIndexDir(path.resolve(options.cwd, options.repoRoot));
  const found = findIndexUpwards(options.cwd);
  if (!found) {
    throw new IndexNotFoundError(`no codesearch index in ${options.cwd} or its parents; run \`codesearch index <repo>\` first, or pass --repo`);
  }
  return found.indexDir;
}

