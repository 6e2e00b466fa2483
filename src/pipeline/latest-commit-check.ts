import { commitOfManifest, requireManifest, sameCommit, type IndexManifest } from "../store/index.js";

/**
 * Times a check of the committed index runs, at most, when it found damage and the manifest moved
 * meanwhile (the same bound as a search session's reads, search-repo.ts).
 */
export const COMMIT_CHECK_ATTEMPTS = 3;

/**
 * Runs `check` on the commit the manifest names and returns what it found. When it found damage
 * (`problems` not empty) and another run committed meanwhile, the damage may be the commit's removal
 * under the check (a writer keeps only the newest superseded commits, version-retention.ts), not
 * bit rot: the check runs again on the newer commit, up to {@link COMMIT_CHECK_ATTEMPTS} times. Damage
 * found on a commit that is still the latest is returned as it is.
 * @throws what `check` or reading the manifest throws (IndexNotFoundError, IndexDamagedError, StoreError).
 */
export async function checkLatestCommit<T>(
  indexDir: string,
  check: (manifest: IndexManifest) => Promise<T>,
  problemsOf: (found: T) => readonly string[],
): Promise<{ manifest: IndexManifest; found: T }> {
  let manifest = await requireManifest(indexDir);
  for (let attempt = 1; ; attempt++) {
    const found = await check(manifest);
    if (problemsOf(found).length === 0 || attempt >= COMMIT_CHECK_ATTEMPTS) return { manifest, found };
    const now = await requireManifest(indexDir);
    if (sameCommit(commitOfManifest(now), commitOfManifest(manifest))) return { manifest, found };
    manifest = now;
  }
}
