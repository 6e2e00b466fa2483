import { stat } from "node:fs/promises";
import path from "node:path";
import type { RemoteTuning } from "../embed/index.js";
import type * as lancedb from "@lancedb/lancedb";
import { IndexMismatchError, IndexNotFoundError } from "../model/errors.js";
import type { Chunk, SearchHit } from "../model/types.js";
import type { RankedHit, SearchRequest } from "../model/search.js";
import {
  defaultIndexDir,
  findIndexUpwards,
  indexPathsOf,
  listEntitiesOfFile,
  resolveIndexLocation,
  withCatalogReferences,
  type IndexManifest,
  type ResidentEntities,
  type readCatalog,
} from "../store/index.js";
import { type FusionWeights, type RankerConfig, UNCALIBRATED_VECTOR_WEIGHT, fusionWeights } from "../rank/index.js";
import { CommitFollower, type OpenCommit } from "./commit-follower.js";
import { embedderSourceOfManifest } from "./embedder-source.js";
import { type EmbedderLoader, loadEmbedderWith } from "./load-embedder.js";
import { rankerOfModel } from "./load-ranker.js";
import { QueryEmbedder } from "./query-embedder.js";
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
  const rankerOf = (manifest: IndexManifest) => options.ranker ?? rankerOfModel(embedderSourceOfManifest(manifest, options.cwd));
  const model = new QueryEmbedder(async () => {
    const { manifest } = commits.current;
    const loaded = await loadEmbedderWith(options, embedderSourceOfManifest(manifest, options.cwd), manifest.maxTokens);
    if (loaded.dimension !== manifest.dimension) {
      await loaded.dispose();
      throw new IndexMismatchError(`model ${manifest.modelId} now produces ${loaded.dimension}-d vectors but the index holds ${manifest.dimension}-d ones; re-index`);
    }
    return loaded;
  });
  const commits: CommitFollower = await CommitFollower.open(indexDir, async (from, to) => {
    if (sameModel(from.manifest, to.manifest)) return;
    await model.dispose();
    ranker = rankerOf(to.manifest);
  });
  let ranker = rankerOf(commits.current.manifest);
  const repoRoot = () => located.repoRoot ?? commits.current.manifest.repoRoot;
  const resident = (commit: OpenCommit) => (options.residentEntities ? commits.residentOf(commit) : null);
  const sourceOf = (commit: OpenCommit): RankingSource => ({
    db: commit.table,
    embedQuery: (query) => model.embed(query),
    indexedPaths: () => commits.pathsOf(commit),
    ...(options.residentEntities ? { residentEntities: () => Promise.resolve(resident(commit)) } : {}),
  });
  return {
    get manifest() {
      return commits.current.manifest;
    },
    indexDir,
    get repoRoot() {
      return repoRoot();
    },
    get modelLoaded() {
      return model.loaded;
    },
    get residentEntityCount() {
      return commits.current.residentLoaded?.entities.length ?? null;
    },
    get fusion() {
      return fusionOfManifest(commits.current.manifest);
    },
    get ranker() {
      return ranker;
    },
    search: (query, request) =>
      commits.read((commit) => {
        const weights = request.vectorWeight !== undefined ? fusionWeights(request.vectorWeight) : fusionOfManifest(commit.manifest);
        return rankEntities(sourceOf(commit), query, request, weights, ranker);
      }),
    warnings: (hits) => searchWarnings(commits.current, repoRoot(), hits),
    entitiesOfFile: (file) => commits.read((commit) => listEntitiesOfFile(commit.table, file)),
    holdsFile: (file) =>
      commits.read(async (commit) => {
        const { catalog: entries, state } = commit.catalog;
        if (state === "loaded") return entries.has(file) && entries.get(file)?.skipped === undefined;
        return (await commits.pathsOf(commit)).includes(file);
      }),
    indexedPaths: () => commits.read((commit) => commits.pathsOf(commit)),
    readCommitted: (read) =>
      commits.read((commit) =>
        read({
          table: commit.table,
          versionKey: commitVersionKey(commit.manifest),
          catalog: () => (commit.catalogWithReferences ??= withCatalogReferences(indexPathsOf(indexDir).stateDir, commit.catalog)),
          resident: () => resident(commit),
        }),
      ),
    preload: async () => {
      if (options.residentEntities) await commits.loadResident(commits.current);
    },
    reload: () => commits.reload(),
    close: async () => {
      await commits.close();
      await model.dispose();
    },
  };
}

/** Whether two commits use one query model (so a session moving between them keeps it loaded). */
function sameModel(a: IndexManifest, b: IndexManifest): boolean {
  return a.modelId === b.modelId && a.dimension === b.dimension && a.maxTokens === b.maxTokens;
}

/** {@link SearchSession.warnings} for hits read from `commit` of the repository at `repoRoot`. */
async function searchWarnings(commit: OpenCommit, repoRoot: string, hits: readonly SearchHit[]): Promise<string[]> {
  const { manifest, catalog } = commit;
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
    const stats = await stat(path.join(repoRoot, file)).catch(() => null);
    if (!entry || !stats || stats.size !== entry.sizeBytes || stats.mtimeMs !== entry.mtimeMs) changed.push(file);
  }
  if (changed.length > 0) {
    warnings.push(`${changed.length} of the files in these results changed since they were indexed (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""}); run \`codesearch index\` to refresh`);
  }
  return warnings;
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

