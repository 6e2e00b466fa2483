// Reads a whole index back (every row with its vector) in a stable order, so an incrementally
// updated index can be compared with a from-scratch index of the same tree.
import * as lancedb from "@lancedb/lancedb";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ENTITY_TABLE } from "../../src/store/entity-table.js";

/** One row as compared: identity, lines, text hash and the vector's values. */
export interface SnapshotRow {
  id: string;
  path: string;
  qualifiedName: string;
  startLine: number;
  endLine: number;
  contentHash: string;
  vector: number[];
}

/** Every row of the index in `indexDir`, sorted by id. */
export async function snapshotIndex(indexDir: string): Promise<SnapshotRow[]> {
  const db = await lancedb.connect(indexDir);
  const table = await db.openTable(ENTITY_TABLE);
  const rows = (await table.query().toArray()) as Record<string, unknown>[];
  table.close();
  db.close();
  return rows
    .map((r) => ({
      id: r.id as string,
      path: r.path as string,
      qualifiedName: r.qualified_name as string,
      startLine: Number(r.start_line),
      endLine: Number(r.end_line),
      contentHash: r.content_hash as string,
      vector: Array.from(r.vector as ArrayLike<number>),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Writes a synthetic repository of `files` modules with `functionsPerFile` distinct functions each
 * (module `pkg/mod_<i>.py`, functions `f_<i>_<j>`), for runs long enough to interrupt.
 */
export async function writeSyntheticRepo(root: string, files: number, functionsPerFile: number): Promise<void> {
  await mkdir(path.join(root, "pkg"), { recursive: true });
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: functionsPerFile }, (_, j) =>
      [`def f_${i}_${j}(value_${j}, limit=${j + 1}):`, `    """Scale value ${j} of module ${i} and clamp it to the limit."""`, `    return min(value_${j} * ${i + 1}, limit)`, ""].join("\n"),
    ).join("\n");
    await writeFile(path.join(root, "pkg", `mod_${i}.py`), `"""Module ${i}."""\n\n${body}`);
  }
}

/**
 * Indexes `repoRoot` from scratch into a new temp folder with the committed test model (in this
 * process) and returns its snapshot.
 */
export async function snapshotFromScratch(repoRoot: string): Promise<SnapshotRow[]> {
  const { indexInProcess } = await import("./index-in-process.js");
  const { makeTempDir } = await import("./temp-dirs.js");
  const fresh = await makeTempDir("codesearch-fresh-");
  await indexInProcess(repoRoot, { indexDir: fresh });
  return snapshotIndex(fresh);
}
