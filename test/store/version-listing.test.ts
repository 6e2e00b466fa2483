// LanceDB lists a table's versions by listing `_versions/` and then reading each manifest; a
// writer's cleanup that removes an old version in between fails that listing although nothing is
// damaged (seen 2 times in 3,051 answers of the rebuild-readers stress trial). The reader lists
// again; a listing that keeps failing is reported.
process.env.LANCEDB_LOG = "error";

import * as lancedb from "@lancedb/lancedb";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import { versionTimestampMs } from "../../src/store/table-snapshot.js";
import { makeTempDir } from "../support/temp-dirs.js";

/** `table` whose listVersions fails its first `failures` calls as a concurrent cleanup makes it fail. */
function racingCleanup(table: lancedb.Table, failures: number): lancedb.Table {
  let calls = 0;
  return new Proxy(table, {
    get(target, key, receiver) {
      if (key !== "listVersions") return Reflect.get(target, key, receiver) as unknown;
      return async () => {
        if (++calls <= failures) throw new Error("lance error: Not found: entities.lance/_versions/18446744073709551598.manifest");
        return target.listVersions();
      };
    },
  });
}

describe("versionTimestampMs", () => {
  it("lists again when a concurrent cleanup removed a manifest mid-listing, and reports a listing that keeps failing", async () => {
    const db = await lancedb.connect(await makeTempDir());
    const table = await db.createTable("entities", [{ id: "a", n: 1 }]);
    await table.add([{ id: "b", n: 2 }]);
    const version = await table.version();
    const expected = (await table.listVersions()).find((v) => v.version === version)!.timestamp.getTime();
    expect(await versionTimestampMs(racingCleanup(table, 1), version)).toBe(expected);
    expect(await versionTimestampMs(racingCleanup(table, 2), version)).toBe(expected);
    await expect(versionTimestampMs(racingCleanup(table, 3), version)).rejects.toBeInstanceOf(StoreError);
    table.close();
    db.close();
  });
});
