import { stat } from "node:fs/promises";
import path from "node:path";
import { type Embedder, NothingToEmbedError, type RemoteTuning } from "../embed/index.js";
import type * as lancedb from "@lancedb/lancedb";
import { IndexDamagedError, IndexMismatchError, IndexNotFoundError } from "../model/errors.js";
import type { Chunk, SearchHit } from "../model/types.js";
import type { RankedHit, SearchRequest } from "../model/search.js";
import {
  defaultIndexDir,
  findAlteredTableFiles,
  findIndexUpwards,
  indexPathsOf,
  listEntitiesOfFile,
  listIndexedPaths,
  loadResidentEntities,
  openDatabase,
  openEntityTable,
  readCatalog,
  requireManifest,
  resolveIndexLocation,
  type ResidentEntities,
} from "../store/index.js";
import type { IndexManifest } from "../store/index.js";
import { type FusionWeights, type RankerConfig, UNCALIBRATED_VECTOR_WEIGHT, fusionWeights } from "../rank/index.js";
import { embedderSourceOfManifest } from "./embedder-source.js";
import { type EmbedderLoader, loadEmbedderWith } from "./load-embedder.js";
import { rankerOfModel } from "./load-ranker.js";
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
  /**
   * Keep the table's entities and vectors in memory (`loadResidentEntities`), read in the
   * background on the first search (or {@link SearchSession.preload}) and again after each commit
   * the session moves to: for a long-lived session (the MCP server), where it makes each query
   * faster and its memory steady. A one-shot search leaves them to LanceDB (reading the table
   * whole once costs more than one search). Default false.
   */
  residentEntities?: boolean;
  /**
   * The ranking stage's configuration (`--ranker`, ablations); default: the index model's
   * `ranker.json`, else the built-in default (see `rankerOfModel`).
   */
  ranker?: RankerConfig;
}

/** An open index, ready to answer many queries; the model is loaded on the first query that needs it. */
export interface SearchSession {
  /** The manifest as of the last open or {@link SearchSession.reload}. */
  readonly manifest: IndexManifest;
  indexDir: string;
  /**
   * Absolute repository root the hits' paths are relative to: the folder holding the index when it
   * was found there (so a repository moved with `mv` still resolves), else the manifest's `repoRoot`.
   */
  readonly repoRoot: string;
  /** True once the query model has been loaded (a lexical search, or a hybrid one with vector weight 0, never loads it). */
  readonly modelLoaded: boolean;
  /**
   * Entities the session holds in memory (`residentEntities`), once a search has read them at the
   * current committed version; null before that, without the option, or when the table has a
   * vector index (LanceDB then answers the vector side).
   */
  readonly residentEntityCount: number | null;
  /** Hybrid mode's weights for this index (see {@link fusionOfManifest}); a request's `vectorWeight` overrides the vector weight. */
  readonly fusion: FusionWeights;
  /** The ranking stage's configuration this session ranks with (see {@link SearchSessionOptions.ranker}). */
  readonly ranker: RankerConfig;
  /**
   * Searches the index for `query` in `request.mode` (see {@link rankEntities}). Vector and hybrid
   * modes embed the query with the index's own model, loading it on first use (once per session).
   * @returns at most `request.limit` hits, best first.
   * @throws StoreError; ModelLoadError or IndexMismatchError from the first model load (a later
   *   call tries the load again); Error from the model.
   */
  search(query: string, request: SearchRequest): Promise<RankedHit[]>;
  /**
   * Human warnings about how far `hits` can be trusted: the last index run was partial, or a hit's
   * file changed on disk (size or mtime) or disappeared since it was indexed, or the catalog that
   * tells is unreadable (one warning saying so, instead of calling every file changed). Empty when all is current.
   */
  warnings(hits: readonly SearchHit[]): Promise<string[]>;
  /**
   * Reads the resident table now, when the session keeps one (`residentEntities`), and resolves
   * once it is there; a no-op otherwise. Searches never wait for it: until it is read (on opening,
   * and after each commit the session follows) LanceDB answers them.
   * @throws StoreError when the table cannot be read.
   */
  preload(): Promise<void>;
  /**
   * Reads the manifest and catalog again and reopens the table after another run changed the index;
   * keeps the loaded model unless the index now records another one. Searches already running
   * finish on the old table, which is closed after them; new ones use the reopened table.
   * @throws IndexNotFoundError; StoreError.
   */
  reload(): Promise<void>;
  /**
   * The stored entities of one file (repository-relative POSIX path), by start line; empty when
   * the index holds none for it.
   * @throws StoreError.
   */
  entitiesOfFile(file: string): Promise<Chunk[]>;
  /**
   * True when the index holds `file` (repository-relative POSIX path) as a source file: the
   * catalog of the latest committed run records it (a file it skipped as binary excluded); for an
   * index without a readable catalog here (one searched from another machine), when the table holds
   * entities of it. Discovery's rules decide what the catalog holds, so ignored, hidden, non-source
   * and linked files never are.
   * @throws StoreError; IndexDamagedError when the committed version cannot be read.
   */
  holdsFile(file: string): Promise<boolean>;
  /**
   * Every distinct file path of the committed table, sorted (read once per committed version).
   * @throws StoreError.
   */
  indexedPaths(): Promise<string[]>;
  /**
   * Runs `read` against the table at the latest committed version (moving there first, as a search
   * does), tracked like a search so that `reload` closes nothing under it. For the structural
   * tools (structure-index.ts), which keep their own per-version view of the index.
   * @throws what `read` throws; IndexDamagedError when the committed version cannot be read.
   */
  readCommitted<T>(read: (view: CommittedView) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What {@link SearchSession.readCommitted} hands its reader. */
export interface CommittedView {
  /** The entity table, checked out at the committed version. */
  table: lancedb.Table;
  /** Changes whenever the session moves to another committed index state (table version and last run). */
  versionKey: string;
  /** The catalog of the index (read once per committed version). @throws StoreError. */
  catalog(): ReturnType<typeof readCatalog>;
  /** The resident table when the session keeps one and has read it (a read starts in the background otherwise); else null. */
  resident(): ResidentEntities | null;
}

/**
 * Finds the index and reads its manifest. The model it records is loaded lazily, on the first
 * vector query, or hybrid query with a vector weight above 0, and kept for the session.
 *
 * Reads the entity table at the version the last completed `index` run committed (manifest
 * `tableVersion`), so rows a running `index` writes are never seen half-written; each query first
 * re-reads the manifest and moves to a newer committed version. On opening (and `reload`), the
 * table folder's files are checked against what the committing run recorded (size and mtime,
 * hashed when the mtime moved), so a damaged index fails instead of answering.
 * @throws IndexNotFoundError when there is no index; IndexDamagedError when a file of the table
 *   changed after it was written or the committed version is gone; StoreError.
 */
export async function openSearchSession(options: SearchSessionOptions): Promise<SearchSession> {
  const located = locateIndex(options);
  const indexDir = located.indexDir;
  let manifest = await requireManifest(indexDir);
  const repoRoot = () => located.repoRoot ?? manifest.repoRoot;
  let catalogRead: ReturnType<typeof readCatalog> | undefined;
  const catalog = () => (catalogRead ??= readCatalog(indexPathsOf(indexDir).stateDir));
  let db = await openDatabase(indexDir);
  let table = await openCommittedTable(db, indexDir, manifest, await catalog()).catch((error: unknown) => {
    db.close();
    throw error;
  });
  let ranker = options.ranker ?? rankerOfModel(embedderSourceOfManifest(manifest, options.cwd));
  let embedder: Promise<Embedder> | undefined;
  let loaded: Embedder | undefined;
  const loadEmbedder = async (): Promise<Embedder> => {
    const model = await loadEmbedderWith(options, embedderSourceOfManifest(manifest, options.cwd), manifest.maxTokens);
    if (model.dimension !== manifest.dimension) {
      await model.dispose();
      throw new IndexMismatchError(`model ${manifest.modelId} now produces ${model.dimension}-d vectors but the index holds ${manifest.dimension}-d ones; re-index`);
    }
    return (loaded = model);
  };
  // null: the model sees nothing in the query (punctuation only, for a split-identifiers model).
  const embedQuery = async (query: string): Promise<Float32Array | null> => {
    const model = await (embedder ??= loadEmbedder().catch((error: unknown) => {
      embedder = undefined;
      throw error;
    }));
    const vector = await model.embed([query]).then(
      ([first]) => first,
      (error: unknown) => {
        if (error instanceof NothingToEmbedError) return null;
        throw error;
      },
    );
    if (vector === undefined) throw new Error("the model returned no vector for the query");
    return vector;
  };
  let paths: Promise<string[]> | undefined;
  const indexedPaths = () => (paths ??= listIndexedPaths(table));
  // The resident table (options.residentEntities): read in the background, once per committed
  // version; searches use it once it is there, and LanceDB meanwhile, so no search waits for it.
  let resident: Promise<ResidentEntities | null> | undefined;
  let residentLoaded: ResidentEntities | null = null;
  const loadResident = (): Promise<ResidentEntities | null> => {
    if (!options.residentEntities) return Promise.resolve(null);
    if (resident) return resident;
    const loading: Promise<ResidentEntities | null> = loadResidentEntities(table).then((rows) => {
      // Unless a commit followed meanwhile (forgetResident): then these rows are another version's.
      if (resident === loading) residentLoaded = rows;
      return rows;
    });
    resident = loading;
    loading.catch(() => {
      if (resident === loading) resident = undefined;
    });
    return loading;
  };
  const residentEntities = options.residentEntities
    ? () => {
        loadResident().catch(() => undefined);
        return Promise.resolve(residentLoaded);
      }
    : undefined;
  const forgetResident = () => {
    resident = undefined;
    residentLoaded = null;
  };
  /** Moves to the version the latest completed run committed, when it is newer (in place: the model stays). */
  const followCommits = async (): Promise<void> => {
    const next = await requireManifest(indexDir);
    if (next.tableVersion === undefined || next.tableVersion === manifest.tableVersion || next.modelId !== manifest.modelId) return;
    await table.checkout(next.tableVersion).catch((error: unknown) => {
      throw new IndexDamagedError(`the index's committed table version ${next.tableVersion} cannot be read; run \`codesearch index\` to repair it`, { cause: error });
    });
    manifest = next;
    paths = undefined;
    forgetResident();
    catalogRead = undefined;
  };
  // Reads in flight, so that `reload` closes the handles they use only once they are done.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(read: () => Promise<T>): Promise<T> => {
    const running = read();
    inFlight.add(running);
    const forget = () => inFlight.delete(running);
    running.then(forget, forget);
    return running;
  };
  const disposeModel = async (): Promise<void> => {
    const model = await embedder?.catch(() => undefined);
    embedder = undefined;
    loaded = undefined;
    await model?.dispose();
  };
  return {
    get manifest() {
      return manifest;
    },
    indexDir,
    get repoRoot() {
      return repoRoot();
    },
    get modelLoaded() {
      return loaded !== undefined;
    },
    get residentEntityCount() {
      return residentLoaded?.entities.length ?? null;
    },
    get fusion() {
      return fusionOfManifest(manifest);
    },
    get ranker() {
      return ranker;
    },
    search: (query, request) =>
      tracked(async () => {
        await followCommits();
        const weights = request.vectorWeight !== undefined ? fusionWeights(request.vectorWeight) : fusionOfManifest(manifest);
        return rankEntities({ db: table, embedQuery, indexedPaths, ...(residentEntities ? { residentEntities } : {}) }, query, request, weights, ranker);
      }),
    warnings: async (hits) => {
      const warnings: string[] = [];
      const { stopReason, chunksPending } = manifest.lastRun;
      if (stopReason) warnings.push(`the last index run stopped early (${stopReason}); ${chunksPending} entities are not indexed yet — run \`codesearch index\``);
      const files = new Set(hits.map((h) => h.chunk.path));
      // A remote index searched from a machine that did not index it has no catalog here: no staleness to report.
      const { catalog: entries, state } = files.size > 0 ? await catalog() : { catalog: new Map(), state: "new" as const };
      if (state === "corrupt") {
        warnings.push("the index's catalog (catalog.json) is unreadable, so whether these files changed since they were indexed is unknown; run `codesearch index` to repair it from the embedding cache");
        return warnings;
      }
      const changed: string[] = [];
      for (const file of state === "new" ? [] : files) {
        const entry = entries.get(file);
        const stats = await stat(path.join(repoRoot(), file)).catch(() => null);
        if (!entry || !stats || stats.size !== entry.sizeBytes || stats.mtimeMs !== entry.mtimeMs) changed.push(file);
      }
      if (changed.length > 0) {
        warnings.push(`${changed.length} of the files in these results changed since they were indexed (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""}); run \`codesearch index\` to refresh`);
      }
      return warnings;
    },
    entitiesOfFile: (file) => tracked(() => listEntitiesOfFile(table, file)),
    holdsFile: (file) =>
      tracked(async () => {
        await followCommits();
        const { catalog: entries, state } = await catalog();
        if (state === "loaded") return entries.has(file) && entries.get(file)?.skipped === undefined;
        return (await indexedPaths()).includes(file);
      }),
    indexedPaths: () => tracked(indexedPaths),
    readCommitted: (read) =>
      tracked(async () => {
        await followCommits();
        return read({
          table,
          versionKey: `${manifest.tableVersion ?? "latest"}:${manifest.lastRun.finishedAt}`,
          catalog,
          resident: () => {
            if (!options.residentEntities) return null;
            loadResident().catch(() => undefined);
            return residentLoaded;
          },
        });
      }),
    preload: async () => {
      await loadResident();
    },
    reload: async () => {
      const next = await requireManifest(indexDir);
      catalogRead = undefined;
      const reopened = await openDatabase(indexDir);
      const reopenedTable = await openCommittedTable(reopened, indexDir, next, await catalog()).catch((error: unknown) => {
        reopened.close();
        throw error;
      });
      const [oldDb, oldTable, running] = [db, table, [...inFlight]];
      db = reopened;
      table = reopenedTable;
      paths = undefined;
      forgetResident();
      // Reads already running on the old handles finish on them; only then are they closed.
      void Promise.allSettled(running).then(() => {
        oldTable.close();
        oldDb.close();
      });
      const sameModel = next.modelId === manifest.modelId && next.dimension === manifest.dimension && next.maxTokens === manifest.maxTokens;
      manifest = next;
      if (!sameModel) {
        await disposeModel();
        ranker = options.ranker ?? rankerOfModel(embedderSourceOfManifest(manifest, options.cwd));
      }
    },
    close: async () => {
      table.close();
      db.close();
      await disposeModel();
    },
  };
}

/**
 * The entity table at the manifest's committed version, after checking the table folder's files
 * against those the committing run recorded in the catalog (when the catalog names the same version).
 * @throws IndexDamagedError when a file changed after it was written or the version is gone; StoreError.
 */
async function openCommittedTable(
  db: lancedb.Connection,
  indexDir: string,
  manifest: IndexManifest,
  catalogRead: Awaited<ReturnType<typeof readCatalog>>,
): Promise<lancedb.Table> {
  const committed = catalogRead.table;
  if (committed?.files && committed.version === manifest.tableVersion) {
    const altered = await findAlteredTableFiles(indexDir, committed.files);
    if (altered.length > 0) {
      throw new IndexDamagedError(
        `${altered.length} file(s) of the index changed after they were written (${altered.slice(0, 3).join(", ")}); run \`codesearch index\` to repair it from the embedding cache`,
      );
    }
  }
  return openEntityTable(db, manifest.tableVersion);
}

/**
 * Hybrid mode's weights as the manifest records them; an index written before calibration existed
 * gets the uncalibrated default (`UNCALIBRATED_VECTOR_WEIGHT`) until its next index run calibrates.
 */
export function fusionOfManifest(manifest: IndexManifest): FusionWeights {
  return manifest.fusion?.weights ?? fusionWeights(UNCALIBRATED_VECTOR_WEIGHT);
}

/** The index folder, and the repository root when the index was found inside it (null for `--db`). */
function locateIndex(options: SearchSessionOptions): { indexDir: string; repoRoot: string | null } {
  if (options.indexDir) return { indexDir: resolveIndexLocation(options.indexDir, options.cwd), repoRoot: null };
  if (options.repoRoot) {
    const repoRoot = path.resolve(options.cwd, options.repoRoot);
    return { indexDir: defaultIndexDir(repoRoot), repoRoot };
  }
  const found = findIndexUpwards(options.cwd);
  if (!found) {
    throw new IndexNotFoundError(`no codesearch index in ${options.cwd} or its parents; run \`codesearch index <repo>\` first, or pass --repo`);
  }
  return found;
}

