#!/usr/bin/env node
// How to keep the full-text indexes current after an incremental write (BENCHMARKS.md): LanceDB's
// optimize() against rebuilding every index, after the rows of two files were deleted and added.
//
//   node scripts/bench/fts-refresh.mjs <index-dir> [copies]
//
// <index-dir> is an existing codesearch index (e.g. one kept with KEEP_BENCH_DIR=1 by
// eval-cosqa.mjs); its search columns are copied `copies` times (default 1 and 8) into a scratch
// table in a temp folder, which is removed at the end. Needs `npm run build` first.
import * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FULL_TEXT_INDEXES, quoteSqlString } from "../../dist/store/index.js";

const [indexDir, copiesArg] = process.argv.slice(2);
if (!indexDir) {
  console.error("usage: node scripts/bench/fts-refresh.mjs <index-dir> [copies]");
  process.exit(2);
}
const COLUMNS = ["id", "path", ...FULL_TEXT_INDEXES.map((i) => i.column)];
const source = await (await lancedb.connect(indexDir)).openTable("entities");
const rows = await source.query().select(COLUMNS).toArray();
const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-fts-refresh-"));

async function timed(fn) {
  const startedAt = performance.now();
  await fn();
  return Math.round(performance.now() - startedAt);
}

async function measure(copies) {
  const db = await lancedb.connect(path.join(work, `x${copies}`));
  const data = [];
  for (let c = 0; c < copies; c++) for (const r of rows) data.push({ ...Object.fromEntries(COLUMNS.map((k) => [k, r[k]])), id: `${c}:${r.id}`, path: `${c}/${r.path}` });
  const table = await db.createTable("t", data);
  const rebuild = () => timed(async () => {
    for (const { column, options } of FULL_TEXT_INDEXES) await table.createIndex(column, { config: Index.fts(options), replace: true });
  });
  const changeTwoFiles = async () => {
    for (const file of [data[0].path, data[data.length - 1].path]) {
      const changed = await table.query().where(`path = ${quoteSqlString(file)}`).toArrow();
      await table.delete(`path = ${quoteSqlString(file)}`);
      await table.add(changed);
    }
  };
  const first = await rebuild();
  const optimize = [];
  const rebuilds = [];
  for (let round = 0; round < 3; round++) {
    await changeTwoFiles();
    optimize.push(await timed(() => table.optimize()));
    await changeTwoFiles();
    rebuilds.push(await rebuild());
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`| ${data.length} | ${first} | ${median(optimize)} | ${median(rebuilds)} |`);
}

try {
  console.log("| rows | first build ms | optimize() after 2 files changed, median ms | rebuild after 2 files changed, median ms |");
  console.log("|---:|---:|---:|---:|");
  for (const copies of copiesArg ? [Number(copiesArg)] : [1, 8]) await measure(copies);
} finally {
  rmSync(work, { recursive: true, force: true });
}
