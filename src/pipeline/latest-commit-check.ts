import { commitOfManifest, requireManifest, sameCommit, type IndexManifest } from "../store/index.js";

/**
 * Times a check of the committed index, or a read of it, runs at most when it found damage (or
 * failed) and the manifest moved meanwhile: `status`, `verify`, a search session opening a commit
 * (commit-follower.ts `openCommit`) and its reads (`CommitFollower.read`).
 */
export const COMMIT_CHECK_ATTEMPTS = 3;

/**
 * The manifest as it is now when it names another commit than `manifest`, else null: another run
 * committed since `manifest` was read.
 * @throws IndexNotFoundError, IndexDamagedError or StoreError from reading the manifest.
 */
export async function manifestMovedFrom(indexDir: string, manifest: IndexManifest): Promise<IndexManifest | null> {
  const now = await requireManifest(indexDir);
  return sameCommit(commitOfManifest(now), commitOfManifest(manifest)) ? null : now;
}

/**
 * Runs `check` on the commit `from` names (default: the manifest as it is now) and returns what it
 * found. When it found damage (`problems` not empty) and another run committed meanwhile, the
 * damage may be the commit's removal under the check (a writer keeps only the newest superseded
 * commits, version-retention.ts), not bit rot: the check runs again on the newer commit, up to
 * {@link COMMIT_CHECK_ATTEMPTS} times. Damage found on a commit that is still the latest is
 * returned as it is.
 * @throws what `check` or reading the manifest throws (IndexNotFoundError, IndexDamagedError, StoreError).
 */
export async function checkLatestCommit<T>(
  indexDir: string,
  check: (manifest: IndexManifest) => Promise<T>,
  problemsOf: (found: T) => readonly string[],
  from?: IndexManifest,
): Promise<{ manifest: IndexManifest; found: T }> {
  let manifest = from ?? (await requireManifest(indexDir));
  for (let attempt = 1; ; attempt++) {
    const found = await check(manifest);
    if (problemsOf(found).length === 0 || attempt >= COMMIT_CHECK_ATTEMPTS) return { manifest, found };
    const moved = await manifestMovedFrom(indexDir, manifest);
    if (!moved) return { manifest, found };
    manifest = moved;
  }
}
