#!/usr/bin/env node
// What LanceDB's optimize() costs after a one-file write (issue 19 item 15, issue 22, BENCHMARKS.md): one file's rows are deleted and added again, three times, each followed by optimize() (compaction, version cleanup, index update), timed, with the fragments it rewrote and the data bytes it wrote; and the same writes followed by a rebuild of the three full-text indexes instead.
//
//   node scripts/bench/compaction-cost.mjs <index-dir>
//
// <index-dir> is an existing codesearch index; its table is copied to a temp folder (removed at
// the end), so the index itself is not changed. Needs `npm run build` first.
import * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FULL_TEXT_INDEXES, quoteSqlString } from "../../dist/store/index.js";

const [indexDir] = process.argv.slice(2);
if (!indexDir) {
  console.error("usage: node scripts/bench/compaction-cost.mjs <index-dir>");
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-compaction-"));
const dataBytes = (dir) => readdirSync(path.join(dir, "entities.lance", "data")).reduce((n, f) => n + statSync(path.join(dir, "entities.lance", "data", f)).size, 0);

async function rounds(step) {
  const dir = path.join(work, step);
  cpSync(path.join(indexDir, "entities.lance"), path.join(dir, "entities.lance"), { recursive: true });
  const table = await (await lancedb.connect(dir)).openTable("entities");
  const paths = [...new Set((await table.query().select(["path"]).limit(50).toArray()).map((r) => r.path))].slice(0, 3);
  const out = [];
  for (const file of paths) {
    const rows = await table.query().where(`path = ${quoteSqlString(file)}`).toArrow();
    await table.delete(`path = ${quoteSqlString(file)}`);
    await table.add(rows);
    const bytesBefore = dataBytes(dir);
    const startedAt = performance.now();
    let fragmentsRewritten = 0;
    if (step === "optimize") fragmentsRewritten = (await table.optimize({ cleanupOlderThan: new Date(0) })).compaction.fragmentsRemoved;
    else for (const { column, options } of FULL_TEXT_INDEXES) await table.createIndex(column, { config: Index.fts(options), replace: true });
    out.push({ ms: Math.round(performance.now() - startedAt), fragmentsRewritten, dataBytesWritten: Math.max(0, dataBytes(dir) - bytesBefore) });
  }
  return { rows: await table.countRows(), rounds: out };
}

try {
  console.log(JSON.stringify({ optimize: await rounds("optimize"), fullTextRebuild: await rounds("rebuild"), loadAverage: os.loadavg()[0] }, null, 1));
} finally {
  rmSync(work, { recursive: true, force: true });
}
