import path from "node:path";
import { EMBEDDING_CACHE_DIR, EmbeddingCache, embeddingCacheKey } from "../embed/index.js";
import { IndexNotFoundError, describeError } from "../model/errors.js";
import {
  defaultIndexDir,
  findIndexUpwards,
  indexPathsOf,
  checkCommittedIndex,
  openDatabase,
  openEntityTable,
  catalogReferencesProblems,
  readCatalog,
  resolveIndexLocation,
  type FileCatalog,
  type IndexManifest,
} from "../store/index.js";
import { checkLatestCommit } from "./latest-commit-check.js";

/** What `codesearch verify` found. */
export interface VerifyReport {
  indexDir: string;
  /**
   * The repository the index belongs to: the one it was found in or named by (after `mv` or
   * `cp -a` the repository where it is now), else, for `--db`, the manifest's.
   */
  repoRoot: string;
  /** The committed table version checked (null when it cannot be read). */
  tableVersion: number | null;
  /** Rows read (every row of the committed version, unless it cannot be read). */
  rowsChecked: number;
  /** Rows whose vector was compared with the embedding cache's verified vector. */
  vectorsChecked: number;
  /** Rows whose vector could not be checked: the cache holds no verified vector for them. */
  vectorsUnverifiable: number;
  /** What is wrong, one line each; empty when the index is sound. */
  problems: string[];
  durationMs: number;
}

/** Rows named per kind of problem, at most (the count is always given). */
const EXAMPLES = 3;

/**
 * Checks an index thoroughly, reading everything: the check every search and `status` makes
 * (`checkCommittedIndex`: manifest and catalog naming one commit, every file of the table folder
 * hashed against what the committing run recorded, the committed version readable with the
 * recorded row count, one query per search index), then the rows (path and content hash) equal
 * to the catalog's, and every row's vector bit-equal to the embedding cache's (each cached vector is
 * itself verified against its checksum). Reads only; repairing is `indexRepo` with `repair`.
 * Cost: reads the table and the cache once (BENCHMARKS.md).
 * @throws IndexNotFoundError; IndexMismatchError or IndexDamagedError when the manifest is unusable; StoreError.
 */
export async function verifyIndex(options: { cwd: string; repoRoot?: string; indexDir?: string; cacheDir?: string }): Promise<VerifyReport> {
  const startedAt = Date.now();
  const located = locate(options);
  const { found: report } = await checkLatestCommit(located.indexDir, (manifest) => verifyCommit(located, manifest, options.cacheDir), (r) => r.problems);
  report.durationMs = Date.now() - startedAt;
  return report;
}

/** {@link verifyIndex} of the commit `manifest` names. */
async function verifyCommit(located: { indexDir: string; repoRoot: string | null }, manifest: IndexManifest, cacheDirOption: string | undefined): Promise<VerifyReport> {
  const { indexDir } = located;
  const { stateDir, cacheDir } = indexPathsOf(indexDir, cacheDirOption);
  const catalogRead = await readCatalog(stateDir);
  const { catalog, state } = catalogRead;
  const problems: string[] = [];
  if (state !== "loaded") problems.push(state === "corrupt" ? "the catalog is unreadable" : "the catalog is missing");
  problems.push(...(await catalogReferencesProblems(stateDir, catalogRead)));

  const db = await openDatabase(indexDir);
  // The repository the index was found in (so a moved or copied repository is checked and repaired
  // where it is now), else the one the manifest records (`--db`).
  const repoRoot = located.repoRoot ?? manifest.repoRoot;
  const report: VerifyReport = { indexDir, repoRoot, tableVersion: null, rowsChecked: 0, vectorsChecked: 0, vectorsUnverifiable: 0, problems, durationMs: 0 };
  try {
    const { committed, inspection, damage } = await checkCommittedIndex(db, indexDir, manifest, catalogRead, "hash");
    report.tableVersion = inspection.rows === null ? null : inspection.version;
    problems.push(...damage);
    if (inspection.rows !== null) {
      await checkRows(db, committed?.version, catalog, { cacheDir, modelId: manifest.modelId, maxTokens: manifest.maxTokens }, report);
    }
  } finally {
    db.close();
  }
  return report;
}

/** Reads every row of the committed version: rows against the catalog, vectors against the cache. */
async function checkRows(
  db: Awaited<ReturnType<typeof openDatabase>>,
  version: number | undefined,
  catalog: FileCatalog,
  model: { cacheDir: string; modelId: string; maxTokens: number },
  report: VerifyReport,
): Promise<void> {
  const expected = new Map<string, number>();
  for (const [file, entry] of catalog) for (const hash of entry.chunkHashes) expected.set(`${file}\0${hash}`, (expected.get(`${file}\0${hash}`) ?? 0) + 1);
  const cache = (await EmbeddingCache.open(path.join(model.cacheDir, EMBEDDING_CACHE_DIR), { readOnly: true })).cache;
  const wrongVectors: string[] = [];
  const unexpected: string[] = [];
  const table = await openEntityTable(db, version);
  try {
    for await (const batch of table.query().select(["id", "path", "content_hash", "vector"])) {
      for (const row of batch.toArray() as unknown as { id: string; path: string; content_hash: string; vector: { toArray(): Float32Array } }[]) {
        report.rowsChecked++;
        const key = `${row.path}\0${row.content_hash}`;
        const left = expected.get(key) ?? 0;
        if (left === 0) unexpected.push(row.id);
        else expected.set(key, left - 1);
        const cached = cache.get(embeddingCacheKey(model.modelId, model.maxTokens, row.content_hash));
        if (!cached) {
          report.vectorsUnverifiable++;
          continue;
        }
        report.vectorsChecked++;
        const stored = row.vector.toArray();
        if (stored.length !== cached.length || stored.some((v, i) => !(v === cached[i]))) wrongVectors.push(row.id);
      }
    }
  } catch (error) {
    report.problems.push(`the entity table's rows cannot be read: ${describeError(error)}`);
  } finally {
    table.close();
    cache.close();
  }
  const missing = [...expected].filter(([, n]) => n > 0).map(([key]) => key.replace("\0", " "));
  if (wrongVectors.length > 0) report.problems.push(`${wrongVectors.length} row(s) hold a vector that differs from the verified cache: ${wrongVectors.slice(0, EXAMPLES).join(", ")}`);
  if (unexpected.length > 0) report.problems.push(`${unexpected.length} row(s) are not in the catalog: ${unexpected.slice(0, EXAMPLES).join(", ")}`);
  if (missing.length > 0) report.problems.push(`${missing.length} entit(ies) of the catalog have no row: ${missing.slice(0, EXAMPLES).join(", ")}`);
}

/** The index folder, and the repository root when the index was found in (or named by) one (null for `--db`). */
function locate(options: { cwd: string; repoRoot?: string; indexDir?: string }): { indexDir: string; repoRoot: string | null } {
  if (options.indexDir) return { indexDir: resolveIndexLocation(options.indexDir, options.cwd), repoRoot: null };
  if (options.repoRoot) {
    const repoRoot = path.resolve(options.cwd, options.repoRoot);
    return { indexDir: defaultIndexDir(repoRoot), repoRoot };
  }
  const found = findIndexUpwards(options.cwd);
  if (!found) throw new IndexNotFoundError(`no codesearch index in ${options.cwd} or its parents; run \`codesearch index <repo>\` first, or pass a repository`);
  return found;
}
