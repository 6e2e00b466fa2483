import { readFile, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { IndexStatus } from "../../src/pipeline/index-status.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

async function status(repo: string): Promise<IndexStatus> {
  const result = await runCli(["status", "--json"], { cwd: repo });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as IndexStatus;
}

describe("codesearch status", () => {
  it("after a copy that moved every mtime (cp -r), reports only the files whose bytes changed", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    const later = new Date(Date.now() + 60_000);
    for (const file of ["shop/cart.py", "shop/net/retry.py"]) await utimes(path.join(repo, file), later, later);
    const cart = path.join(repo, "shop", "cart.py");
    // Same size, other bytes: changed.
    const text = await readFile(cart, "utf8");
    await writeFile(cart, text.replace("def ", "fed "));
    await utimes(cart, later, later);
    expect((await status(repo)).stale).toMatchObject({ filesChanged: 1, examples: ["shop/cart.py"] });
  });

  it("reports indexed counts, then stale files and entities after edits, then none after re-indexing", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    const fresh = await status(repo);
    expect(fresh).toMatchObject({
      repoRoot: repo,
      modelId: TEST_MODEL_DIR,
      dimension: 768,
      filesIndexed: 4,
      entitiesIndexed: 25,
      stale: { filesAdded: 0, filesChanged: 0, filesRemoved: 0, entities: 0 },
      failed: { files: 0, entities: 0 },
      runningIndex: null,
    });
    expect(fresh.indexSizeBytes).toBeGreaterThan(0);
    expect(fresh.lastRun?.stopReason).toBe(null);

    const retry = path.join(repo, "shop", "net", "retry.py");
    await writeFile(retry, `${await readFile(retry, "utf8")}\n# edited\n`);
    await rm(path.join(repo, "scripts", "tool.py"));
    await writeFile(path.join(repo, "new_module.py"), "def fresh():\n    pass\n");
    const stale = await status(repo);
    expect(stale.stale).toMatchObject({ filesAdded: 1, filesChanged: 1, filesRemoved: 1 });
    expect(stale.stale.examples).toEqual(["new_module.py", "shop/net/retry.py", "scripts/tool.py"]);
    expect(stale.stale.entities).toBeGreaterThan(0);

    const human = await runCli(["status"], { cwd: path.join(repo, "shop") });
    expect(human.stdout).toMatch(/^stale {5}1 changed, 1 new, 1 deleted \(\d+ indexed entities out of date\); run `codesearch index`$/m);
    // Too few docstrings to calibrate on: the uncalibrated weight, and why.
    expect(fresh.fusion).toMatchObject({ calibrated: false, weights: { vector: 0, lexical: 1 }, calibration: null });
    expect(human.stdout).toMatch(/^fusion {4}hybrid mode: vector weight 0, lexical 1, names 1, RRF k 60\n {10}not calibrated: \d+ documented functions, 30 needed/m);

    await runCli(["index"], { cwd: repo });
    expect((await status(repo)).stale).toMatchObject({ filesAdded: 0, filesChanged: 0, filesRemoved: 0, entities: 0 });
  });

  it("shows a partial last run and recorded failures", async () => {
    const repo = await copyPythonFixtures({ withBrokenFile: true });
    await runCli(["index", "--model", TEST_MODEL_DIR, "--max-items", "3"], { cwd: repo });
    const partial = await status(repo);
    expect(partial.lastRun).toMatchObject({ stopReason: "max-items" });
    expect(partial.lastRun?.chunksPending).toBeGreaterThan(0);
    await runCli(["index"], { cwd: repo });
    const done = await status(repo);
    expect(done.lastRun?.stopReason).toBe(null);
    expect(done.failed).toMatchObject({ files: 1, entities: 0 });
    expect(done.failed.failures[0]).toMatchObject({ path: "shop/broken.py", stage: "parse", line: 10 });
  });

  it("without an index exits 5", async () => {
    const result = await runCli(["status"], { cwd: await makeTempDir() });
    expect(result.code).toBe(5);
  });
});

describe("search warnings", () => {
  it("warns on stderr (and in --json) when a hit's file changed since indexing or the last run was partial", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    const clean = await runCli(["search", "retry the request", "--json", "-n", "1"], { cwd: repo });
    expect(clean.stderr).toBe("");
    expect((JSON.parse(clean.stdout) as { warnings: string[] }).warnings).toEqual([]);

    const retry = path.join(repo, "shop", "net", "retry.py");
    await writeFile(retry, `${await readFile(retry, "utf8")}\n# edited\n`);
    const stale = await runCli(["search", "retry the request", "-n", "1"], { cwd: repo });
    expect(stale.code).toBe(0);
    expect(stale.stderr).toContain("codesearch: warning: 1 of the files in these results changed since they were indexed (shop/net/retry.py)");

    await writeFile(path.join(repo, "more.py"), "def a():\n    pass\n\ndef b():\n    pass\n");
    await runCli(["index", "--max-items", "1"], { cwd: repo });
    const partial = await runCli(["search", "anything", "--json", "-n", "1"], { cwd: repo });
    expect((JSON.parse(partial.stdout) as { warnings: string[] }).warnings[0]).toMatch(/^the last index run stopped early \(max-items\); 1 entities are not indexed yet/);
  });
});
