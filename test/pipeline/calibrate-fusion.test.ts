import { appendFile, cp, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UNCALIBRATED_VECTOR_WEIGHT, MIN_CALIBRATION_QUERIES, RECALIBRATE_CHANGED_SHARE } from "../../src/rank/index.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { readManifest } from "../../src/store/index.js";
import { countingLoader } from "../support/counting-loader.js";
import { indexInProcess } from "../support/index-in-process.js";
import { PROJECT_ROOT, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

/** The model shipped with codesearch (`--model codesearch-small`). */
const CODESEARCH_SMALL_DIR = path.join(PROJECT_ROOT, "models", "codesearch-small");


/** A temp copy of fixtures/documented/click: four modules of Click with enough docstrings to calibrate on. */
async function copyDocumentedFixture(): Promise<string> {
  const dir = await makeTempDir("codesearch-documented-");
  await cp(path.join(PROJECT_ROOT, "fixtures", "documented", "click"), path.join(dir, "click"), { recursive: true });
  return dir;
}


describe("fusion calibration at index time", () => {
  it("with the test model (vectors without meaning) chooses lexical-dominant weights, and says what it measured", async () => {
    const repo = await copyDocumentedFixture();
    // Calibration's scratch table goes under the OS temp folder: a private one here, to see it removed.
    const scratch = await makeTempDir("codesearch-scratch-");
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const { events, loads } = await indexInProcess(repo).finally(() => {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    });
    const fusion = (await readManifest(path.join(repo, ".codesearch")))!.fusion!;

    expect(fusion.calibrated).toBe(true);
    expect(fusion.weights.vector).toBeLessThanOrEqual(0.1);
    expect(fusion.weights.lexical).toBe(1);
    const calibration = fusion.calibration!;
    expect(calibration.queries).toBeGreaterThanOrEqual(MIN_CALIBRATION_QUERIES);
    expect(calibration.modelCalls).toBe(2 * calibration.queries);
    const lexical = calibration.scores.find((s) => s.vectorWeight === 0)!.mrrAt10;
    // The choice is never meaningfully worse than lexical alone on the calibration queries.
    expect(calibration.scores.find((s) => s.vectorWeight === fusion.weights.vector)!.mrrAt10).toBeGreaterThanOrEqual(lexical - calibration.standardErrorMargin);
    expect(calibration.vectorOnlyMrrAt10).toBeLessThan(lexical);
    expect(calibration.scores.find((s) => s.vectorWeight === calibration.bestVectorWeight)!.standardErrorToBest).toBe(0);
    expect(fusion.note).toMatch(/calibrated on \d+ docstring queries/);
    // One load to embed the repository, one for calibration.
    expect(loads).toBe(2);
    expect(events.filter((e) => e.type === "fusion-calibrated")).toHaveLength(1);
    // The phase is named when it starts (issue 22, defect 4): calibrating comes after storing, before the result.
    const order = events.map((e) => e.type);
    expect(order.indexOf("store-finished")).toBeLessThan(order.indexOf("fusion-calibrating"));
    expect(order.indexOf("fusion-calibrating")).toBeLessThan(order.indexOf("fusion-calibrated"));
    expect((await readdir(scratch)).filter((name) => name.startsWith("codesearch-calibration-"))).toEqual([]);
  });

  it("with codesearch-small (a trained model) gives the vector side a real weight, on libraries it was not trained on", { timeout: 180_000 }, async () => {
    const repo = await makeTempDir("codesearch-documented-");
    await cp(path.join(PROJECT_ROOT, "fixtures", "documented"), repo, { recursive: true });
    const { loads } = await indexInProcess(repo, { model: CODESEARCH_SMALL_DIR });
    const fusion = (await readManifest(path.join(repo, ".codesearch")))!.fusion!;
    expect(fusion.calibrated).toBe(true);
    expect(loads).toBe(2);
    const calibration = fusion.calibration!;
    const mrrAt = (weight: number) => calibration.scores.find((s) => s.vectorWeight === weight)!.mrrAt10;
    expect(fusion.weights.vector).toBeGreaterThan(0);
    // Chosen because lexical alone fell outside the margin: the chosen weight ranks the answers better.
    expect(mrrAt(fusion.weights.vector)).toBeGreaterThan(mrrAt(0));
    // The model means something: alone it ranks the answers far better than the test model does (~0.26 here).
    expect(calibration.vectorOnlyMrrAt10).toBeGreaterThan(0.4);
  });

  it("recalibrates only once enough rows changed", async () => {
    const repo = await copyDocumentedFixture();
    const indexDir = path.join(repo, ".codesearch");
    await indexInProcess(repo);
    const first = (await readManifest(indexDir))!.fusion!;

    // Unchanged files: nothing written, nothing measured again, no model loaded.
    const again = await indexInProcess(repo);
    expect(again.loads).toBe(0);
    expect(again.events.some((e) => e.type === "fusion-calibrated" || e.type === "fusion-calibrating")).toBe(false);
    expect((await readManifest(indexDir))!.fusion).toEqual(first);

    // A small change is counted but does not recalibrate.
    await writeFile(path.join(repo, "click", "extra.py"), "def added_helper():\n    return 1\n");
    await indexInProcess(repo);
    const small = (await readManifest(indexDir))!.fusion!;
    expect(small.calibration!.calibratedAt).toBe(first.calibration!.calibratedAt);
    expect(small.rowsChangedSince).toBe(1);
    expect(small.rowsChangedSince).toBeLessThan(RECALIBRATE_CHANGED_SHARE * first.calibration!.rowsAtCalibration);

    // Rewriting the largest module changes more than the threshold's share of rows.
    await appendFile(path.join(repo, "click", "types.py"), "\n# touched\n");
    const big = await indexInProcess(repo);
    const after = (await readManifest(indexDir))!.fusion!;
    expect(big.events.some((e) => e.type === "fusion-calibrated")).toBe(true);
    expect(after.rowsChangedSince).toBe(0);
    expect(after.calibration!.calibratedAt).not.toBe(first.calibration!.calibratedAt);
  });

  it("Ctrl-C during calibration stops it at once: every row is committed, the fusion says it was interrupted, the next run calibrates", async () => {
    const repo = await copyDocumentedFixture();
    const indexDir = path.join(repo, ".codesearch");
    const scratch = await makeTempDir("codesearch-scratch-");
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const controller = new AbortController();
    const loader = countingLoader();
    let calibrationCalls = 0;
    // The second load is calibration's: abort in the middle of its embedding, as a SIGINT would.
    const loadEmbedder: typeof loader = Object.assign(async (request: Parameters<typeof loader>[0]) => {
      const embedder = await loader(request);
      if (loader.loads < 2) return embedder;
      return {
        ...embedder,
        embed: async (texts: readonly string[]) => {
          if (++calibrationCalls === 3) controller.abort();
          return embedder.embed(texts);
        },
      };
    }, { loads: 0 });
    const { summary, events } = await indexInProcess(repo, { loadEmbedder, signal: controller.signal }).finally(() => {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    });

    // Calibration stopped at its next model call, not after embedding all 400 of its texts.
    expect(calibrationCalls).toBe(3);
    expect(events.filter((e) => e.type === "stop-requested")).toEqual([expect.objectContaining({ reason: "interrupted" })]);
    expect(summary.stopReason).toBeNull();
    expect(summary.chunksPending).toBe(0);
    expect(summary.chunksStored).toBe(summary.entitiesFound);
    const fusion = (await readManifest(indexDir))!.fusion!;
    expect(fusion.calibrated).toBe(false);
    expect(fusion.weights.vector).toBe(UNCALIBRATED_VECTOR_WEIGHT);
    expect(fusion.note).toMatch(/interrupted before fusion calibration finished/);
    expect(events.find((e) => e.type === "fusion-calibrated")).toMatchObject({ calibrated: false, modelCalls: 0 });
    expect((await readdir(scratch)).filter((name) => name.startsWith("codesearch-calibration-"))).toEqual([]);
    const session = await openSearchSession({ indexDir, cwd: repo, modelCacheDir: path.join(repo, "no-cache"), offline: true });
    expect(await session.search("convert a value", { mode: "lexical", limit: 3, filters: {} })).toHaveLength(3);
    await session.close();

    // Nothing changed, yet the next run calibrates, embedding only calibration's texts.
    const next = await indexInProcess(repo);
    expect(next.loads).toBe(1);
    expect(next.summary.chunksEmbedded).toBe(0);
    expect((await readManifest(indexDir))!.fusion!.calibrated).toBe(true);
  });

  it("with too few documented functions falls back to the uncalibrated weight, embeds nothing for it, and says so", async () => {
    const repo = await copyPythonFixtures();
    const { events, loads } = await indexInProcess(repo);
    const fusion = (await readManifest(path.join(repo, ".codesearch")))!.fusion!;
    expect(fusion.calibrated).toBe(false);
    expect(fusion.weights.vector).toBe(UNCALIBRATED_VECTOR_WEIGHT);
    expect(fusion.note).toMatch(/^not calibrated: \d+ documented functions, 30 needed/);
    expect(loads).toBe(1);
    expect(events.find((e) => e.type === "fusion-calibrated")).toMatchObject({ calibrated: false, modelCalls: 0 });
  });
});

describe("search with the index's fusion", () => {
  it("hybrid mode with vector weight 0 never loads the model; --vector-weight turns the vector side on", async () => {
    const repo = await copyPythonFixtures();
    await indexInProcess(repo);
    const loader = countingLoader();
    const session = await openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true, loadEmbedder: loader });
    try {
      expect(session.fusion.vector).toBe(0);
      const lexicalOnly = await session.search("cart total", { mode: "hybrid", limit: 5, filters: {} });
      expect(loader.loads).toBe(0);
      expect(lexicalOnly.length).toBeGreaterThan(0);
      expect(lexicalOnly.every((hit) => hit.ranks.vector === null)).toBe(true);

      const fused = await session.search("cart total", { mode: "hybrid", limit: 5, filters: {}, vectorWeight: 1 });
      expect(loader.loads).toBe(1);
      expect(fused.some((hit) => hit.ranks.vector !== null)).toBe(true);
    } finally {
      await session.close();
    }
  });
});
