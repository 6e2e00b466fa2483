// The repository subscription on its own, with the real @parcel/watcher: relevant changes are
// counted, an ignore-rule change asks for a rewatch, and a backend failure is reported once.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WatcherError } from "../../src/model/errors.js";
import { RepoSubscription } from "../../src/watch/repo-subscription.js";
import { breakableSubscribe, errnoError, refusingSubscribe } from "../support/failing-watcher.js";
import { makeTempDir } from "../support/temp-dirs.js";

async function until(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("RepoSubscription", () => {
  it("counts source changes, flags ignore-rule changes once, and reports a backend failure once", { timeout: 60_000 }, async () => {
    const repo = await makeTempDir();
    await mkdir(path.join(repo, "pkg"));
    await writeFile(path.join(repo, "pkg", "a.py"), "def a():\n    return 1\n");
    const backend = breakableSubscribe();
    let changes = 0;
    const failures: WatcherError[] = [];
    const files = new RepoSubscription({
      repoRoot: repo,
      indexDir: path.join(repo, ".codesearch"),
      subscribe: backend.subscribe,
      onChanges: (count) => (changes += count),
      onFailure: (failure) => failures.push(failure),
    });
    await files.start();
    try {
      await writeFile(path.join(repo, "pkg", "b.py"), "def b():\n    return 2\n");
      await until(() => changes > 0, "the new file's event");
      expect(files.takeRulesChanged()).toBe(false);
      await writeFile(path.join(repo, ".gitignore"), "build/\n");
      await until(() => files.takeRulesChanged(), "the ignore rules' event");
      expect(files.takeRulesChanged()).toBe(false);
      await files.rewatch();
      expect(files.error).toBeNull();

      backend.fail(errnoError("EMFILE", "too many open files"));
      backend.fail(errnoError("EMFILE", "too many open files"));
      expect(failures).toHaveLength(1);
      expect(failures[0]!.message).toContain("too many open files");
      expect(files.error).toContain("too many open files");
    } finally {
      await files.close();
    }
  });

  it("refuses to start with a WatcherError when the tree cannot be watched", async () => {
    const repo = await makeTempDir();
    const files = new RepoSubscription({
      repoRoot: repo,
      indexDir: path.join(repo, ".codesearch"),
      subscribe: refusingSubscribe(errnoError("ENOSPC", "No space left on device")),
      onChanges: () => undefined,
      onFailure: () => undefined,
    });
    await expect(files.start()).rejects.toBeInstanceOf(WatcherError);
  });
});
