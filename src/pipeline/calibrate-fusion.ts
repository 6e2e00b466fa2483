/**
 * Per-index calibration of hybrid mode's fusion weights, CodeSearchNet-style, on the repository's
 * own documented functions; it owns the temporary table it measures on and nothing else.
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import type * as lancedb from "@lancedb/lancedb";
import pLimit from "p-limit";
import type { Embedder } from "../embed/index.js";
import { DEFAULT_MAX_CHUNK_CHARS, prepareChunks, stripDocstring } from "../extract/index.js";
import type { SearchRequest } from "../model/search.js";
import type { EmbeddedChunk } from "../model/types.js";
import {
  CALIBRATION_METHOD,
  DEFAULT_RANKER,
  MAX_CALIBRATION_QUERIES,
  MIN_CALIBRATION_QUERIES,
  UNCALIBRATED_VECTOR_WEIGHT,
  VECTOR_WEIGHT_GRID,
  chooseVectorWeight,
  docstringQuery,
  fusionWeights,
  type RankerConfig,
} from "../rank/index.js";
import {
  applyEntityChanges,
  countEntities,
  listDocumentedEntities,
  listEntityIds,
  loadResidentEntities,
  makeScratchFolder,
  openDatabase,
  openEntityTable,
  readEmbeddedEntities,
  refreshSearchIndexes,
  type ManifestFusion,
} from "../store/index.js";
import { gatherCandidates, rankCandidates, rankCandidatesAtWeights } from "./rank-entities.js";

/**
 * Stored entities, besides the answers themselves, that the answers are ranked among: enough that
 * a top-10 rank means something, few enough that the temporary table and its BM25 indexes build
 * in about a second.
 */
export const CALIBRATION_DISTRACTORS = 1000;

/** Calibration queries in flight at once against the temporary table (LanceDB answers them on its own threads). */
const QUERY_CONCURRENCY = 4;

/** Texts per model call while embedding the queries and answers. */
const EMBED_BATCH = 16;

/** Salt of the hash that orders entities for sampling: a fixed seed, so a run is reproducible. */
const SAMPLE_SEED = "codesearch-fusion-calibration-1";

/**
 * Calibrates hybrid mode's vector weight on the index in `db`, CodeSearchNet-style (Husain et al.,
 * 2019): up to {@link MAX_CALIBRATION_QUERIES} documented functions and methods (not test code)
 * are sampled by a seeded hash of their ids; each one's docstring summary (`docstringQuery`) is a
 * query, and its answer is the same entity with the docstring cut out of its code
 * (`stripDocstring`) — so neither the lexical nor the vector side can match the query against
 * itself. The answers, re-embedded without their docstrings, are ranked among
 * {@link CALIBRATION_DISTRACTORS} other stored entities (stored vectors, which is sound: a
 * distractor's stored text is what search would meet) in a temporary LanceDB table with the same
 * BM25 indexes, by exactly the search code (`gatherCandidates`, `rankCandidates` with the model's
 * `ranker`). Each vector weight of {@link VECTOR_WEIGHT_GRID} is scored by MRR@10 and
 * `chooseVectorWeight` picks one.
 *
 * Cost: 2 × queries texts embedded (short queries and code), one small table written and indexed
 * in a scratch folder of the index's state folder `stateDir` (removed afterwards, or by the next
 * run's `sweepScratch` after a kill), 3 store queries per query.
 * With fewer than {@link MIN_CALIBRATION_QUERIES} usable docstrings nothing is embedded and the
 * vector weight is the model's measured prior (`ranker.priorVectorWeight`; 0, that is
 * {@link UNCALIBRATED_VECTOR_WEIGHT}, for a model without a ranker file), with a note saying so.
 * @param embed loads the index's model (called only when calibration runs); disposed here.
 * @param stateDir the index's local state folder, which holds the scratch folder.
 * @param signal stops calibration between model calls and between queries (the run was
 *   interrupted); the temporary table is removed all the same.
 * @throws StoreError; Error from the model; `signal.reason` (an `AbortError` DOMException) once `signal` aborts.
 */
export async function calibrateFusion(db: lancedb.Connection, embed: () => Promise<Embedder>, stateDir: string, signal?: AbortSignal, ranker: RankerConfig = DEFAULT_RANKER): Promise<ManifestFusion> {
  const startedAt = Date.now();
  const documented = (await listDocumentedEntities(db))
    .map((entity) => ({ id: entity.id, query: docstringQuery(entity.docstring) }))
    .filter((entity): entity is { id: string; query: string } => entity.query !== null);
  const rows = await countEntities(db);
  if (documented.length < MIN_CALIBRATION_QUERIES) {
    return uncalibrated(`not calibrated: ${documented.length} documented functions, ${MIN_CALIBRATION_QUERIES} needed; ${priorNote(ranker)}`, ranker.priorVectorWeight);
  }
  const queryOf = new Map(documented.map((entity) => [entity.id, entity.query]));
  const sampled = bySeededHash(documented.map((entity) => entity.id)).slice(0, Math.ceil(MAX_CALIBRATION_QUERIES * 1.5));
  const answers: EmbeddedChunk[] = [];
  for (const stored of await readEmbeddedEntities(db, sampled)) {
    const stripped = await stripDocstring(stored);
    // An answer needs some code left once its docstring is gone.
    if (stripped.docstring !== null || stripped.source.split("\n").filter((line) => line.trim() !== "").length < 2) continue;
    const [chunk] = prepareChunks([stripped], { maxChars: DEFAULT_MAX_CHUNK_CHARS });
    answers.push({ ...chunk!, id: stored.id, vector: stored.vector });
  }
  const order = new Map(sampled.map((id, i) => [id, i]));
  answers.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  answers.splice(MAX_CALIBRATION_QUERIES);
  if (answers.length < MIN_CALIBRATION_QUERIES) {
    return uncalibrated(`not calibrated: ${answers.length} documented functions with code besides the docstring, ${MIN_CALIBRATION_QUERIES} needed; ${priorNote(ranker)}`, ranker.priorVectorWeight);
  }
  const answerIds = new Set(answers.map((answer) => answer.id));
  const distractors = await readEmbeddedEntities(db, bySeededHash((await listEntityIds(db)).filter((id) => !answerIds.has(id))).slice(0, CALIBRATION_DISTRACTORS));

  signal?.throwIfAborted();
  const embedder = await embed();
  const queries = answers.map((answer) => queryOf.get(answer.id)!);
  let queryVectors: Float32Array[];
  try {
    queryVectors = await embedAll(embedder, queries, signal);
    const answerVectors = await embedAll(embedder, answers.map((answer) => answer.text), signal);
    answers.forEach((answer, i) => (answer.vector = answerVectors[i]!));
  } finally {
    await embedder.dispose();
  }

  const folder = await makeScratchFolder(stateDir, "calibration");
  let scratch: lancedb.Connection | undefined;
  let table: lancedb.Table | undefined;
  try {
    scratch = await openDatabase(folder);
    await applyEntityChanges(scratch, { deletePaths: [], add: [...answers, ...distractors] }, answers[0]!.vector.length);
    await refreshSearchIndexes(scratch);
    // One table handle for every query, and its rows in memory: the vector side scans them as a
    // long-lived search session does, which ranks exactly as LanceDB's exact search.
    table = await openEntityTable(scratch);
    const resident = await loadResidentEntities(table);
    const request: SearchRequest = { mode: "hybrid", limit: 10, filters: {} };
    const rr = (ids: string[], answerId: string) => {
      const rank = ids.indexOf(answerId);
      return rank === -1 ? 0 : 1 / (rank + 1);
    };
    const limit = pLimit(QUERY_CONCURRENCY);
    const scratchTable = table;
    // allSettled: the scratch table is closed only once no query is still reading it (an abort rejects the queued ones at once).
    const settled = await Promise.allSettled(
      queries.map((query, q) =>
        limit(async () => {
          signal?.throwIfAborted();
          const source = { db: scratchTable, embedQuery: () => Promise.resolve(queryVectors[q]!), indexedPaths: () => Promise.resolve([]) };
          const candidates = (await gatherCandidates(source, query, request, true, resident))!;
          const answerId = answers[q]!.id;
          return {
            fused: rankCandidatesAtWeights(candidates, query, request, VECTOR_WEIGHT_GRID, ranker).map((ranked) => rr(ranked.map((hit) => hit.chunk.id), answerId)),
            vectorOnly: rr(rankCandidates(candidates, query, { ...request, mode: "vector" }, fusionWeights(1), ranker).map((hit) => hit.chunk.id), answerId),
          };
        }),
      ),
    );
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw signal?.aborted ? signal.reason : failed.reason;
    const perQuery = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ fused: number[]; vectorOnly: number }>).value);
    const reciprocalRanks = VECTOR_WEIGHT_GRID.map((_, w) => perQuery.map((scores) => scores.fused[w]!));
    const vectorOnly = perQuery.map((scores) => scores.vectorOnly);
    const choice = chooseVectorWeight(reciprocalRanks);
    const mrrOf = (weight: number) => choice.scores.find((s) => s.vectorWeight === weight)!.mrrAt10;
    const vectorOnlyMrr = vectorOnly.reduce((s, v) => s + v, 0) / vectorOnly.length;
    return {
      weights: fusionWeights(choice.vectorWeight),
      calibrated: true,
      note:
        `calibrated on ${queries.length} docstring queries: MRR@10 lexical ${mrrOf(0).toFixed(3)}, vector ${vectorOnlyMrr.toFixed(3)}, ` +
        `fused at the chosen weight ${choice.vectorWeight} ${mrrOf(choice.vectorWeight).toFixed(3)} (best ${choice.bestVectorWeight}: ${mrrOf(choice.bestVectorWeight).toFixed(3)})`,
      rowsChangedSince: 0,
      calibration: {
        method: CALIBRATION_METHOD,
        calibratedAt: new Date().toISOString(),
        queries: queries.length,
        distractors: distractors.length,
        modelCalls: queries.length + answers.length,
        durationMs: Date.now() - startedAt,
        rowsAtCalibration: rows,
        scores: choice.scores.map((s) => ({ vectorWeight: s.vectorWeight, mrrAt10: round(s.mrrAt10), standardErrorToBest: round(s.standardErrorToBest) })),
        vectorOnlyMrrAt10: round(vectorOnlyMrr),
        bestVectorWeight: choice.bestVectorWeight,
        standardErrorMargin: round(choice.standardErrorMargin),
      },
    };
  } finally {
    table?.close();
    scratch?.close();
    await rm(folder, { recursive: true, force: true });
  }
}

/** The fusion recorded when calibration cannot run: `vectorWeight` (default {@link UNCALIBRATED_VECTOR_WEIGHT}) and why. */
export function uncalibrated(note: string, vectorWeight: number = UNCALIBRATED_VECTOR_WEIGHT): ManifestFusion {
  return { weights: fusionWeights(vectorWeight), calibrated: false, note, rowsChangedSince: 0, calibration: null };
}

/** What an uncalibrated index searches with, in words, for the note. */
function priorNote(ranker: RankerConfig): string {
  return ranker.priorVectorWeight > 0
    ? `vector weight ${ranker.priorVectorWeight}, the model's prior measured on the dev sets (its ranker.json)`
    : "lexical search plus exact names (set --vector-weight to use the model)";
}

/** `ids` ordered by SHA-256 of seed + id: a seeded shuffle that keeps an entity's place when others come and go. */
function bySeededHash(ids: readonly string[]): string[] {
  const key = (id: string) => createHash("sha256").update(SAMPLE_SEED).update(id).digest("hex");
  return ids.map((id) => ({ id, key: key(id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((entry) => entry.id);
}

/** Embeds `texts` in batches of {@link EMBED_BATCH}, checking one vector per text; stops between batches once `signal` aborts. */
async function embedAll(embedder: Embedder, texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    signal?.throwIfAborted();
    const batch = texts.slice(i, i + EMBED_BATCH);
    const out = await embedder.embed(batch);
    if (out.length !== batch.length) throw new Error(`the model returned ${out.length} vectors for ${batch.length} texts`);
    vectors.push(...out);
  }
  return vectors;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
