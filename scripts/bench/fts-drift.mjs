#!/usr/bin/env node
// How far LanceDB's incremental full-text update drifts from a fresh index (issue 22, BENCHMARKS.md): one file's rows are deleted and added again unchanged, the indexes are brought up to date with optimize(), and BM25 scores of queries naming that file's entities are compared with the scores before (which a fresh build of the same rows gives).
//
//   node scripts/bench/fts-drift.mjs <index-dir> [file]
//
// <index-dir> is an existing codesearch index; it is copied to a temp folder first (removed at the
// end), so the index itself is not changed. [file] is a repository-relative path in it (default:
// the path of the table's first row). Needs `npm run build` first.
import * as lancedb from "@lancedb/lancedb";
import { MatchQuery } from "@lancedb/lancedb";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FULL_TEXT_INDEXES, quoteSqlString } from "../../dist/store/index.js";

const [indexDir, fileArg] = process.argv.slice(2);
if (!indexDir) {
  console.error("usage: node scripts/bench/fts-drift.mjs <index-dir> [file]");
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-fts-drift-"));
try {
  cpSync(path.join(indexDir, "entities.lance"), path.join(work, "entities.lance"), { recursive: true });
  const table = await (await lancedb.connect(work)).openTable("entities");
  const file = fileArg ?? (await table.query().select(["path"]).limit(1).toArray())[0].path;
  const names = (await table.query().where(`path = ${quoteSqlString(file)}`).select(["name"]).toArray()).map((r) => r.name);
  const columns = FULL_TEXT_INDEXES.map((i) => i.column).slice(0, 2);
  /** Score of each query's top hit that belongs to `file`, per column. */
  const scores = async () => {
    const out = [];
    for (const column of columns) {
      for (const name of names) {
        const hits = await table.query().fullTextSearch(new MatchQuery(name, column)).select(["path", "name", "_score"]).limit(10).toArray();
        const own = hits.find((h) => h.path === file && h.name === name);
        if (own) out.push({ column, name, score: own._score });
      }
    }
    return out;
  };
  const before = await scores();
  const rows = await table.query().where(`path = ${quoteSqlString(file)}`).toArrow();
  await table.delete(`path = ${quoteSqlString(file)}`);
  await table.add(rows);
  await table.optimize({ cleanupOlderThan: new Date(0) });
  const after = await scores();
  const changes = before.map((b) => {
    const a = after.find((x) => x.column === b.column && x.name === b.name);
    return a ? (a.score - b.score) / b.score : null;
  }).filter((c) => c !== null);
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(JSON.stringify({
    rows: await table.countRows(), file, queries: before.length,
    changed: changes.filter((c) => Math.abs(c) > 1e-5).length,
    largestChange: pct(changes.reduce((m, c) => (Math.abs(c) > Math.abs(m) ? c : m), 0)),
    medianChange: pct([...changes].sort((x, y) => x - y)[Math.floor(changes.length / 2)] ?? 0),
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
