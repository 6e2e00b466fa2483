// Leftover lock files as users met them (issue 19, item 13): a live unrelated pid, another host.
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

describe("leftover index.lock files (real processes)", () => {
  it.each([
    ["a live unrelated pid (pid 1)", { pid: 1, hostname: os.hostname(), startedAt: "2026-01-01T00:00:00.000Z" }],
    ["another host", { pid: 4242, hostname: `${os.hostname()}-elsewhere`, startedAt: "2026-01-01T00:00:00.000Z" }],
  ])("a lock file naming %s blocks nothing: status shows no run, index (and index --wait) go ahead", { timeout: 120_000 }, async (_label, holder) => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 2, 3);
    const indexArgs = ["index", ".", "--model", TEST_MODEL_DIR, "--json"];
    expect((await runCli(indexArgs, { cwd: repo })).code).toBe(0);
    const lockFile = path.join(repo, ".codesearch", "index.lock");
    await writeFile(lockFile, JSON.stringify(holder));

    const status = await runCli(["status", "--json"], { cwd: repo });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ runningIndex: null });

    await writeFile(path.join(repo, "pkg", "mod_0.py"), "def changed(x):\n    return x\n");
    const plain = await runCli(indexArgs, { cwd: repo });
    expect(plain.stderr).toBe("");
    expect(plain.code).toBe(0);
    await writeFile(lockFile, JSON.stringify(holder));
    const waiting = await runCli([...indexArgs, "--wait"], { cwd: repo });
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).not.toContain('"lock-waiting"');
  });
});
