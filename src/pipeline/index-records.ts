/**
 * What an index records about itself, read the way an index run needs it: the manifest (absent
 * when a rebuild may ignore it), what is wrong with it, and the model the catalog names.
 */
import { existsSync } from "node:fs";
import { IndexDamagedError, IndexMismatchError } from "../model/errors.js";
import { indexPathsOf, isRemoteLocation, readCatalog, readManifest, readManifestRecord, type CatalogModel, type ManifestRecord } from "../store/index.js";

/**
 * The index's manifest; with `rebuild`, a manifest of another schema version counts as absent, so
 * the index is rebuilt instead of refused.
 */
export async function readUsableManifest(indexDir: string, rebuild: boolean): Promise<ManifestRecord | null> {
  try {
    return await readManifestRecord(indexDir);
  } catch (error) {
    if (rebuild && (error instanceof IndexMismatchError || error instanceof IndexDamagedError)) return null;
    throw error;
  }
}

/** What is wrong with the manifest (`damaged: …`), or null when it reads (or is of another schema version, or absent). */
export async function manifestProblem(indexDir: string): Promise<string | null> {
  return readManifest(indexDir).then(
    () => null,
    (error: unknown) => (error instanceof IndexDamagedError ? "the manifest is damaged" : null),
  );
}

/** The model the catalog records (a local model's id and token limit), for a rebuild whose manifest is damaged. */
export async function readCatalogModel(indexDir: string, cacheDir: string | undefined): Promise<CatalogModel | undefined> {
  if (!isRemoteLocation(indexDir) && !existsSync(indexDir)) return undefined;
  return (await readCatalog(indexPathsOf(indexDir, cacheDir).stateDir).catch(() => null))?.model;
}
