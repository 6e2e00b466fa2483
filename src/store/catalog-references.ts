// The catalog's references sidecar: each file's reference sites live apart from catalog.json (they
// were 80 % of its bytes), so a search, `status` or an index run reads the catalog without them.
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { StoreError, describeError } from "../model/errors.js";
import { storedReferencesSchema, type StoredReferences } from "./reference-record.js";

/**
 * What catalog.json records of its sidecar: the file name (`references-<first 16 hex of its
 * SHA-256>.json`, in the catalog's folder) and the whole SHA-256 of its bytes.
 */
export const referencesFileSchema = z.object({ file: z.string().regex(/^references-[0-9a-f]{16}\.json$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** See {@link referencesFileSchema}. */
export type ReferencesFile = z.infer<typeof referencesFileSchema>;

const sidecarSchema = z.object({
  format: z.literal("codesearch-references"),
  version: z.literal(1),
  files: z.record(z.string(), storedReferencesSchema),
});

/**
 * The stand-in a catalog read without its sidecar puts in each entry whose references the sidecar
 * holds: it says "recorded" (the planner does not parse the file again for them) and holds none.
 * Only `withCatalogReferences` turns it into the stored references; `writeCatalog` carries them over.
 */
export const REFERENCES_IN_SIDECAR: StoredReferences = Object.freeze({ sites: [], imports: [], assignments: [] }) as unknown as StoredReferences;

/**
 * Writes `files` (path → stored references) as the sidecar, atomically (temp file + rename), under
 * its content-addressed name. Written before the catalog that names it, so a committed catalog
 * never names a sidecar that is not complete on disk.
 * @returns what the catalog records of it.
 * @throws StoreError when it cannot be written.
 */
export async function writeReferencesFile(stateDir: string, files: Record<string, StoredReferences>): Promise<ReferencesFile> {
  const bytes = JSON.stringify({ format: "codesearch-references", version: 1, files });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const file = `references-${sha256.slice(0, 16)}.json`;
  try {
    await writeFileAtomic(path.join(stateDir, file), bytes);
  } catch (error) {
    throw new StoreError(`cannot write the references file in ${stateDir}: ${describeError(error)}`, { cause: error });
  }
  return { file, sha256 };
}

/**
 * Reads the sidecar `record` names and checks it: present, the recorded SHA-256, the expected shape.
 * @returns path → stored references, or a problem in words (missing, altered, unreadable).
 * @throws StoreError when it exists but cannot be read (permissions, I/O).
 */
export async function readReferencesFile(stateDir: string, record: ReferencesFile): Promise<Map<string, StoredReferences> | { problem: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(stateDir, record.file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { problem: `the references file ${record.file} is missing` };
    throw new StoreError(`cannot read ${path.join(stateDir, record.file)}: ${describeError(error)}`, { cause: error });
  }
  if (createHash("sha256").update(bytes).digest("hex") !== record.sha256) return { problem: `the references file ${record.file} changed after it was written` };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { problem: `the references file ${record.file} is not JSON` };
  }
  const parsed = sidecarSchema.safeParse(json);
  if (!parsed.success) return { problem: `the references file ${record.file} is not a references file` };
  return new Map(Object.entries(parsed.data.files));
}

/**
 * Removes the sidecars in `stateDir` other than those named in `keep` (the one the catalog now
 * names, and the one it named before, which a reader of the previous commit may still open).
 * Best effort: a file that cannot be removed is left for the next commit.
 */
export async function removeOtherReferencesFiles(stateDir: string, keep: ReadonlySet<string>): Promise<void> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  for (const name of names) {
    if (/^references-[0-9a-f]{16}\.json$/.test(name) && !keep.has(name)) await rm(path.join(stateDir, name), { force: true }).catch(() => undefined);
  }
}
