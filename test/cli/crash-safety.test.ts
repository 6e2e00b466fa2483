// Real child processes: kill -9 at random moments, Ctrl-C and resume, two writers on one index.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import type { IndexSummary } from "../../src/model/types.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli, spawnCli, type CliProcess } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";
import { readLockHolder } from "../../src/store/index-lock.js";

const INDEX_ARGS = ["index", ".", "--model", TEST_MODEL_DIR, "--json", "--batch-size", "4"];

function summaryOf(stdout: string): IndexSummary {
  const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as { type: string; summary: IndexSummary };
  expect(last.type).toBe("index-finished");
  return last.summary;
}

/**
 * Sends SIGINT to `run` while it is stopped (SIGSTOP … SIGCONT), so it cannot finish first: the
 * signal is handled as soon as it runs again. Resolves when it exited.
 */
function interrupt(run: CliProcess): CliProcess["exited"] {
  run.child.kill("SIGSTOP");
  run.child.kill("SIGINT");
  run.child.kill("SIGCONT");
  return run.exited;
}

/**
 * A first run (plain progress on stderr) of a 24-file synthetic repo in `repo`, interrupted while
 * the model loads: it stops before its first batch.
 */
async function interruptedWhileTheModelLoads(repo: string): CliProcess["exited"] {
  await writeSyntheticRepo(repo, 24, 8);
  const run = spawnCli(["index", ".", "--model", TEST_MODEL_DIR, "--batch-size", "4"], { cwd: repo });
  await run.waitForLine((line) => line.startsWith("loading model"), "stderr");
  return interrupt(run);
}

/** Applies one random edit to the synthetic repo: edit, delete, add or rename a module. */
async function mutate(repo: string, random: () => number, trial: number): Promise<void> {
  const module = (i: number) => path.join(repo, "pkg", `mod_${i}.py`);
  const pick = Math.floor(random() * 24);
  const action = Math.floor(random() * 4);
  if (!existsSync(module(pick))) return writeFile(module(pick), `def revived_${trial}():\n    return ${trial}\n`);
  if (action === 0) return writeFile(module(pick), (await readFile(module(pick), "utf8")).replaceAll("clamp it", `clamp it (${trial})`));
  if (action === 1) return rm(module(pick));
  if (action === 2) return writeFile(path.join(repo, "pkg", `extra_${trial}.py`), `def extra_${trial}(x):\n    """Added in trial ${trial}."""\n    return x\n`);
  return rename(module(pick), path.join(repo, "pkg", `moved_${trial}.py`));
}

describe("crash safety (real processes)", () => {
  it("after kill -9 at seeded random moments, the next run completes and the index is exact", { timeout: 180_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    const random = seededRandom(20261123);
    const killedIn = new Set<string>();
    const killOn = ["scan-finished", "file-extracted", "cache-checked", "model-loaded", "chunk-embedded", "cache-saved", "store-started", "store-finished"];
    for (let trial = 0; trial < 8; trial++) {
      if (trial > 0) await mutate(repo, random, trial);
      const victim = spawnCli(INDEX_ARGS, { cwd: repo });
      // Odd trials kill at a random time; even trials the moment a randomly chosen event is seen.
      const target = trial % 2 === 0 ? killOn[Math.floor(random() * killOn.length)]! : null;
      const delayMs = 250 + random() * 1500;
      let lastEvent = "none";
      // Settles when the target event is seen or the process exits (rejection = exited first).
      const seen = victim
        .waitForLine((line) => {
          lastEvent = (JSON.parse(line) as { type: string }).type;
          return lastEvent === target;
        })
        .catch(() => "exited");
      await (target ? seen : sleep(delayMs));
      victim.child.kill("SIGKILL");
      const killed = await victim.exited;
      killedIn.add(killed.signal === "SIGKILL" ? lastEvent : "finished");

      const next = await runCli(INDEX_ARGS, { cwd: repo });
      expect(next.stderr).toBe("");
      expect(next.code).toBe(0);
      expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
    }
    // The seed must land kills in more than one phase of a run, or the trials prove little.
    expect(killedIn.size).toBeGreaterThan(3);
  });

  it("Ctrl-C finishes the batch in flight, saves, exits 130, and the next run resumes without re-embedding", async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    const run = spawnCli(INDEX_ARGS, { cwd: repo });
    let embedded = 0;
    await run.waitForLine((line) => line.includes('"chunk-embedded"') && ++embedded === 40);
    const stopped = await interrupt(run);
    expect(stopped.code).toBe(130);
    const first = summaryOf(stopped.stdout);
    expect(first.stopReason).toBe("interrupted");
    expect(first.chunksEmbedded).toBeGreaterThanOrEqual(40);
    expect(first.chunksEmbedded).toBeLessThan(192);
    expect(stopped.stdout).toContain('"stop-requested"');

    const resumed = await runCli(INDEX_ARGS, { cwd: repo });
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed.stdout).chunksEmbedded).toBe(192 - first.chunksEmbedded);
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  });

  it("Ctrl-C keeps every vector it embedded, even with few files committed: the resume embeds only the rest", { timeout: 180_000 }, async () => {
    // A small committed index, then one large new file: stopped part-way, the run commits nothing
    // new, and its vectors far outnumber the committed ones (what made compaction drop them).
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 2, 4);
    expect((await runCli(INDEX_ARGS, { cwd: repo })).code).toBe(0);
    const total = 2500;
    const body = Array.from({ length: total }, (_, j) => `def big_${j}(item_${j}):\n    """Return item ${j} doubled."""\n    return item_${j} * ${j + 2}\n`);
    await writeFile(path.join(repo, "pkg", "big.py"), body.join("\n"));

    const run = spawnCli([...INDEX_ARGS.slice(0, -1), "16"], { cwd: repo });
    let embedded = 0;
    await run.waitForLine((line) => line.includes('"chunk-embedded"') && ++embedded === 1100);
    const stopped = await interrupt(run);
    expect(stopped.code).toBe(130);
    const first = summaryOf(stopped.stdout);
    expect(first.stopReason).toBe("interrupted");
    expect(first.chunksEmbedded).toBeGreaterThanOrEqual(1100);
    expect(first.chunksEmbedded).toBeLessThan(total);

    const resumed = await runCli(INDEX_ARGS, { cwd: repo });
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed.stdout)).toMatchObject({ chunksEmbedded: total - first.chunksEmbedded, chunksFromCache: first.chunksEmbedded, chunksStored: total + 8 });
  });

  it("plain output tells an interrupted user how to resume, and resuming keeps the model chosen at the start", async () => {
    const repo = await makeTempDir();
    const stopped = await interruptedWhileTheModelLoads(repo);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted: nothing stored yet \(vectors embedded so far are kept in the cache\); 24 files, 192 entities left — run `.+` to resume/);
    expect(stopped.stderr).toContain("(nothing stored yet, model");

    // status reports the half-made index as partial, with the model its first run chose.
    const status = await runCli(["status"], { cwd: repo });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`model     ${TEST_MODEL_DIR} (512 tokens)`);
    expect(status.stdout).toMatch(/indexed {3}nothing yet — partial: the first run stopped before storing anything \(interrupted, 192 entities left\)/);
    const search = await runCli(["search", "scale"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
    expect(search.code).toBe(5);
    expect(search.stderr).toContain("holds nothing yet: its first run");

    // A plain `index` (no --model) resumes with the recorded model, offline.
    const resumed = await runCli(["index", ".", "--json"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed.stdout)).toMatchObject({ modelId: TEST_MODEL_DIR, chunksStored: 192 });
  });

  it("the printed resume command works as printed", async () => {
    const repo = await makeTempDir();
    const stopped = await interruptedWhileTheModelLoads(repo);
    const printed = /run `(.+)` to resume/.exec(stopped.stderr)?.[1];
    expect(printed).toBeDefined();
    const again = spawnSync("bash", ["-c", printed!], { cwd: repo, env: { ...process.env, CI: "1", CODESEARCH_OFFLINE: "1" }, encoding: "utf8" });
    expect(again.stderr).toMatch(/^finished$/m);
    expect(again.status).toBe(0);
  });
});

describe("Ctrl-C in the first instants of a first run (real processes)", () => {
  // Right after spawn (before the handler exists, or before the run changed anything), at the first
  // events, and while files are read: each outcome must be honest, whichever the moment hits.
  it("exits 130, leaves no half-made index, and what it prints (or a plain index) resumes", { timeout: 120_000 }, async () => {
    const outcomes = new Set<string>();
    for (const trigger of [null, "run-started", "scan-finished", "file-extracted"]) {
      const repo = await makeTempDir();
      await writeSyntheticRepo(repo, 6, 4);
      const run = spawnCli(INDEX_ARGS, { cwd: repo });
      if (trigger !== null) await run.waitForLine((line) => line.includes(`"${trigger}"`));
      const stopped = await interrupt(run);
      const context = `Ctrl-C at ${trigger ?? "spawn"}: ${stopped.stderr}${stopped.stdout.slice(-600)}`;
      // Killed before the handler was installed (nothing had started), or handled: 130 either way.
      expect(stopped.signal === "SIGINT" || stopped.code === 130, context).toBe(true);
      const indexDir = path.join(repo, ".codesearch");
      if (!existsSync(indexDir)) {
        outcomes.add(stopped.signal === "SIGINT" ? "killed" : "nothing-written");
        const printed = /run `(.+)` to start again/.exec(stopped.stderr)?.[1];
        expect(printed !== undefined || stopped.signal === "SIGINT", context).toBe(true);
        if (printed !== undefined) {
          const again = spawnSync("bash", ["-c", printed], { cwd: repo, env: { ...process.env, CI: "1" }, encoding: "utf8" });
          expect(again.status, again.stderr).toBe(0);
          expect(summaryOf(again.stdout)).toMatchObject({ stopReason: null, chunksStored: 24 });
        }
        continue;
      }
      // Stopped after it recorded its start: status calls it partial, and a plain index resumes with its model.
      outcomes.add("started");
      expect(summaryOf(stopped.stdout), context).toMatchObject({ stopReason: "interrupted", chunksEmbedded: 0 });
      expect(stopped.stdout).not.toContain('"model-loading"');
      const status = await runCli(["status"], { cwd: repo });
      expect(status.code, context).toBe(0);
      expect(status.stdout).toMatch(/partial: the first run stopped before storing anything \(interrupted/);
      const resumed = await runCli(["index", ".", "--json"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(summaryOf(resumed.stdout)).toMatchObject({ modelId: TEST_MODEL_DIR, chunksStored: 24 });
    }
    // The last trigger always comes after the start was recorded.
    expect(outcomes.has("started")).toBe(true);
  });
});

describe("one writer at a time (real processes)", () => {
  it("a second index fails with exit 7, --wait waits its turn, and search works meanwhile", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 150, 10);
    await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--max-items", "10"], { cwd: repo });

    const first = spawnCli(INDEX_ARGS, { cwd: repo });
    await first.waitForLine((line) => line.includes('"chunk-embedded"'));
    // Freeze the first writer while it holds the lock, so the checks below do not race its speed.
    first.child.kill("SIGSTOP");
    onTestFinished(() => {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill("SIGKILL");
    });

    const refused = await runCli(["index", ".", "--json"], { cwd: repo });
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain(`another codesearch index run (pid ${first.child.pid}`);
    expect(refused.stdout).toContain('"code":"index-locked"');

    const waiting = spawnCli(["index", ".", "--json", "--wait"], { cwd: repo });
    await waiting.waitForLine((line) => line.includes('"lock-waiting"'));

    // Readers take no lock: search answers from the last committed table while both writers live.
    const search = await runCli(["search", "scale value and clamp it", "--json", "-n", "3"], { cwd: repo });
    expect(search.code).toBe(0);
    expect((JSON.parse(search.stdout) as { results: unknown[] }).results).toHaveLength(3);
    expect(first.child.exitCode).toBe(null);
    first.child.kill("SIGCONT");

    const firstDone = await first.exited;
    const waitingDone = await waiting.exited;
    expect(firstDone.code).toBe(0);
    expect(waitingDone.code).toBe(0);
    const firstFinished = summaryOf(firstDone.stdout);
    // The waiting run started only once it held the lock, and then found everything the first one committed.
    const waitingTypes = waitingDone.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { type: string }).type);
    expect(waitingTypes.indexOf("lock-waiting")).toBeLessThan(waitingTypes.indexOf("run-started"));
    expect(summaryOf(waitingDone.stdout)).toMatchObject({ filesIndexed: 0, chunksEmbedded: 0, filesUnchanged: firstFinished.filesDiscovered });
    expect(await readLockHolder(path.join(repo, ".codesearch"))).toBeNull();
  });
});
