import { describe, expect, it } from "vitest";
import { maintenanceDue, COMPACT_AT_FRAGMENTS, PRUNE_AT_VERSIONS } from "../../src/store/table-maintenance.js";
import { KEEP_SUPERSEDED_VERSIONS_MS } from "../../src/store/table-snapshot.js";
import { KEEP_SUPERSEDED_COMMITS, supersedeCommit, versionCleanupCutoff, versionsReadersMayHold, type RetentionManifest } from "../../src/store/version-retention.js";

const NOW = Date.parse("2026-12-07T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const GRACE = KEEP_SUPERSEDED_VERSIONS_MS;

describe("supersedeCommit", () => {
  it("adds the replaced manifest's commit and keeps only the superseded commits still inside the grace", () => {
    const before: RetentionManifest = {
      tableVersion: 40,
      lastRun: { finishedAt: ago(3_000) },
      supersededCommits: [
        { version: 20, supersededAt: ago(GRACE + 1) },
        { version: 30, supersededAt: ago(GRACE - 1) },
      ],
    };
    expect(supersedeCommit(before, NOW)).toEqual([
      { version: 30, supersededAt: ago(GRACE - 1) },
      { version: 40, supersededAt: new Date(NOW).toISOString() },
    ]);
  });

  it("keeps at most the newest KEEP_SUPERSEDED_COMMITS, however young (a watcher commits twice a second)", () => {
    const young = Array.from({ length: KEEP_SUPERSEDED_COMMITS + 5 }, (_, i) => ({ version: 10 + i, supersededAt: ago(10_000 - i * 500) }));
    const before: RetentionManifest = { tableVersion: 99, lastRun: { finishedAt: ago(100) }, supersededCommits: young };
    const kept = supersedeCommit(before, NOW);
    expect(kept).toHaveLength(KEEP_SUPERSEDED_COMMITS);
    expect(kept.at(-1)).toEqual({ version: 99, supersededAt: new Date(NOW).toISOString() });
    expect(kept.slice(0, -1)).toEqual(young.slice(-(KEEP_SUPERSEDED_COMMITS - 1)));
  });

  it("starts empty for a first commit and after a manifest without a version", () => {
    expect(supersedeCommit(null, NOW)).toEqual([]);
    expect(supersedeCommit({ lastRun: { finishedAt: ago(1) } }, NOW)).toEqual([]);
  });
});

describe("versionsReadersMayHold", () => {
  it.each<[string, number | undefined, RetentionManifest | null, number[] | null]>([
    ["no committed version: unknown, keep all", undefined, { tableVersion: 5, lastRun: { finishedAt: ago(0) } }, null],
    ["no manifest: unknown", 5, null, null],
    ["an old manifest without the list, committed inside the grace: unknown", 5, { tableVersion: 5, lastRun: { finishedAt: ago(GRACE - 1_000) } }, null],
    ["an old manifest without the list, committed before the grace: its version only", 5, { tableVersion: 5, lastRun: { finishedAt: ago(GRACE + 1_000) } }, [5, 5]],
    [
      "back-to-back commits: every commit superseded inside the grace stays, older ones go",
      50,
      {
        tableVersion: 50,
        lastRun: { finishedAt: ago(1_000) },
        supersededCommits: [
          { version: 30, supersededAt: ago(GRACE + 500) },
          { version: 40, supersededAt: ago(GRACE - 500) },
          { version: 45, supersededAt: ago(1_000) },
        ],
      },
      [50, 50, 40, 45],
    ],
    [
      "more young commits than KEEP_SUPERSEDED_COMMITS (a manifest written before the cap): the newest of them",
      90,
      {
        tableVersion: 90,
        lastRun: { finishedAt: ago(100) },
        supersededCommits: Array.from({ length: KEEP_SUPERSEDED_COMMITS + 3 }, (_, i) => ({ version: 60 + i, supersededAt: ago(5_000 - i) })),
      },
      [90, 90, ...Array.from({ length: KEEP_SUPERSEDED_COMMITS }, (_, i) => 63 + i)],
    ],
    ["a catalog one commit ahead of the manifest keeps both", 60, { tableVersion: 50, lastRun: { finishedAt: ago(GRACE * 10) }, supersededCommits: [] }, [60, 50]],
  ])("%s", (_, committed, manifest, expected) => {
    expect(versionsReadersMayHold(committed, manifest, NOW)).toEqual(expected);
  });
});

describe("versionCleanupCutoff", () => {
  const listed = [
    { version: 1, timestampMs: 1_000_000 },
    { version: 2, timestampMs: 1_010_000 },
    { version: 3, timestampMs: 1_020_000 },
    { version: 4, timestampMs: 1_030_000 },
  ];

  it("removes only versions older than the oldest kept one, with a slack", () => {
    expect(versionCleanupCutoff(listed, [4, 3]).getTime()).toBe(1_020_000 - 2_000);
  });

  it("goes by the earliest timestamp from the oldest kept version on, should the clock have stepped back", () => {
    expect(versionCleanupCutoff([...listed, { version: 5, timestampMs: 1_005_000 }], [4, 5]).getTime()).toBe(1_005_000 - 2_000);
  });

  it("removes nothing when unknown, empty or not listed", () => {
    expect(versionCleanupCutoff(listed, null).getTime()).toBe(0);
    expect(versionCleanupCutoff(listed, []).getTime()).toBe(0);
    expect(versionCleanupCutoff(listed, [9]).getTime()).toBe(0);
  });
});

describe("maintenanceDue", () => {
  it.each([
    [{ fragments: 1, removableVersions: 0 }, false],
    [{ fragments: COMPACT_AT_FRAGMENTS - 1, removableVersions: PRUNE_AT_VERSIONS - 1 }, false],
    [{ fragments: COMPACT_AT_FRAGMENTS, removableVersions: 0 }, true],
    [{ fragments: 2, removableVersions: PRUNE_AT_VERSIONS }, true],
  ])("%j → %s", (shape, due) => {
    expect(maintenanceDue(shape)).toBe(due);
  });
});
