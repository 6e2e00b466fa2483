import { stat } from "node:fs/promises";
import path from "node:path";
import { type Embedder, NothingToEmbedError, type RemoteTuning } from "../embed/index.js";
import type * as lancedb from "@lancedb/lancedb";
import { IndexDamagedError, IndexMismatchError, IndexNotFoundError } from "../model/errors.js";
import type { Chunk, SearchHit } from "../model/types.js";
import type { RankedHit, SearchRequest } from "../model/search.js";
import {
  checkCommittedIndex,
  commitOfManifest,
  defaultIndexDir,
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
  sameCommit,
  withCatalogReferences,
  type CatalogRead,
  type ResidentEntities,
} from "../store/index.js";
import type { IndexManifest } from "../store/index.js";
import { type FusionWeights, type RankerConfig, UNCALIBRATED_VECTOR_WEIGHT, fusionWeights } from "../rank/index.js";
import { embedderSourceOfManifest } from "./embedder-source.js";
import { type EmbedderLoader, loadEmbedderWith } from "./load-embedder.js";
import { rankerOfModel } from "./load-ranker.js";
import { rankEntities, type RankingSource } from "./rank-entities.js";

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
   * @throws IndexDamagedError when the commit it moves to fails its check (see {@link openSearchSession});
   *   StoreError; ModelLoadError or IndexMismatchError from the first model load (a later
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
   * Reads the manifest and catalog again and reopens (and checks) the commit it names, even when
   * it is the session's; keeps the loaded model unless the index now records another one. Searches
   * already running finish on the old table, which is closed after them; new ones use the reopened table.
   * @throws IndexNotFoundError; IndexDamagedError; StoreError.
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

/**
 * The key of the commit a manifest names: its table version and generation (`12:7`; the last
 * run's end time for an index written before generations). Any update or rebuild changes it and a
 * rebuild never repeats one, so a cursor carrying it is refused once the index moved on.
 */
export function commitVersionKey(manifest: IndexManifest): string {
  return `${manifest.tableVersion ?? "latest"}:${manifest.generation ?? manifest.lastRun.finishedAt}`;
}

/** What {@link SearchSession.readCommitted} hands its reader. */
export interface CommittedView {
  /** The entity table, checked out at the committed version. */
  table: lancedb.Table;
  /** Changes whenever the session moves to another commit (its generation: a rebuild never repeats one). */
  versionKey: string;
  /** The catalog of the index with its entries' references (read once per committed version). @throws StoreError, also when the references file is missing or damaged. */
  catalog(): ReturnType<typeof readCatalog>;
  /** The resident table when the session keeps one and has read it (a read starts in the background otherwise); else null. */
  resident(): ResidentEntities | null;
}

/**
 * Finds the index and reads its manifest. The model it records is loaded lazily, on the first
 * vector query, or hybrid query with a vector weight above 0, and kept for the session.
 *
 * Reads the entity table at the commit the last completed `index` run made (manifest
 * `tableVersion` and `generation`), so rows a running `index` writes are never seen half-written;
 * each query first re-reads the manifest and moves to another commit when its generation differs
 * (a rebuild may commit the same version number again). Each commit is checked before it is read,
 * on opening, on each move and on `reload`, as `status` checks it (`checkCommittedIndex`: every
 * recorded table file hashed, rows, search indexes), so a damaged index fails instead of answering.
 * @throws IndexNotFoundError when there is no index; IndexDamagedError when the check finds damage
 *   (the message lists it); StoreError.
 */
export async function openSearchSession(options: SearchSessionOptions): Promise<SearchSession> {
  const located = locateIndex(options);
  const indexDir = located.indexDir;
  let current = await openCommit(indexDir, await requireManifest(indexDir));
  const repoRoot = () => located.repoRoot ?? current.manifest.repoRoot;
  const rankerOf = (manifest: IndexManifest) => options.ranker ?? rankerOfModel(embedderSourceOfManifest(manifest, options.cwd));
  let ranker = rankerOf(current.manifest);
  let embedder: Promise<Embedder> | undefined;
  let loaded: Embedder | undefined;
  const loadEmbedder = async (): Promise<Embedder> => {
    const { manifest } = current;
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
  // Reads in flight, so that a commit the session leaves is closed only once they are done.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(read: () => Promise<T>): Promise<T> => {
    const running = read();
    inFlight.add(running);
    const forget = () => inFlight.delete(running);
    running.then(forget, forget);
    return running;
  };
  // The resident table (options.residentEntities): read in the background, once per commit;
  // searches use it once it is there, and LanceDB meanwhile, so no search waits for it.
  const loadResident = (commit: OpenCommit): Promise<ResidentEntities | null> => {
    if (!options.residentEntities) return Promise.resolve(null);
    if (commit.resident) return commit.resident;
    const loading = tracked(() => loadResidentEntities(commit.table, commit.rows));
    commit.resident = loading;
    loading.then(
      (rows) => (commit.residentLoaded = rows),
      () => {
        if (commit.resident === loading) commit.resident = undefined;
      },
    );
    return loading;
  };
  const disposeModel = async (): Promise<void> => {
    const model = await embedder?.catch(() => undefined);
    embedder = undefined;
    loaded = undefined;
    await model?.dispose();
  };
  /** Moves to the commit `next` names: opened and checked first; the old one is closed once the reads on it are done. */
  const moveTo = async (next: IndexManifest): Promise<OpenCommit> => {
    const opened = await openCommit(indexDir, next);
    const [old, running] = [current, [...inFlight]];
    current = opened;
    void Promise.allSettled(running).then(() => closeCommit(old));
    const sameModel = next.modelId === old.manifest.modelId && next.dimension === old.manifest.dimension && next.maxTokens === old.manifest.maxTokens;
    if (!sameModel) {
      await disposeModel();
      ranker = rankerOf(next);
    }
    return opened;
  };
  let moving: Promise<OpenCommit> | undefined;
  const moveOnce = (next: () => Promise<IndexManifest>): Promise<OpenCommit> =>
    (moving ??= next()
      .then(moveTo)
      .finally(() => (moving = undefined)));
  /**
   * The commit the latest completed run made, moved to when it is another one than the session's.
   * Compared by generation too, so a rebuild that committed the same version number again is followed.
   */
  const followCommits = async (): Promise<OpenCommit> => {
    if (moving) return moving;
    const next = await requireManifest(indexDir);
    if (sameCommit(commitOfManifest(next), commitOfManifest(current.manifest))) return current;
    return moveOnce(() => Promise.resolve(next));
  };
  const pathsOf = (commit: OpenCommit) => (commit.paths ??= listIndexedPaths(commit.table));
  /** The resident table of `commit` once read (a read starts in the background otherwise; its failure is the next search's). */
  const residentOf = (commit: OpenCommit): ResidentEntities | null => {
    loadResident(commit).catch(() => undefined);
    return commit.residentLoaded;
  };
  const sourceOf = (commit: OpenCommit): RankingSource => ({
    db: commit.table,
    embedQuery,
    indexedPaths: () => pathsOf(commit),
    ...(options.residentEntities ? { residentEntities: () => Promise.resolve(residentOf(commit)) } : {}),
  });
  return {
    get manifest() {
      return current.manifest;
    },
    indexDir,
    get repoRoot() {
      return repoRoot();
    },
    get modelLoaded() {
      return loaded !== undefined;
    },
    get residentEntityCount() {
      return current.residentLoaded?.entities.length ?? null;
    },
    get fusion() {
      return fusionOfManifest(current.manifest);
    },
    get ranker() {
      return ranker;
    },
    search: (query, request) =>
      tracked(async () => {
        const commit = await followCommits();
        const weights = request.vectorWeight !== undefined ? fusionWeights(request.vectorWeight) : fusionOfManifest(commit.manifest);
        return rankEntities(sourceOf(commit), query, request, weights, ranker);
      }),
    warnings: async (hits) => {
      const { manifest, catalog } = current;
      const warnings: string[] = [];
      const { stopReason, chunksPending } = manifest.lastRun;
      if (stopReason) warnings.push(`the last index run stopped early (${stopReason}); ${chunksPending} entities are not indexed yet — run \`codesearch index\``);
      const files = new Set(hits.map((h) => h.chunk.path));
      // A remote index searched from a machine that did not index it has no catalog here: no staleness to report.
      const { catalog: entries, state } = files.size > 0 ? catalog : { catalog: new Map(), state: "new" as const };
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
    entitiesOfFile: (file) => tracked(async () => listEntitiesOfFile((await followCommits()).table, file)),
    holdsFile: (file) =>
      tracked(async () => {
        const commit = await followCommits();
        const { catalog: entries, state } = commit.catalog;
        if (state === "loaded") return entries.has(file) && entries.get(file)?.skipped === undefined;
        return (await pathsOf(commit)).includes(file);
      }),
    indexedPaths: () => tracked(async () => pathsOf(await followCommits())),
    readCommitted: (read) =>
      tracked(async () => {
        const commit = await followCommits();
        return read({
          table: commit.table,
          versionKey: commitVersionKey(commit.manifest),
          catalog: () => (commit.catalogWithReferences ??= withCatalogReferences(indexPathsOf(indexDir).stateDir, commit.catalog)),
          resident: () => (options.residentEntities ? residentOf(commit) : null),
        });
      }),
    preload: async () => {
      await loadResident(current);
    },
    reload: async () => {
      await moveOnce(() => requireManifest(indexDir));
    },
    close: async () => {
      await moving?.catch(() => undefined);
      closeCommit(current);
      await disposeModel();
    },
  };
}

/** One commit a session reads: the manifest naming it, its checked table, and what the session read of it. */
interface OpenCommit {
  manifest: IndexManifest;
  db: lancedb.Connection;
  /** The entity table checked out at the commit's version. */
  table: lancedb.Table;
  /** Rows of the table at that version, as checked against the commit's record. */
  rows: number;
  catalog: Awaited<ReturnType<typeof readCatalog>>;
  /** The catalog with its references read (the structural tools' view), once asked for. */
  catalogWithReferences?: Promise<CatalogRead>;
  paths?: Promise<string[]>;
  resident?: Promise<ResidentEntities | null>;
  residentLoaded: ResidentEntities | null;
}

/** Times a commit is opened, at most, when the manifest moved while one was checked (another run committed meanwhile). */
const COMMIT_OPEN_ATTEMPTS = 3;

/**
 * Opens the commit `manifest` names, after the check `status` makes (`checkCommittedIndex`: the
 * manifest and the catalog agree, every recorded file of the table hashed, the row count, every
 * search index answering). When the check finds damage but the manifest moved meanwhile (another
 * run committed while this one read), the new commit is opened instead.
 * @throws IndexDamagedError naming what the check found; StoreError.
 */
async function openCommit(indexDir: string, manifest: IndexManifest, attempt = 1): Promise<OpenCommit> {
  const catalog = await readCatalog(indexPathsOf(indexDir).stateDir);
  const db = await openDatabase(indexDir);
  let damage: string[];
  try {
    const check = await checkCommittedIndex(db, indexDir, manifest, catalog);
    damage = check.damage;
    if (damage.length === 0) {
      const table = await openEntityTable(db, manifest.tableVersion);
      return { manifest, db, table, rows: check.inspection.rows ?? 0, catalog, residentLoaded: null };
    }
  } catch (error) {
    db.close();
    throw error;
  }
  db.close();
  const now = await requireManifest(indexDir);
  if (attempt < COMMIT_OPEN_ATTEMPTS && !sameCommit(commitOfManifest(now), commitOfManifest(manifest))) return openCommit(indexDir, now, attempt + 1);
  throw new IndexDamagedError(`the index is damaged: ${damage.join("; ")}; run \`codesearch index\` to repair it from the embedding cache`);
}

function closeCommit(commit: OpenCommit): void {
  commit.table.close();
  commit.db.close();
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

