#!/usr/bin/env node
// @ts-check
// Whether building the three full-text indexes concurrently beats building them one after another
// (issue 22, BENCHMARKS.md): on a copy of an index's entity table, rounds alternate a sequential
// rebuild of every index of FULL_TEXT_INDEXES with a concurrent one; prints the median wall and CPU
// ms of each, each round's concurrent ÷ sequential wall ratio, and one sequential round's time per
// column. The copy is removed afterwards.
//   npm run build && node scripts/bench/fts-concurrency.mjs <index folder, e.g. <repo>/.codesearch> [--rounds 8]
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { median, round } from "./stats.mjs";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const indexDir = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds");
const roundsAt = args.indexOf("--rounds");
const rounds = Number(roundsAt >= 0 ? args[roundsAt + 1] : 8);
if (!indexDir) {
  console.error("usage: node scripts/bench/fts-concurrency.mjs <index folder> [--rounds 8]");
  process.exit(2);
}
const { FULL_TEXT_INDEXES } = await import("../../dist/store/search-columns.js");
const { ENTITY_TABLE } = await import("../../dist/store/table-snapshot.js");
const copy = mkdtempSync(path.join(os.tmpdir(), "fts-concurrency-"));
try {
  cpSync(path.join(indexDir, `${ENTITY_TABLE}.lance`), path.join(copy, `${ENTITY_TABLE}.lance`), { recursive: true });
  const db = await lancedb.connect(copy);
  const table = await db.openTable(ENTITY_TABLE);
  const build = (/** @type {{ column: string; options: object }} */ { column, options }) => table.createIndex(column, { config: Index.fts(options), replace: true });
  /** @param {() => Promise<unknown>} work */
  const timed = async (work) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await work();
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  /** @type {Record<string, number>} */
  const perColumn = {};
  for (const index of FULL_TEXT_INDEXES) perColumn[index.column] = round((await timed(() => build(index))).wallMs, 0);
  const sequential = [];
  const concurrent = [];
  for (let r = 0; r < rounds; r++) {
    sequential.push(
      await timed(async () => {
        for (const index of FULL_TEXT_INDEXES) await build(index);
      }),
    );
    concurrent.push(await timed(() => Promise.all(FULL_TEXT_INDEXES.map(build))));
  }
  const med = (/** @type {{ wallMs: number; cpuMs: number }[]} */ runs, /** @type {"wallMs" | "cpuMs"} */ key) => round(median(runs.map((r) => r[key])), 0);
  console.log(
    JSON.stringify({
      rows: await table.countRows(),
      rounds,
      load: round(os.loadavg()[0], 2),
      perColumnSequentialMs: perColumn,
      sequential: { wallMs: med(sequential, "wallMs"), cpuMs: med(sequential, "cpuMs") },
      concurrent: { wallMs: med(concurrent, "wallMs"), cpuMs: med(concurrent, "cpuMs") },
      concurrentOverSequential: concurrent.map((c, i) => round(c.wallMs / sequential[i].wallMs, 2)),
    }),
  );
  table.close();
} finally {
  rmSync(copy, { recursive: true, force: true });
}
