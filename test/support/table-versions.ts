// The versions an index's entity table lists (LanceDB), for tests of version retention.
import * as lancedb from "@lancedb/lancedb";
import { ENTITY_TABLE } from "../../src/store/entity-table.js";

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
