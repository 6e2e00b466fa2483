// An index run must close every file it opens: a watcher or an MCP server runs hundreds of them in one process.
import { appendFile, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

/** What this process's open file descriptors point at (Linux `/proc/self/fd`). */
async function openDescriptors(): Promise<string[]> {
  const dir = "/proc/self/fd";
  const targets = await Promise.all((await readdir(dir)).map((fd) => readlink(path.join(dir, fd)).catch(() => "")));
  return targets.filter((target) => target !== "");
}

describe("file descriptors across index runs", () => {
  it("12 incremental runs in one process leave no descriptor open on the embedding cache, and the count does not grow", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 6);
    await indexInProcess(repo);
    const cacheFiles = (targets: string[]) => targets.filter((target) => target.includes(`${path.sep}embedding-cache${path.sep}`));
    expect(cacheFiles(await openDescriptors())).toEqual([]);
    const before = (await openDescriptors()).length;
    const runs = 12;
    for (let i = 0; i < runs; i++) {
      // Each run reads cached vectors (the edited file's unchanged functions) and stores new ones.
      await appendFile(path.join(repo, "pkg", `mod_${i % 4}.py`), `\ndef added_${i}(x):\n    return x + ${i}\n`);
      const { summary } = await indexInProcess(repo);
      expect(summary.chunksFromCache).toBeGreaterThan(0);
      expect(cacheFiles(await openDescriptors())).toEqual([]);
    }
    expect((await openDescriptors()).length - before).toBeLessThan(runs);
  });
});
