// (5, vector index) Why IVF_FLAT above 20k rows: exact search against an IVF_FLAT index at growing
// table sizes, and IVF_FLAT against IVF_HNSW_SQ and IVF_PQ at the largest, on the synthetic table
// of search-latency (real CodeBERT-shaped rows replicated with renamed identifiers). Each variant
// reports its build time (ms), query p50 / p95 (ms, query embedding excluded, 10 hits with the
// columns the CLI reads) and recall@10 against exact search. Writes vector-index-choice.json.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import * as lancedb from "@lancedb/lancedb";
import { distModule, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { ensureBenchIndex } from "./cold-index.mjs";
import { loadCorpusChunks } from "./corpus-entities.mjs";
import { embedQueries } from "./search-latency.mjs";
import { buildQueries } from "./search-queries.mjs";
import { median, percentile, recallAtK, round } from "./stats.mjs";
import { readEmbeddedRows, writeSyntheticTable } from "./synthetic-table.mjs";

const { Index } = lancedb;
const K = 10;

/** Index variants compared at the largest size: [label, index config, query settings…]. */
/** @returns {Array<[string, import("@lancedb/lancedb").Index, object[]]>} label, index config, query settings */
function variants(rows) {
  const partitions = Math.round(Math.sqrt(rows));
  return [
    ["IVF_FLAT", Index.ivfFlat({ distanceType: "cosine", numPartitions: partitions }), [{ nprobes: 10 }, { nprobes: 20 }]],
    ["IVF_HNSW_SQ", Index.hnswSq({ distanceType: "cosine" }), [{ ef: 100 }, { ef: 100, refineFactor: 2 }]],
    ["IVF_HNSW_SQ 16 partitions", Index.hnswSq({ distanceType: "cosine", numPartitions: 16 }), [{ nprobes: 4, ef: 100 }, { nprobes: 4, ef: 100, refineFactor: 2 }]],
    ["IVF_PQ", Index.ivfPq({ distanceType: "cosine", numPartitions: partitions }), [{ nprobes: 20 }, { nprobes: 20, refineFactor: 10 }]],
  ];
}

/** p50/p95 latency and the hit ids of one query setting over every query (5 warm-up queries first). */
async function timeQueries(table, vectors, columns, settings) {
  const run = (vector) => {
    const query = table.vectorSearch(vector).distanceType("cosine");
    if (settings === "exact") query.bypassVectorIndex();
    else {
      if (settings.nprobes) query.nprobes(settings.nprobes);
      if (settings.ef) query.ef(settings.ef);
      if (settings.refineFactor) query.refineFactor(settings.refineFactor);
    }
    return query.select(columns).limit(K).toArray();
  };
  for (let i = 0; i < Math.min(5, vectors.length); i++) await run(vectors[i]);
  const ms = [];
  const ids = [];
  for (const vector of vectors) {
    const startedAt = performance.now();
    const rows = await run(vector);
    ms.push(performance.now() - startedAt);
    ids.push(rows.map((r) => r.id));
  }
  return { p50: round(median(ms), 2), p95: round(percentile(ms, 95), 2), ids };
}

async function dropVectorIndexes(table) {
  for (const index of await table.listIndices()) if (index.columns.includes("vector")) await table.dropIndex(index.name);
}

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/vector-index-choice.mjs [--quick]\nExact search vs an IVF_FLAT index at table sizes up to 100k rows (2k with --quick), and IVF_FLAT vs IVF_HNSW_SQ vs IVF_PQ at the largest: build ms, query p50/p95 ms, recall@10 against exact search.",
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("vector-index", line);
  const store = await distModule("store/index.js");
  const columns = [...store.ENTITY_ROW_COLUMNS, "_distance"];
  const indexDir = await ensureBenchIndex(plan, args.resultsDir, log);
  const { chunks } = await loadCorpusChunks(plan.corpusRoot);
  const queries = buildQueries(chunks, plan.queryCount);
  const vectors = (await embedQueries(queries)).vectors.map((v) => Float32Array.from(v));
  log(`${queries.length} queries embedded; writing a synthetic table of ${plan.syntheticRows} rows…`);
  const synthetic = await writeSyntheticTable(await readEmbeddedRows(indexDir), plan.syntheticRows);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-vector-index-"));
  try {
    const source = await (await lancedb.connect(synthetic.dir)).openTable(store.ENTITY_TABLE);
    const db = await lancedb.connect(scratch);
    const sizes = [...new Set([5_000, 10_000, 20_000, 35_000, 50_000, plan.syntheticRows].filter((n) => n <= plan.syntheticRows))];
    const bySize = [];
    let largest = null;
    for (const rows of sizes) {
      const table = await db.createTable(`t${rows}`, await source.query().limit(rows).toArrow());
      await dropVectorIndexes(table);
      const exact = await timeQueries(table, vectors, columns, "exact");
      const startedAt = performance.now();
      await table.createIndex("vector", { config: Index.ivfFlat({ distanceType: "cosine", numPartitions: Math.round(Math.sqrt(rows)) }) });
      const buildMs = round(performance.now() - startedAt, 0);
      const ivf = await timeQueries(table, vectors, columns, { nprobes: 20 });
      const row = { rows, exactP50: exact.p50, exactP95: exact.p95, ivfFlatBuildMs: buildMs, ivfFlatP50: ivf.p50, ivfFlatP95: ivf.p95, ivfFlatRecallAt10: round(recallAtK(ivf.ids, exact.ids, K), 4) };
      bySize.push(row);
      log(`${rows} rows: exact p50 ${row.exactP50} ms; IVF_FLAT (nprobes 20) p50 ${row.ivfFlatP50} ms, recall@10 ${row.ivfFlatRecallAt10}, built in ${buildMs} ms`);
      if (rows === plan.syntheticRows) largest = { table, exact };
      else table.close();
    }
    const compared = [];
    for (const [label, config, settingsList] of variants(plan.syntheticRows)) {
      await dropVectorIndexes(largest.table);
      const startedAt = performance.now();
      await largest.table.createIndex("vector", { config });
      const buildMs = round(performance.now() - startedAt, 0);
      for (const settings of settingsList) {
        const result = await timeQueries(largest.table, vectors, columns, settings);
        const row = { index: label, settings, buildMs, p50: result.p50, p95: result.p95, recallAt10: round(recallAtK(result.ids, largest.exact.ids, K), 4) };
        compared.push(row);
        log(`${plan.syntheticRows} rows, ${label} ${JSON.stringify(settings)}: p50 ${row.p50} ms, recall@10 ${row.recallAt10}, built in ${buildMs} ms`);
      }
    }
    const file = writeResult(args.resultsDir, "vector-index-choice", plan, {
      unit: { latency: "ms per query (10 hits, query embedding excluded)", buildMs: "ms" },
      queries: queries.length,
      bySize,
      atLargest: { rows: plan.syntheticRows, exactP50: largest.exact.p50, exactP95: largest.exact.p95, compared },
    });
    log(`→ ${file}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(synthetic.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
