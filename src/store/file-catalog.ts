import { readFile } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { StoreError, describeError } from "../model/errors.js";
import {
  REFERENCES_IN_SIDECAR,
  readReferencesFile,
  referencesFileSchema,
  removeOtherReferencesFiles,
  writeReferencesFile,
  type ReferencesFile,
} from "./catalog-references.js";
import { storedReferencesSchema, type StoredReferences } from "./reference-record.js";

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
   * recorded with its rows so that they belong to the same committed version: `true` when the
   * catalog's references file holds them (catalog-references.ts), the record itself in catalogs
   * written before that file existed. Absent for a file indexed before references were recorded:
   * the next run reads it again (plan-index.ts).
   */
  references: z.union([z.literal(true), storedReferencesSchema]).optional(),
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
  /** The references file holding the entries' references; absent when none has any, and in catalogs written before it existed. */
  references: referencesFileSchema.optional(),
});

/** What the catalog records of the model that built the index (a copy of the manifest's fields). */
export type CatalogModel = z.infer<typeof catalogModelSchema>;

/**
 * The table version a catalog describes and the table folder's files at that moment
 * (see table-files.ts): what the next run checks the table against and restores to.
 */
export type CommittedTable = z.infer<typeof committedTableSchema>;

/**
 * What the index knows of one file: its stat and hash when indexed, and what it contributed. In
 * memory `references` is the stored record, or `REFERENCES_IN_SIDECAR` when the catalog was read
 * without its references file (see {@link readCatalog}).
 */
export type CatalogEntry = Omit<z.infer<typeof entrySchema>, "references"> & { references?: StoredReferences };

/**
 * Repository-relative POSIX path → {@link CatalogEntry}, for every file whose rows are in the table
 * and every file skipped as binary (`skipped`, no rows).
 */
export type FileCatalog = Map<string, CatalogEntry>;

/** What {@link readCatalog} returns. */
export interface CatalogRead {
  catalog: FileCatalog;
  state: "loaded" | "new" | "corrupt";
  table?: CommittedTable;
  model?: CatalogModel;
  /** The references file the catalog names (see catalog-references.ts). */
  referencesFile?: ReferencesFile;
}

/**
 * Reads `catalog.json`, without its references file: an entry whose references that file holds
 * gets `REFERENCES_IN_SIDECAR` (recorded, not read; {@link withCatalogReferences} reads them).
 * Absent → empty catalog (`new`); unreadable as a catalog → empty catalog (`corrupt`), which makes
 * the next run re-process every file (the embedding cache keeps that cheap).
 * @throws StoreError when the file exists but cannot be read (permissions, I/O).
 */
export async function readCatalog(indexDir: string): Promise<CatalogRead> {
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
  const catalog: FileCatalog = new Map();
  for (const [file, entry] of Object.entries(parsed.data.files)) {
    const { references, ...rest } = entry;
    catalog.set(file, references === undefined ? rest : { ...rest, references: references === true ? REFERENCES_IN_SIDECAR : references });
  }
  return {
    catalog,
    state: "loaded",
    ...(parsed.data.table ? { table: parsed.data.table } : {}),
    ...(parsed.data.model ? { model: parsed.data.model } : {}),
    ...(parsed.data.references ? { referencesFile: parsed.data.references } : {}),
  };
}

/**
 * `read` with every entry's references read from the references file it names (checked: present,
 * its SHA-256, its shape); the structural tools' read. An entry the file lacks keeps none.
 * @throws StoreError naming the problem when the file is missing or damaged (`codesearch index
 *   --repair` writes it anew), or cannot be read.
 */
export async function withCatalogReferences(indexDir: string, read: CatalogRead): Promise<CatalogRead> {
  const pending = [...read.catalog.values()].some((entry) => entry.references === REFERENCES_IN_SIDECAR);
  if (!pending) return read;
  const stored = read.referencesFile ? await readReferencesFile(indexDir, read.referencesFile) : { problem: "the catalog names no references file" };
  if (!(stored instanceof Map)) throw new StoreError(`${stored.problem}; run \`codesearch index --repair\` to record the references again`);
  const catalog: FileCatalog = new Map();
  for (const [file, entry] of read.catalog) {
    if (entry.references !== REFERENCES_IN_SIDECAR) catalog.set(file, entry);
    else {
      const { references: _stand, ...rest } = entry;
      const references = stored.get(file);
      catalog.set(file, references ? { ...rest, references } : rest);
    }
  }
  return { ...read, catalog };
}

/**
 * Problems of the references file the catalog in `indexDir` names (for `verify`): missing, altered
 * since written, or not a references file; none when the catalog names none or holds no entry
 * recorded in it. @throws StoreError when files exist but cannot be read.
 */
export async function catalogReferencesProblems(indexDir: string, read: CatalogRead): Promise<string[]> {
  const pending = [...read.catalog.values()].some((entry) => entry.references === REFERENCES_IN_SIDECAR);
  if (!pending) return [];
  if (!read.referencesFile) return ["the catalog names no references file, yet its entries say it holds their references"];
  const stored = await readReferencesFile(indexDir, read.referencesFile);
  return stored instanceof Map ? [] : [stored.problem];
}

/**
 * Writes the catalog atomically (temp file + rename), paths sorted, with the table version it
 * describes and the model its vectors came from. Writing it is a writer's commit point: the next
 * run restores the table to `table.version`. The entries' references go first to a references file
 * of their own (catalog-references.ts), which the catalog names with its SHA-256; references still
 * `REFERENCES_IN_SIDECAR` (read without the file) are carried over from the file the catalog on
 * disk names (an entry whose references cannot be carried over is written without, so the next run
 * reads that file again). Afterwards the references files named by neither this catalog nor the
 * one it replaces are removed.
 * @throws StoreError when it cannot be written.
 */
export async function writeCatalog(indexDir: string, catalog: FileCatalog, table?: CommittedTable, model?: CatalogModel): Promise<void> {
  const previous = await readCatalog(indexDir).catch(() => null);
  let carried: Map<string, StoredReferences> | null = null;
  const references: Record<string, StoredReferences> = {};
  const files: Record<string, unknown> = {};
  for (const [file, entry] of [...catalog].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { references: own, ...rest } = entry;
    let stored = own;
    if (own === REFERENCES_IN_SIDECAR) {
      carried ??= await carriedReferences(indexDir, previous?.referencesFile);
      stored = carried.get(file);
    }
    if (stored) references[file] = stored;
    files[file] = stored ? { ...rest, references: true } : rest;
  }
  const referencesFile = Object.keys(references).length > 0 ? await writeReferencesFile(indexDir, references) : undefined;
  try {
    const json = { format: "codesearch-catalog", version: 1, files, ...(table ? { table } : {}), ...(model ? { model } : {}), ...(referencesFile ? { references: referencesFile } : {}) };
    await writeFileAtomic(path.join(indexDir, CATALOG_FILE), JSON.stringify(json));
  } catch (error) {
    throw new StoreError(`cannot write the catalog in ${indexDir}: ${describeError(error)}`, { cause: error });
  }
  await removeOtherReferencesFiles(indexDir, new Set([referencesFile?.file, previous?.referencesFile?.file].filter((name): name is string => name !== undefined)));
}

/** The references the file `record` names holds, or none when it is missing or damaged (their files are read again next run). */
async function carriedReferences(indexDir: string, record: ReferencesFile | undefined): Promise<Map<string, StoredReferences>> {
  if (!record) return new Map();
  const stored = await readReferencesFile(indexDir, record);
  return stored instanceof Map ? stored : new Map();
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
