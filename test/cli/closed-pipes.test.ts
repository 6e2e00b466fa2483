// `codesearch … | head`: a reader that goes away must not crash a command with a stack trace; an
// index run stops cleanly (exit 141, what it finished committed, lock released).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli, spawnCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";
import { readLockHolder } from "../../src/store/index-lock.js";

const NO_STACK = /^\s+at |Error: write EPIPE|Unhandled/m;

async function syntheticRepo(): Promise<string> {
  const repo = await makeTempDir();
  await writeSyntheticRepo(repo, 24, 8);
  return repo;
}

describe("closed output pipes", () => {
  it("index --json | head -5: exits 141 without a stack trace, releases the lock, and the next run finishes", async () => {
    const repo = await syntheticRepo();
    const run = spawnCli(["index", ".", "--model", TEST_MODEL_DIR, "--json", "--batch-size", "4"], { cwd: repo });
    let lines = 0;
    await run.waitForLine(() => ++lines === 5);
    run.child.stdout!.destroy();
    const stopped = await run.exited;
    expect(stopped.stderr).not.toMatch(NO_STACK);
    expect(stopped.code).toBe(141);
    expect(await readLockHolder(path.join(repo, ".codesearch"))).toBeNull();

    const next = await runCli(["index", ".", "--json"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
    expect(next.stderr).toBe("");
    expect(next.code).toBe(0);
  });

  it("index 2>&1 | head -3 (plain progress on stderr): exits 141 without a stack trace", async () => {
    const repo = await syntheticRepo();
    const run = spawnCli(["index", ".", "--model", TEST_MODEL_DIR, "--batch-size", "4"], { cwd: repo });
    let lines = 0;
    await run.waitForLine(() => ++lines === 3, "stderr");
    run.child.stderr!.destroy();
    const stopped = await run.exited;
    expect(stopped.stdout).toBe("");
    expect(stopped.code).toBe(141);
    expect(await readLockHolder(path.join(repo, ".codesearch"))).toBeNull();
  });

  it.each([
    ["search", ["search", "retry a request", "-n", "3"]],
    ["search --json", ["search", "retry a request", "--json"]],
    ["status", ["status"]],
  ])("%s | head -0: exits 141 without a stack trace", async (_name, args) => {
    const repo = await copyPythonFixtures();
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const run = spawnCli(args, { cwd: repo });
    run.child.stdout!.destroy();
    const done = await run.exited;
    expect(done.stderr).not.toMatch(NO_STACK);
    expect(done.code).toBe(141);
  });
});
