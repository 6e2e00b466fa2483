// In-process query latency of one index, run as its own process by search-latency.mjs so its peak
// RSS is the search's alone. Query vectors come pre-embedded; prints one JSON object on stdout.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { distModule } from "./bench-config.mjs";
import { median, percentile, recallAtK, round } from "./stats.mjs";

const USAGE = `usage: node scripts/bench/search-probe.mjs --db <index dir> --queries <file.json> [--passes N] [--limit K]
<file.json>: {"queries": [string...], "vectors": [[number...]...]} (the vectors L2-normalised, of the index's dimension).
Times openDatabase once, then searchEntities (vector; through the IVF_FLAT index when the table has one) per query,
exact search with the index bypassed (and recall@K of searchEntities against it), and — when the build has
rankEntities — the default hybrid ranking with the pre-embedded vector; 5 warm-up queries first. Prints JSON (ms, kB).`;

/** p50, p95, mean and max of a list of ms. */
function latency(samples) {
  return {
    samples: samples.length,
    p50: round(median(samples), 3),
    p95: round(percentile(samples, 95), 3),
    mean: round(samples.reduce((a, b) => a + b, 0) / samples.length, 3),
    max: round(Math.max(...samples), 3),
  };
}

async function main() {
  const { values } = parseArgs({ options: { db: { type: "string" }, queries: { type: "string" }, passes: { type: "string" }, limit: { type: "string" }, help: { type: "boolean" } } });
  if (values.help || !values.db || !values.queries) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const passes = Math.max(1, Number(values.passes ?? 1));
  const limit = Math.max(1, Number(values.limit ?? 10));
  const { queries, vectors: raw } = JSON.parse(readFileSync(values.queries, "utf8"));
  const vectors = raw.map((v) => Float32Array.from(v));
  const store = await distModule("store/index.js");
  const pipeline = await distModule("pipeline/index.js");

  const openStartedAt = performance.now();
  const db = await store.openDatabase(values.db);
  const openMs = performance.now() - openStartedAt;
  const rowCount = await store.countEntities(db);

  /** Latency of `fn(i)` over the queries `indices` (default all), after 5 warm-up calls; each call must return hits. */
  const time = async (fn, indices = queries.map((_, i) => i)) => {
    for (const i of indices.slice(0, 5)) await fn(i); // warm-up: table open, file cache
    const samples = [];
    for (let pass = 0; pass < passes; pass++) {
      for (const i of indices) {
        const startedAt = performance.now();
        const hits = await fn(i);
        samples.push(performance.now() - startedAt);
        if (hits.length === 0) throw new Error(`no hits for query ${i}`);
      }
    }
    return latency(samples);
  };

  const vector = await time((i) => store.searchEntities(db, vectors[i], limit));
  // Exact search (the vector index bypassed) as the reference: its latency, and recall@limit of searchEntities against it.
  const table = await db.openTable(store.ENTITY_TABLE);
  const vectorIndex = (await table.listIndices()).find((i) => i.columns.includes("vector"))?.name ?? null;
  const exactIds = [];
  const exact = await time(async (i) => {
    const rows = await table.vectorSearch(vectors[i]).distanceType("cosine").bypassVectorIndex().select([...store.ENTITY_ROW_COLUMNS, "_distance"]).limit(limit).toArray();
    exactIds[i] = rows.map((r) => r.id);
    return rows;
  });
  const foundIds = [];
  for (let i = 0; i < queries.length; i++) foundIds.push((await store.searchEntities(db, vectors[i], limit)).map((h) => h.chunk.id));
  const recallAtLimit = round(recallAtK(foundIds, exactIds, limit), 4);
  const rank = await distModule("rank/index.js");
  // Queries with at least one word for BM25 (a query of stop words alone has no lexical hits).
  const lexicalQueries = queries.map((q, i) => [i, rank.lexicalQuery(q)]).filter(([, words]) => words !== "").map(([i]) => i);
  let hybrid = null;
  let lexical = null;
  // The depth rankEntities asks each side for (CANDIDATE_DEPTH, 50).
  const depth = Math.max(pipeline.CANDIDATE_DEPTH ?? 50, limit * 2);
  if (typeof pipeline.rankEntities === "function") {
    const source = { db, embedQuery: async (q) => vectors[queries.indexOf(q)], indexedPaths: async () => [] };
    // Hybrid with both sides (plain RRF, vector weight 1): the costlier case; a calibrated weight of 0 skips the vector side.
    const weights = rank.fusionWeights?.(1);
    // The ranking stage with the built-in configuration (a model's ranker.json changes weights, not cost).
    hybrid = await time((i) => pipeline.rankEntities(source, queries[i], { limit, mode: "hybrid", filters: {} }, weights, rank.DEFAULT_RANKER));
    lexical = await time((i) => pipeline.rankEntities(source, queries[i], { limit, mode: "lexical", filters: {} }, weights, rank.DEFAULT_RANKER), lexicalQueries);
  }
  // Where the lexical side's time goes: each BM25 column alone, and the three as searchEntitiesByText combines them.
  const lexicalColumns = {};
  const lancedb = await import("@lancedb/lancedb");
  const withWords = lexicalQueries.map((i) => [i, rank.lexicalQuery(queries[i])]);
  const columns = { head: store.SEARCH_HEAD_COLUMN, body: store.SEARCH_BODY_COLUMN, nameGrams: store.SEARCH_NAME_GRAMS_COLUMN };
  for (const [label, column] of Object.entries(columns)) {
    const samples = [];
    for (const [, words] of withWords) {
      const startedAt = performance.now();
      await table.query().fullTextSearch(new lancedb.MatchQuery(words, column)).select([...store.ENTITY_ROW_COLUMNS, "_score"]).limit(depth).toArray();
      samples.push(performance.now() - startedAt);
    }
    lexicalColumns[label] = latency(samples);
  }
  lexicalColumns.combined = await time((i) => store.searchEntitiesByText(db, queries[i], depth), lexicalQueries);
  table.close();
  db.close();
  process.stdout.write(
    `${JSON.stringify({
      unit: { latency: "ms per query, query embedding excluded", maxRssKb: "kB" },
      rowCount,
      queries: queries.length,
      passes,
      limit,
      openDatabaseMs: round(openMs, 2),
      vectorIndex,
      vectorSearchEntities: vector,
      exactVectorSearch: exact,
      recallAtLimit,
      hybridRankEntities: hybrid,
      lexicalRankEntities: lexical,
      lexicalColumnsAtDepth: { depth, ...lexicalColumns },
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
}

await main();
