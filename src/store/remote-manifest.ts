import { StoreError, describeError } from "../model/errors.js";
import { openDatabase } from "./entity-table.js";

/**
 * Name of the one-row LanceDB table that holds the manifest of an index in object storage or
 * LanceDB Cloud, where there is no folder for `manifest.json`.
 */
export const MANIFEST_TABLE = "manifest";

/**
 * The manifest JSON text stored at remote `location`, or null when it has none (the table is
 * absent from the listing).
 * @throws StoreError when the store cannot be reached or the table is unreadable.
 */
export async function readRemoteManifestText(location: string): Promise<string | null> {
  const db = await openDatabase(location);
  try {
    let table;
    try {
      table = await db.openTable(MANIFEST_TABLE);
    } catch (error) {
      // Opening also fails when the store is down: only a listing that lacks the table means "no index".
      const names = await db.tableNames().catch(() => null);
      if (names && !names.includes(MANIFEST_TABLE)) return null;
      throw error;
    }
    const [row] = (await table.query().select(["json"]).limit(1).toArray()) as { json?: unknown }[];
    if (typeof row?.json !== "string") throw new Error(`the ${MANIFEST_TABLE} table holds no manifest row`);
    return row.json;
  } catch (error) {
    throw new StoreError(`cannot read the manifest of ${location}: ${describeError(error)}`, { cause: error });
  } finally {
    db.close();
  }
}

/**
 * Replaces the manifest stored at remote `location` with `text`, in one write (LanceDB overwrite).
 * @throws StoreError when it cannot be written.
 */
export async function writeRemoteManifestText(location: string, text: string): Promise<void> {
  const db = await openDatabase(location);
  try {
    await db.createTable(MANIFEST_TABLE, [{ json: text }], { mode: "overwrite" });
  } catch (error) {
    throw new StoreError(`cannot write the manifest of ${location}: ${describeError(error)}`, { cause: error });
  } finally {
    db.close();
  }
}
