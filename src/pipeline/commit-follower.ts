import type * as lancedb from "@lancedb/lancedb";
import { IndexDamagedError } from "../model/errors.js";
import {
  checkCommittedIndex,
  commitOfManifest,
  indexPathsOf,
  listIndexedPaths,
  loadResidentEntities,
  openDatabase,
  openEntityTable,
  readCatalog,
  requireManifest,
  sameCommit,
  type CatalogRead,
  type IndexManifest,
  type ResidentEntities,
} from "../store/index.js";
import { COMMIT_CHECK_ATTEMPTS, checkLatestCommit, manifestMovedFrom } from "./latest-commit-check.js";

/** One commit a reader holds open: the manifest naming it, its checked table, and what was read of it. */
export interface OpenCommit {
  manifest: IndexManifest;
  db: lancedb.Connection;
  /** The entity table checked out at the commit's version. */
  table: lancedb.Table;
  /** Rows of the table at that version, as checked against the commit's record. */
  rows: number;
  catalog: CatalogRead;
  /** The catalog with its references read (the structural tools' view), once asked for. */
  catalogWithReferences?: Promise<CatalogRead>;
  /** Every distinct file path of the table, once asked for ({@link CommitFollower.pathsOf}). */
  paths?: Promise<string[]>;
  /** The resident table's read, once started ({@link CommitFollower.residentOf}). */
  resident?: Promise<ResidentEntities | null>;
  /** The resident table once read; null before. */
  residentLoaded: ResidentEntities | null;
}

/**
 * Opens the commit `manifest` names, after the check `status` makes (`checkCommittedIndex`: the
 * manifest and the catalog agree, every recorded file of the table hashed, the row count, every
 * search index answering). When the check finds damage but the manifest moved meanwhile (another
 * run committed while this one read), the new commit is opened instead (`checkLatestCommit`).
 * @throws IndexDamagedError naming what the check found; StoreError.
 */
export async function openCommit(indexDir: string, manifest: IndexManifest): Promise<OpenCommit> {
  const { found } = await checkLatestCommit(indexDir, (m) => checkAndOpen(indexDir, m), (f) => f.damage, manifest);
  if (found.opened) return found.opened;
  throw new IndexDamagedError(`the index is damaged: ${found.damage.join("; ")}; run \`codesearch index\` to repair it from the embedding cache`);
}

/** Checks the commit `manifest` names and opens its table when the check finds no damage. */
async function checkAndOpen(indexDir: string, manifest: IndexManifest): Promise<{ damage: string[]; opened: OpenCommit | null }> {
  const catalog = await readCatalog(indexPathsOf(indexDir).stateDir);
  const db = await openDatabase(indexDir);
  try {
    const check = await checkCommittedIndex(db, indexDir, manifest, catalog);
    if (check.damage.length > 0) {
      db.close();
      return { damage: check.damage, opened: null };
    }
    const table = await openEntityTable(db, manifest.tableVersion);
    return { damage: [], opened: { manifest, db, table, rows: check.inspection.rows ?? 0, catalog, residentLoaded: null } };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Closes the table and connection of `commit`. */
export function closeCommit(commit: OpenCommit): void {
  commit.table.close();
  commit.db.close();
}

/**
 * Follows the commits of one index for a long-lived reader (a search session, the MCP server):
 * holds the latest committed one open, moves to a newer one when the manifest names another
 * (compared by generation too, so a rebuild that committed the same version number again is
 * followed), and closes a commit it left only once the reads running on it are done.
 *
 * State: the open commit, the move in progress (one at a time), the reads in flight.
 */
export class CommitFollower {
  #current: OpenCommit;
  #moving: Promise<OpenCommit> | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  private constructor(
    readonly indexDir: string,
    first: OpenCommit,
    /** Called after each move with the commit left and the one moved to (e.g. to drop a model the new commit does not use). */
    private readonly onMove: (from: OpenCommit, to: OpenCommit) => Promise<void>,
  ) {
    this.#current = first;
  }

  /**
   * Opens the commit the manifest names now.
   * @throws IndexNotFoundError; IndexDamagedError when its check finds damage; StoreError.
   */
  static async open(indexDir: string, onMove: (from: OpenCommit, to: OpenCommit) => Promise<void> = async () => {}): Promise<CommitFollower> {
    return new CommitFollower(indexDir, await openCommit(indexDir, await requireManifest(indexDir)), onMove);
  }

  /** The commit last opened (not re-checked against the manifest: see {@link follow}). */
  get current(): OpenCommit {
    return this.#current;
  }

  /**
   * The commit the latest completed run made: the current one when the manifest still names it,
   * else the newer one, opened and checked first.
   * @throws IndexDamagedError; StoreError.
   */
  async follow(): Promise<OpenCommit> {
    if (this.#moving) return this.#moving;
    const next = await requireManifest(this.indexDir);
    if (sameCommit(commitOfManifest(next), commitOfManifest(this.#current.manifest))) return this.#current;
    return this.#moveOnce(() => Promise.resolve(next));
  }

  /** Reopens (and checks) the commit the manifest names, even when it is the current one. */
  async reload(): Promise<void> {
    await this.#moveOnce(() => requireManifest(this.indexDir));
  }

  /** Counts `running` as a read in flight until it settles, so no commit is closed under it. */
  track<T>(running: Promise<T>): Promise<T> {
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Runs `read` on the commit the latest completed run made, tracked. When it fails and the
   * manifest has moved meanwhile, the commit it read may have been removed under it (a writer
   * keeps only the newest superseded commits, version-retention.ts), so it runs again on the newer
   * commit, up to {@link COMMIT_CHECK_ATTEMPTS} times in all: a read answers from some committed
   * state or fails, whatever the time it takes. A failure on a commit that is still the latest is
   * thrown as it is.
   */
  read<T>(read: (commit: OpenCommit) => Promise<T>): Promise<T> {
    return this.track(this.#readFollowing(read));
  }

  async #readFollowing<T>(read: (commit: OpenCommit) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const commit = await this.follow();
      try {
        return await read(commit);
      } catch (error) {
        const moved = attempt < COMMIT_CHECK_ATTEMPTS ? await manifestMovedFrom(this.indexDir, commit.manifest).catch(() => null) : null;
        if (!moved) throw error;
      }
    }
  }

  /** Every distinct file path of `commit`'s table, sorted (read once per commit). @throws StoreError. */
  pathsOf(commit: OpenCommit): Promise<string[]> {
    return (commit.paths ??= listIndexedPaths(commit.table));
  }

  /**
   * Reads `commit`'s entities and vectors into memory (`loadResidentEntities`), once per commit,
   * tracked; a failed read is tried again on the next call.
   * @throws StoreError.
   */
  loadResident(commit: OpenCommit): Promise<ResidentEntities | null> {
    if (commit.resident) return commit.resident;
    const loading = this.track(loadResidentEntities(commit.table, commit.rows));
    commit.resident = loading;
    loading.then(
      (rows) => (commit.residentLoaded = rows),
      () => {
        if (commit.resident === loading) commit.resident = undefined;
      },
    );
    return loading;
  }

  /** The resident table of `commit` once read; else null, and a read starts in the background (its failure is the next call's). */
  residentOf(commit: OpenCommit): ResidentEntities | null {
    this.loadResident(commit).catch(() => undefined);
    return commit.residentLoaded;
  }

  /** Waits for a move in progress, then closes the current commit (reads still running may fail). */
  async close(): Promise<void> {
    await this.#moving?.catch(() => undefined);
    closeCommit(this.#current);
  }

  #moveOnce(next: () => Promise<IndexManifest>): Promise<OpenCommit> {
    return (this.#moving ??= next()
      .then((manifest) => this.#moveTo(manifest))
      .finally(() => (this.#moving = undefined)));
  }

  /** Moves to the commit `next` names: opened and checked first; the old one is closed once the reads on it are done. */
  async #moveTo(next: IndexManifest): Promise<OpenCommit> {
    const opened = await openCommit(this.indexDir, next);
    const [old, running] = [this.#current, [...this.#inFlight]];
    this.#current = opened;
    void Promise.allSettled(running).then(() => closeCommit(old));
    await this.onMove(old, opened);
    return opened;
  }
}
