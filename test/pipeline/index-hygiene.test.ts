// Issue 11, defect 7: a binary .py read again every run and shown as new forever; skipped links
// and FIFOs reported nowhere; a killed first run later described as "another schema version".
import { execFileSync } from "node:child_process";
import { rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { fakeEmbedder } from "../support/fake-embedders.js";
import { indexInProcess } from "../support/index-in-process.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

const loadEmbedder: EmbedderLoader = async () => fakeEmbedder({ dimension: 32, modelId: TEST_MODEL_DIR });
const run = (repo: string) => indexInProcess(repo, { loadEmbedder });
const planOf = (events: IndexEvent[]) => events.find((e): e is Extract<IndexEvent, { type: "plan-ready" }> => e.type === "plan-ready")!;

describe("index runs and status on a repository with files that cannot be indexed", () => {
  it("a .py with a NUL byte early on is skipped once, not read again while unchanged, never 'new' in status, and indexed once it is text", async () => {
    const repo = await copyPythonFixtures();
    const binary = path.join(repo, "blob.py");
    await writeFile(binary, Buffer.concat([Buffer.from("x = 1\n\0\0\0"), Buffer.alloc(64, 7)]));
    const first = await run(repo);
    expect(first.summary.filesSkipped).toEqual([expect.objectContaining({ path: "blob.py", reason: "binary" })]);

    const second = await run(repo);
    expect(planOf(second.events)).toMatchObject({ filesToRead: 0, filesAdded: 0, filesChanged: 0 });
    expect(second.events.some((e) => e.type === "file-skipped")).toBe(false);
    expect(second.summary.filesSkipped).toEqual([expect.objectContaining({ path: "blob.py", reason: "binary" })]);
    expect(second.summary.filesUnchanged).toBe(first.summary.filesIndexed);
    expect(second.summary.filesRemoved).toBe(0);

    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status.stale).toMatchObject({ filesAdded: 0, filesChanged: 0, filesRemoved: 0 });
    expect(status.filesIndexed).toBe(first.summary.filesIndexed);

    await writeFile(binary, "def now_text():\n    return 1\n");
    const third = await run(repo);
    expect(third.summary.filesSkipped).toEqual([]);
    expect(third.summary.filesIndexed).toBe(1);
    expect((await readIndexStatus({ cwd: repo, repoRoot: repo })).filesIndexed).toBe(first.summary.filesIndexed + 1);

    await rm(binary);
    const fourth = await run(repo);
    expect(fourth.summary.filesRemoved).toBe(1);
  });

  it("symbolic links and a FIFO named *.py are reported as skipped in the run's summary", async () => {
    const repo = await copyPythonFixtures();
    await symlink(path.join(repo, "shop", "cart.py"), path.join(repo, "cart_alias.py"));
    await symlink(path.join(repo, "shop"), path.join(repo, "shop_link"), "dir");
    execFileSync("mkfifo", [path.join(repo, "pipe.py")]);
    const { summary, events } = await run(repo);
    expect(summary.filesSkipped.map((s) => [s.path, s.reason])).toEqual([
      ["cart_alias.py", "symlink"],
      ["pipe.py", "not-regular-file"],
      ["shop_link", "symlink"],
    ]);
    const scan = events.find((e): e is Extract<IndexEvent, { type: "scan-finished" }> => e.type === "scan-finished")!;
    expect(scan.skipped).toHaveLength(3);
  });

  it("a table left without a manifest (a first run stopped before its end) is rebuilt with that reason, not 'another schema version'", async () => {
    const repo = await copyPythonFixtures();
    await run(repo);
    await rm(path.join(repo, ".codesearch", "manifest.json"));
    const { events, summary } = await run(repo);
    expect(planOf(events).fullRebuildReason).toBe("an earlier run stopped before it recorded the index (no manifest yet)");
    expect(summary.failures).toEqual([]);
  });
});
