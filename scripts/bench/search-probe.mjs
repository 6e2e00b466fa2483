// In-process query latency of one index, run as its own process by search-latency.mjs so its peak
// RSS is the search's alone. Query vectors come pre-embedded; prints one JSON object on stdout.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { distModule } from "./bench-config.mjs";
import { median, percentile, round } from "./stats.mjs";

const USAGE = `usage: node scripts/bench/search-probe.mjs --db <index dir> --queries <file.json> [--passes N] [--limit K]
<file.json>: {"queries": [string...], "vectors": [[number...]...]} (the vectors L2-normalised, of the index's dimension).
Times openDatabase once, then searchEntities (vector, exact cosine) per query, and — when the build has
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

  const time = async (fn) => {
    for (let i = 0; i < Math.min(5, queries.length); i++) await fn(i); // warm-up: table open, file cache
    const samples = [];
    for (let pass = 0; pass < passes; pass++) {
      for (let i = 0; i < queries.length; i++) {
        const startedAt = performance.now();
        const hits = await fn(i);
        samples.push(performance.now() - startedAt);
        if (hits.length === 0) throw new Error(`no hits for query ${i}`);
      }
    }
    return latency(samples);
  };

  const vector = await time((i) => store.searchEntities(db, vectors[i], limit));
  let hybrid = null;
  if (typeof pipeline.rankEntities === "function") {
    const source = { db, embedQuery: async (q) => vectors[queries.indexOf(q)], indexedPaths: async () => [] };
    hybrid = await time((i) => pipeline.rankEntities(source, queries[i], { limit, mode: "hybrid", filters: {} }));
  }
  db.close();
  process.stdout.write(
    `${JSON.stringify({
      unit: { latency: "ms per query, query embedding excluded", maxRssKb: "kB" },
      rowCount,
      queries: queries.length,
      passes,
      limit,
      openDatabaseMs: round(openMs, 2),
      vectorSearchEntities: vector,
      hybridRankEntities: hybrid,
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
}

await main();
