// Seeded fault injection against a real index (issue 11): kill -9 during index runs, truncated
// files, garbage bytes and a full disk (ENOSPC on a small tmpfs). After each fault every query must
// answer exactly as a from-scratch index of a committed tree does, or fail loudly (throw): never a
// silent wrong answer. The next `index` must then leave the index exact.
process.env.LANCEDB_LOG = "error";

import { execFileSync } from "node:child_process";
import { mkdir, open, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { resolveModelSource, type Embedder } from "../../src/embed/index.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import type { SearchMode } from "../../src/model/search.js";
import type { IndexRepoOptions } from "../../src/pipeline/index-repo.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { indexInProcess } from "../support/index-in-process.js";
import { snapshotIndex, type SnapshotRow } from "../support/index-snapshot.js";
import { mountTmpfs, mountUnavailable } from "../support/mounts.js";
import { spawnCli } from "../support/run-cli.js";
import { type ScoredId, sameRanking } from "../support/same-ranking.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const SEED = 20261130;
/** Trials per fault kind (kills spawn a process each, so there are fewer of them). */
const TRIALS: Record<"truncate" | "garbage" | "enospc" | "kill", number> = { truncate: 68, garbage: 68, enospc: 40, kill: 24 };
type FaultKind = keyof typeof TRIALS;
type Tree = "A" | "B";

const QUERIES: [string, SearchMode][] = [
  ["scale value 3 of module 5", "lexical"],
  ["clamp it to the limit", "hybrid"],
  ["f_4_2", "hybrid"],
  ["scale a value and clamp", "vector"],
];

/** Two trees the trials switch between: B edits, adds and deletes modules of A. */
function treeFiles(state: "A" | "B"): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < 10; i++) {
    if (state === "B" && i === 7) continue;
    const body = Array.from({ length: 6 }, (_, j) => {
      const doc = state === "B" && i % 3 === 0 ? `Scale value ${j} of module ${i}, then clamp it (edited).` : `Scale value ${j} of module ${i} and clamp it to the limit.`;
      // Mostly comments, not docstrings: under 30 documented functions, no run calibrates hybrid fusion (model calls the trials do not need).
      const line = j === 0 ? `    """${doc}"""` : `    # ${doc}`;
      return [`def f_${i}_${j}(value_${j}, limit=${j + 1}):`, line, `    return min(value_${j} * ${i + 1}, limit)`, ""].join("\n");
    }).join("\n");
    files.set(`pkg/mod_${i}.py`, `"""Module ${i}."""\n\n${body}`);
  }
  if (state === "B") files.set("pkg/extra.py", `def clamp_all(values, limit):\n    """Clamp every value to the limit."""\n    return [min(v, limit) for v in values]\n`);
  return files;
}

/** Makes `repo` hold exactly the tree of `state` (files rewritten: new mtimes, as an editor leaves them). */
async function writeTree(repo: string, state: "A" | "B"): Promise<void> {
  await rm(path.join(repo, "pkg"), { recursive: true, force: true });
  await mkdir(path.join(repo, "pkg"), { recursive: true });
  for (const [file, text] of treeFiles(state)) await writeFile(path.join(repo, file), text);
}

/** One embedder for every run and session of the test (loading the model takes seconds). */
let shared: Embedder | undefined;
const sharedLoader: EmbedderLoader = async () => {
  shared ??= await loadTransformersEmbedder({ source: resolveModelSource(TEST_MODEL_DIR, process.cwd()), cacheDir: "/nonexistent", offline: true, maxTokens: 512 });
  const model = shared;
  return {
    modelId: model.modelId,
    dimension: model.dimension,
    maxTokens: model.maxTokens,
    embed: (texts) => model.embed(texts),
    ...(model.tokenCounts ? { tokenCounts: (texts: readonly string[]) => model.tokenCounts!(texts) } : {}),
    ...(model.preferredBatchSize !== undefined ? { preferredBatchSize: model.preferredBatchSize } : {}),
    dispose: async () => {},
  };
};
afterAll(async () => shared?.dispose());

type Answers = ScoredId[][];

/**
 * The request of one query. Hybrid queries fix the vector weight: the calibrated weight depends on
 * when an index last calibrated (by design it is kept until a fifth of the rows changed), the
 * table's contents must not.
 */
const requestOf = (mode: SearchMode) => ({ limit: 8, mode, filters: {}, ...(mode === "hybrid" ? { vectorWeight: 1 } : {}) });

async function answersOf(repo: string, indexDir: string): Promise<Answers> {
  const session = await openSearchSession({ cwd: repo, indexDir, modelCacheDir: "/nonexistent", offline: true, loadEmbedder: sharedLoader });
  try {
    const out: Answers = [];
    for (const [query, mode] of QUERIES) out.push((await session.search(query, requestOf(mode))).map((h) => ({ id: h.chunk.id, score: h.score })));
    return out;
  } finally {
    await session.close();
  }
}

/**
 * Each query's outcome after a fault: which committed tree it matched ("AB" when both trees give
 * that query the same ranking, so it tells them apart not), or that it failed loudly.
 */
type QueryOutcome = "A" | "B" | "AB" | "loud" | "WRONG";

async function queryAfterFault(repo: string, indexDir: string, expected: Record<"A" | "B", Answers>): Promise<QueryOutcome[]> {
  let session: Awaited<ReturnType<typeof openSearchSession>>;
  try {
    session = await openSearchSession({ cwd: repo, indexDir, modelCacheDir: "/nonexistent", offline: true, loadEmbedder: sharedLoader });
  } catch {
    return QUERIES.map(() => "loud");
  }
  const outcomes: QueryOutcome[] = [];
  try {
    for (const [q, [query, mode]] of QUERIES.entries()) {
      try {
        const hits = (await session.search(query, requestOf(mode))).map((h) => ({ id: h.chunk.id, score: h.score }));
        const [a, b] = [sameRanking(hits, expected.A[q]!), sameRanking(hits, expected.B[q]!)];
        outcomes.push(a && b ? "AB" : a ? "A" : b ? "B" : "WRONG");
      } catch {
        outcomes.push("loud");
      }
    }
  } finally {
    await session.close().catch(() => undefined);
  }
  return outcomes;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

const freeBytes = (dir: string): number => Number(execFileSync("df", ["-B1", "--output=avail", dir], { encoding: "utf8" }).trim().split("\n").at(-1));

const noTmpfs = await mountUnavailable();
// Without a tmpfs to fill, the ENOSPC trials become truncate and garbage trials, so there are still 200.
if (noTmpfs) {
  TRIALS.truncate += Math.ceil(TRIALS.enospc / 2);
  TRIALS.garbage += Math.floor(TRIALS.enospc / 2);
  TRIALS.enospc = 0;
}

describe("fault injection against a real index", () => {
  it(`${Object.values(TRIALS).reduce((a, b) => a + b)} seeded trials of kill / truncate / garbage / ENOSPC: exact or loud, then exact${noTmpfs ? ` (no ENOSPC trials: ${noTmpfs})` : ""}`, { timeout: 600_000 }, async () => {
    const random = seededRandom(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const repo = path.join(await makeTempDir(), "repo");
    const base = await makeTempDir("codesearch-faults-");
    const indexDir = path.join(base, "index");
    // The index lives on a tmpfs when one can be mounted, so ENOSPC trials can fill it.
    if (!noTmpfs) {
      await mkdir(indexDir);
      mountTmpfs(indexDir, "256m");
    }
    const run = (overrides: Partial<IndexRepoOptions> = {}) => indexInProcess(repo, { indexDir, loadEmbedder: sharedLoader, ...overrides });

    try {
      // From-scratch answers and rows of both trees.
      const expected = {} as Record<"A" | "B", Answers>;
      const rows = {} as Record<"A" | "B", SnapshotRow[]>;
      for (const state of ["B", "A"] as const) {
        await writeTree(repo, state);
        const fresh = await makeTempDir("codesearch-fresh-");
        await indexInProcess(repo, { indexDir: fresh, loadEmbedder: sharedLoader });
        expected[state] = await answersOf(repo, fresh);
        rows[state] = await snapshotIndex(fresh);
      }
      expect(expected.A).not.toEqual(expected.B);
      await run();
      let committed: "A" | "B" = "A";

      const kinds = (Object.keys(TRIALS) as FaultKind[]).flatMap((kind) => Array.from({ length: TRIALS[kind] }, () => kind));
      for (let i = kinds.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
      }
      const tally: Record<string, Record<string, number>> = {};
      const count = (kind: string, outcome: string) => ((tally[kind] ??= {})[outcome] = (tally[kind]![outcome] ?? 0) + 1);
      const wrong: string[] = [];

      for (const [trial, kind] of kinds.entries()) {
        // Runs that a kill or a full disk interrupts switch trees, so they have rows to write.
        const target: Tree = kind === "kill" || kind === "enospc" ? (committed === "A" ? "B" : "A") : random() < 0.5 ? "A" : "B";
        let detail = "";
        let mayHaveCommitted: ("A" | "B")[] = [committed];

        if (kind === "truncate" || kind === "garbage") {
          const files = await filesUnder(indexDir);
          const file = pick(files);
          const size = (await stat(file)).size;
          if (kind === "truncate") {
            const length = Math.floor(random() * size);
            await truncate(file, length);
            detail = `${path.relative(indexDir, file)} cut to ${length} of ${size}`;
          } else {
            const length = Math.max(1, Math.min(size, 1 + Math.floor(random() * 65_536)));
            const offset = Math.floor(random() * Math.max(1, size - length + 1));
            const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
            const handle = await open(file, "r+");
            await handle.write(bytes, 0, length, offset);
            await handle.close();
            detail = `${length} bytes at ${offset} of ${path.relative(indexDir, file)} (${size})`;
          }
        } else if (kind === "enospc") {
          await writeTree(repo, target);
          mayHaveCommitted = [committed, target];
          const filler = path.join(indexDir, "filler");
          const leave = Math.floor(random() * 600 * 1024);
          await writeFile(filler, Buffer.alloc(Math.max(0, freeBytes(indexDir) - leave)));
          const outcome = await run({ repair: random() < 0.3 }).then(
            () => "completed",
            (error: unknown) => `failed: ${(error as Error).message.slice(0, 80)}`,
          );
          detail = `${leave} bytes left: ${outcome}`;
          count(kind, outcome === "completed" ? "run completed" : "run failed loudly");
          // Queries run while the disk is still full; the space is freed before the next run.
          const outcomes = await queryAfterFault(repo, indexDir, expected);
          await rm(filler);
          for (const o of outcomes) count(kind, `query ${o === "loud" ? "loud" : o === "WRONG" ? "WRONG" : "exact"}`);
          if (outcomes.includes("WRONG") || outcomes.some((o) => o !== "loud" && o !== "AB" && !mayHaveCommitted.includes(o as Tree))) wrong.push(`trial ${trial} ${kind} ${detail}: ${outcomes.join(",")}`);
        } else {
          await writeTree(repo, target);
          mayHaveCommitted = [committed, target];
          const victim = spawnCli(["index", repo, "--db", indexDir, "--model", TEST_MODEL_DIR, "--offline", "--json", "--batch-size", "4"], { cwd: repo });
          const events = ["cache-checked", "model-loaded", "chunk-embedded", "cache-saved", "store-started", "store-finished"];
          const at = trial % 2 === 0 ? pick(events) : null;
          const seen = victim.waitForLine((line) => (JSON.parse(line) as { type: string }).type === at).catch(() => "exited");
          await (at ? seen : sleep(150 + random() * 1200));
          victim.child.kill("SIGKILL");
          const exited = await victim.exited;
          detail = exited.signal === "SIGKILL" ? `killed ${at ? `at ${at}` : "at a random time"}` : `finished (${exited.code})`;
          count(kind, exited.signal === "SIGKILL" ? "killed" : "finished before the kill");
        }

        if (kind !== "enospc") {
          const outcomes = await queryAfterFault(repo, indexDir, expected);
          for (const o of outcomes) count(kind, `query ${o === "loud" ? "loud" : o === "WRONG" ? "WRONG" : "exact"}`);
          if (outcomes.includes("WRONG") || outcomes.some((o) => o !== "loud" && o !== "AB" && !mayHaveCommitted.includes(o as Tree))) wrong.push(`trial ${trial} ${kind} ${detail}: ${outcomes.join(",")}`);
        }

        // The next index run (with --rebuild only where the damage says so: a damaged manifest).
        await writeTree(repo, target);
        const next = await run().catch(async (error: unknown) => {
          if (!(error as Error).message.includes("codesearch index --rebuild")) throw new Error(`trial ${trial} ${kind} ${detail}: next index failed: ${(error as Error).message}`);
          count(kind, "next index needed --rebuild");
          return run({ rebuild: true, model: undefined });
        });
        expect(next.summary.chunksStored).toBe(rows[target].length);
        const after = await snapshotIndex(indexDir);
        if (JSON.stringify(after) !== JSON.stringify(rows[target])) wrong.push(`trial ${trial} ${kind} ${detail}: the next index is not exact`);
        const answers = await answersOf(repo, indexDir);
        if (!answers.every((a, q) => sameRanking(a, expected[target][q]!))) wrong.push(`trial ${trial} ${kind} ${detail}: answers after the next index are not exact`);
        committed = target;
        count(kind, "trials");
      }

      console.log(`fault injection (seed ${SEED}):\n${JSON.stringify(tally, null, 1)}\n${wrong.join("\n")}`);
      expect(wrong).toEqual([]);
      const trials = Object.values(tally).reduce((n, t) => n + (t.trials ?? 0), 0);
      expect(trials).toBeGreaterThanOrEqual(200);
      // The faults must have bitten: some queries failed loudly, some runs were killed mid-way, some ran out of space.
      expect(Object.values(tally).reduce((n, t) => n + (t["query loud"] ?? 0), 0)).toBeGreaterThan(0);
      expect(tally.kill?.killed ?? 0).toBeGreaterThan(TRIALS.kill / 4);
      if (!noTmpfs) expect(tally.enospc?.["run failed loudly"] ?? 0).toBeGreaterThan(TRIALS.enospc / 4);
    } finally {
      // Lazily: LanceDB may still hold a handle on a file of the index until its objects are collected.
      if (!noTmpfs) execFileSync("umount", ["-l", indexDir]);
    }
  });
});
