import type * as lancedb from "@lancedb/lancedb";
import { z } from "zod";
import { StoreError, describeError } from "../model/errors.js";
import { KEEP_SUPERSEDED_VERSIONS_MS, openEntityTable } from "./table-snapshot.js";

/**
 * Slack subtracted from a version's timestamp before it is used as a cleanup cutoff (ms). LanceDB
 * removed the version itself when the cutoff was its own timestamp minus 1 ms (measured with
 * @lancedb/lancedb 0.37.1: its comparison is coarser than the millisecond timestamps it lists),
 * but kept it from 500 ms before on.
 */
const CLEANUP_SLACK_MS = 2_000;

/**
 * Superseded commits kept at most, however young: the newest this many of those inside the grace.
 * Without a cap a watcher committing twice a second kept ~120 commits (60 s of them), and its
 * refreshes slowed (388 → 710 ms) and its memory grew (+14 % over 500 refreshes) with the versions
 * LanceDB had to list and keep (stress/watch-refresh.stress.test.ts, BENCHMARKS.md issue 19).
 * A reader whose version was removed meanwhile does not rest on this bound: its read fails, it
 * finds that the manifest moved, and it reads the newer commit (search-repo.ts `readFollowing`).
 */
export const KEEP_SUPERSEDED_COMMITS = 8;

/** Schema of one {@link SupersededCommit} as the manifest records it. */
export const supersededCommitSchema = z.object({
  /** The table version that commit named. */
  version: z.number().int().positive(),
  /** ISO-8601 time the next commit replaced it in the manifest. */
  supersededAt: z.string(),
});

/**
 * A commit that the manifest named until a later one replaced it. A search that read the manifest
 * just before may still be reading its version, so the version stays for
 * {@link KEEP_SUPERSEDED_VERSIONS_MS} after `supersededAt`, while it is among the newest
 * {@link KEEP_SUPERSEDED_COMMITS} superseded commits.
 */
export type SupersededCommit = z.infer<typeof supersededCommitSchema>;

/** What of the manifest decides which versions readers may hold. */
export interface RetentionManifest {
  tableVersion?: number | undefined;
  lastRun: { finishedAt: string };
  supersededCommits?: readonly SupersededCommit[] | undefined;
}

const stillReadable = (commit: SupersededCommit, nowMs: number): boolean => {
  const at = Date.parse(commit.supersededAt);
  return !Number.isFinite(at) || nowMs - at < KEEP_SUPERSEDED_VERSIONS_MS;
};

/** The newest {@link KEEP_SUPERSEDED_COMMITS} of `commits` (listed oldest first) still inside the grace at `nowMs`. */
const readableCommits = (commits: readonly SupersededCommit[], nowMs: number): SupersededCommit[] =>
  commits.filter((c) => stillReadable(c, nowMs)).slice(-KEEP_SUPERSEDED_COMMITS);

/**
 * The superseded commits a new commit's manifest records, oldest first: those of the manifest it
 * replaces that readers may still hold at `nowMs`, plus that manifest's own commit, superseded
 * now; at most {@link KEEP_SUPERSEDED_COMMITS}. Pure.
 * @param before the manifest being replaced (null for a first commit).
 * @param nowMs epoch ms of the new commit.
 */
export function supersedeCommit(before: RetentionManifest | null, nowMs: number): SupersededCommit[] {
  if (!before) return [];
  const listed = before.supersededCommits ?? [];
  const all = before.tableVersion === undefined ? listed : [...listed, { version: before.tableVersion, supersededAt: new Date(nowMs).toISOString() }];
  return readableCommits(all, nowMs);
}

/**
 * The table versions readers may be on at `nowMs`, which a writer's cleanup must keep: the
 * version the catalog committed (the writer's base), the one the manifest names, and the newest
 * {@link KEEP_SUPERSEDED_COMMITS} commits the manifest lists as superseded less than
 * {@link KEEP_SUPERSEDED_VERSIONS_MS} ago.
 * Pure.
 * @returns null when that cannot be told (no committed version, or a manifest written before
 *   superseded commits were recorded whose own commit is younger than the grace): keep every version.
 */
export function versionsReadersMayHold(committedVersion: number | undefined, manifest: RetentionManifest | null, nowMs: number): number[] | null {
  if (committedVersion === undefined || !manifest || manifest.tableVersion === undefined) return null;
  const keep = [committedVersion, manifest.tableVersion];
  if (manifest.supersededCommits === undefined) {
    const committedAtMs = Date.parse(manifest.lastRun.finishedAt);
    return Number.isFinite(committedAtMs) && nowMs - committedAtMs >= KEEP_SUPERSEDED_VERSIONS_MS ? keep : null;
  }
  for (const commit of readableCommits(manifest.supersededCommits, nowMs)) keep.push(commit.version);
  return keep;
}

/** One version as LanceDB lists it: number and commit timestamp (epoch ms). */
export interface ListedVersion {
  version: number;
  timestampMs: number;
}

/**
 * The `cleanupOlderThan` date that removes only versions older than all of `keep`: the earliest
 * timestamp among listed versions numbered from the oldest kept one on, less a slack. Versions in
 * between kept ones (a run's intermediate writes) stay too. Pure.
 * @param keep from {@link versionsReadersMayHold}; null (unknown) or nothing listed from it on: epoch (nothing removed).
 */
export function versionCleanupCutoff(listed: readonly ListedVersion[], keep: readonly number[] | null): Date {
  if (keep === null || keep.length === 0) return new Date(0);
  const oldest = Math.min(...keep);
  const from = listed.filter((v) => v.version >= oldest).map((v) => v.timestampMs);
  if (from.length === 0) return new Date(0);
  return new Date(Math.max(0, Math.min(...from) - CLEANUP_SLACK_MS));
}

/** The versions `table` lists, with their timestamps. @throws StoreError when LanceDB cannot list them. */
export async function listTableVersions(table: lancedb.Table): Promise<ListedVersion[]> {
  try {
    return (await table.listVersions()).map((v) => ({ version: v.version, timestampMs: v.timestamp.getTime() }));
  } catch (error) {
    throw new StoreError(`cannot list the entity table's versions: ${describeError(error)}`, { cause: error });
  }
}

/**
 * {@link versionCleanupCutoff} of the entity table in `db` for `keep`; epoch when `keep` is null
 * (the table is then not opened).
 * @throws StoreError when LanceDB cannot open the table or list its versions.
 */
export async function readVersionCleanupCutoff(db: lancedb.Connection, keep: readonly number[] | null): Promise<Date> {
  if (keep === null) return new Date(0);
  const table = await openEntityTable(db);
  try {
    return versionCleanupCutoff(await listTableVersions(table), keep);
  } finally {
    table.close();
  }
}
