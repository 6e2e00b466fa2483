// The versions an index's entity table lists (LanceDB), and commits that make one go, for tests
// of version retention.
import * as lancedb from "@lancedb/lancedb";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ENTITY_TABLE } from "../../src/store/entity-table.js";
import { indexInProcess } from "./index-in-process.js";

/** The version numbers the entity table of the index in `indexDir` lists now. */
export async function listedVersions(indexDir: string): Promise<number[]> {
  const db = await lancedb.connect(indexDir);
  const table = await db.openTable(ENTITY_TABLE);
  try {
    return (await table.listVersions()).map((v) => v.version);
  } finally {
    table.close();
    db.close();
  }
}

/**
 * Commits one-module edits to the synthetic repository in `repo` (edit i replaces
 * `pkg/mod_<i % 4>.py` by `edited_<i>`), each indexed in process, until its index no longer lists
 * `version`.
 * @returns the number of commits made.
 * @throws Error when `version` is still listed after `maxCommits` commits.
 */
export async function commitUntilRemoved(repo: string, version: number, maxCommits: number): Promise<number> {
  const indexDir = path.join(repo, ".codesearch");
  let commits = 0;
  while ((await listedVersions(indexDir)).includes(version)) {
    if (++commits > maxCommits) throw new Error(`version ${version} still listed after ${maxCommits} commits`);
    await writeFile(path.join(repo, "pkg", `mod_${commits % 4}.py`), `def edited_${commits}(x):\n    """Edit ${commits}."""\n    return x * ${commits}\n`);
    await indexInProcess(repo);
  }
  return commits;
}
