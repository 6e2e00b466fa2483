import { readFile } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { StoreError, describeError } from "../model/errors.js";
import { storedReferencesSchema } from "./reference-record.js";

/** File name of the catalog inside an index folder. */
export const CATALOG_FILE = "catalog.json";

const failureSchema = z.object({
  stage: z.enum(["read", "parse", "embed", "store"]),
  message: z.string(),
  line: z.number().int().positive().optional(),
  qualifiedName: z.string().optional(),
});

const entrySchema = z.object({
  sizeBytes: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
  /** Hex SHA-256 of the file's bytes when indexed. */
  contentHash: z.string(),
  /** Content hashes (`Chunk.contentHash`) of the entities stored in the table for this file, in source order. */
  chunkHashes: z.array(z.string()),
  /** Problems recorded for this file in the run that indexed it (without causes). */
  failures: z.array(failureSchema),
  /**
   * Set when the file was read and skipped as binary (a NUL byte near the start): it has no rows,
   * and is recorded only so that, while its size and mtime stay the same, it is not read again
   * each run nor reported as new.
   */
  skipped: z.literal("binary").optional(),
  /**
   * The file's reference sites, imports and module-level assignments (reference-record.ts),
   * recorded with its rows so that they belong to the same committed version. Absent for a file
   * indexed before references were recorded: the next run reads it again (plan-index.ts).
   */
  references: storedReferencesSchema.optional(),
});

const tableFileSchema = z.object({ sizeBytes: z.number().int().nonnegative(), mtimeMs: z.number().nonnegative(), sha256: z.string() });

const commitIdSchema = z.object({
  /** The entity table's version (LanceDB `table.version()`). */
  version: z.number().int().positive(),
  /** The commit's random id, as the manifest records it (index-manifest.ts); absent in catalogs written before it was recorded. */
  generation: z.string().min(1).optional(),
});

const committedTableSchema = commitIdSchema.extend({
  /**
   * The commit the manifest named when this one was written (absent for a first commit): while a
   * run is between its catalog write and its manifest write (or was stopped there) the manifest
   * still names this one, which readers then keep reading.
   */
  previous: commitIdSchema.optional(),
  /** The table folder's files when that version was committed; absent for a remote index. */
  files: z.record(z.string(), tableFileSchema).optional(),
});

const catalogModelSchema = z.object({ modelId: z.string().min(1), maxTokens: z.number().int().positive() });

const catalogSchema = z.object({
  format: z.literal("codesearch-catalog"),
  version: z.literal(1),
  files: z.record(z.string(), entrySchema),
  /** Absent in catalogs written before table versions were recorded (their table is read at its latest version). */
  table: committedTableSchema.optional(),
  /** The local model and token limit the stored vectors came from, so `index --rebuild` can recover from a damaged manifest. */
  model: catalogModelSchema.optional(),
});

/** What the catalog records of the model that built the index (a copy of the manifest's fields). */
export type CatalogModel = z.infer<typeof catalogModelSchema>;

/**
 * The table version a catalog describes and the table folder's files at that moment
 * (see table-files.ts): what the next run checks the table against and restores to.
 */
export type CommittedTable = z.infer<typeof committedTableSchema>;

/** What the index knows of one file: its stat and hash when indexed, and what it contributed. */
export type CatalogEntry = z.infer<typeof entrySchema>;

/**
 * Repository-relative POSIX path → {@link CatalogEntry}, for every file whose rows are in the table
 * and every file skipped as binary (`skipped`, no rows).
 */
export type FileCatalog = Map<string, CatalogEntry>;

/**
 * Reads `catalog.json`. Absent → empty catalog (`new`); unreadable as a catalog → empty catalog
 * (`corrupt`), which makes the next run re-process every file (the embedding cache keeps that cheap).
 * @throws StoreError when the file exists but cannot be read (permissions, I/O).
 */
export async function readCatalog(
  indexDir: string,
): Promise<{ catalog: FileCatalog; state: "loaded" | "new" | "corrupt"; table?: CommittedTable; model?: CatalogModel }> {
  let raw: string;
  try {
    raw = await readFile(path.join(indexDir, CATALOG_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { catalog: new Map(), state: "new" };
    throw new StoreError(`cannot read the catalog in ${indexDir}: ${describeError(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { catalog: new Map(), state: "corrupt" };
  }
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) return { catalog: new Map(), state: "corrupt" };
  return {
    catalog: new Map(Object.entries(parsed.data.files)),
    state: "loaded",
    ...(parsed.data.table ? { table: parsed.data.table } : {}),
    ...(parsed.data.model ? { model: parsed.data.model } : {}),
  };
}

/**
 * Writes the catalog atomically (temp file + rename), paths sorted, with the table version it
 * describes and the model its vectors came from. Writing it is a writer's commit point: the next
 * run restores the table to `table.version`.
 * @throws StoreError when it cannot be written.
 */
export async function writeCatalog(indexDir: string, catalog: FileCatalog, table?: CommittedTable, model?: CatalogModel): Promise<void> {
  const files = Object.fromEntries([...catalog].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  try {
    const json = { format: "codesearch-catalog", version: 1, files, ...(table ? { table } : {}), ...(model ? { model } : {}) };
    await writeFileAtomic(path.join(indexDir, CATALOG_FILE), JSON.stringify(json));
  } catch (error) {
    throw new StoreError(`cannot write the catalog in ${indexDir}: ${describeError(error)}`, { cause: error });
  }
}

/** Number of files the catalog records as indexed (those not `skipped`). */
export function catalogIndexedFileCount(catalog: FileCatalog): number {
  let files = 0;
  for (const entry of catalog.values()) if (!entry.skipped) files++;
  return files;
}

/** Number of table rows the catalog accounts for (the sum of its files' `chunkHashes`). */
export function catalogRowCount(catalog: FileCatalog): number {
  let rows = 0;
  for (const entry of catalog.values()) rows += entry.chunkHashes.length;
  return rows;
}
