// Where the lexical side's time goes on a large table: each full-text column alone and combined as
// rankEntities combines them, p50 / p90 ms over queries built from the source index's entities,
// and how often the full top 50 lies inside the union of the head+body and trigram top 50s (the
// condition for querying them apart without changing the ranking). Reads only; prints JSON.
//
//   node scripts/bench/lexical-columns.mjs --db <table folder> --source <index folder> [--queries 40]
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { BooleanQuery, MatchQuery, Occur, connect } from "@lancedb/lancedb";
import { distModule } from "./bench-config.mjs";
import { buildQueries } from "./search-queries.mjs";
import { percentile, round } from "./stats.mjs";
import { readEmbeddedRows } from "./synthetic-table.mjs";

const { values } = parseArgs({ options: { db: { type: "string" }, source: { type: "string" }, queries: { type: "string", default: "40" } } });
if (!values.db || !values.source) {
  process.stderr.write("usage: node scripts/bench/lexical-columns.mjs --db <table folder> --source <index folder> [--queries 40]\n");
  process.exit(2);
}
const { lexicalQuery, queryTrigrams } = await distModule("rank/index.js");
const { ENTITY_TABLE, SEARCH_HEAD_COLUMN, SEARCH_BODY_COLUMN, SEARCH_NAME_GRAMS_COLUMN, NAME_GRAMS_BOOST } = await distModule("store/index.js");
const db = await connect(values.db);
const table = await db.openTable(ENTITY_TABLE);
const queries = buildQueries(await readEmbeddedRows(values.source), Number(values.queries)).map(lexicalQuery).filter(Boolean);
const DEPTH = 50;
/** @typedef {[Occur, MatchQuery]} Clause a BooleanQuery clause */
/** @returns {Clause} */
const head = (q) => [Occur.Should, new MatchQuery(q, SEARCH_HEAD_COLUMN)];
/** @returns {Clause} */
const body = (q) => [Occur.Should, new MatchQuery(q, SEARCH_BODY_COLUMN)];
// The name column holds trigram tokens (schema version 4); the query's distinct trigrams, as searchEntitiesByText sends them.
const trigrams = queryTrigrams;
/** @returns {Clause} */
const grams = (q) => [Occur.Should, new MatchQuery(trigrams(q), SEARCH_NAME_GRAMS_COLUMN, { boost: NAME_GRAMS_BOOST })];
const search = (query) => table.query().fullTextSearch(query).select(["id", "_score"]).limit(DEPTH).toArray();
const variants = {
  "head + body + grams (as rankEntities)": (q) => search(new BooleanQuery([head(q), body(q), grams(q)])),
  "head + body": (q) => search(new BooleanQuery([head(q), body(q)])),
  "grams in a BooleanQuery": (q) => search(new BooleanQuery([grams(q)])),
  "grams as a bare MatchQuery": (q) => search(new MatchQuery(trigrams(q), SEARCH_NAME_GRAMS_COLUMN)),
  head: (q) => search(new BooleanQuery([head(q)])),
  body: (q) => search(new BooleanQuery([body(q)])),
};
for (const q of queries.slice(0, 5)) await variants["head + body + grams (as rankEntities)"](q);
const timings = {};
for (const [name, run] of Object.entries(variants)) {
  const ms = [];
  for (const q of queries) {
    const startedAt = performance.now();
    await run(q);
    ms.push(performance.now() - startedAt);
  }
  timings[name] = { p50: round(percentile(ms, 50), 1), p90: round(percentile(ms, 90), 1) };
}
let covered = 0;
for (const q of queries) {
  const union = new Set([...(await variants["head + body"](q)), ...(await variants["grams in a BooleanQuery"](q))].map((r) => r.id));
  if ((await variants["head + body + grams (as rankEntities)"](q)).every((r) => union.has(r.id))) covered++;
}
process.stdout.write(`${JSON.stringify({ rows: await table.countRows(), queries: queries.length, depth: DEPTH, timings, fullTopInsideUnion: covered }, null, 2)}\n`);
