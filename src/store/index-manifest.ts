import { readFile } from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { IndexDamagedError, IndexMismatchError, IndexNotFoundError, StoreError, describeError } from "../model/errors.js";
import { isRemoteLocation } from "./index-location.js";
import { MANIFEST_TABLE, readRemoteManifestText, writeRemoteManifestText } from "./remote-manifest.js";
import { supersededCommitSchema } from "./version-retention.js";

/** File name of the manifest inside an index folder. */
export const MANIFEST_FILE = "manifest.json";

/**
 * Version of the table layout and manifest; bumped when an older index can no longer be read.
 * 5: entity rows carry a `language` column (src/lang/ ids).
 */
export const SCHEMA_VERSION = 5;

const lastRunSchema = z.object({
  /** ISO-8601 times. */
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
  filesIndexed: z.number().int().nonnegative(),
  entitiesStored: z.number().int().nonnegative(),
  failureCount: z.number().int().nonnegative(),
  /** Why the run stopped early (`interrupted`, `max-items`), or null when it completed. */
  stopReason: z.enum(["interrupted", "max-items"]).nullable(),
  /** Entities left to embed by the next run. */
  chunksPending: z.number().int().nonnegative(),
});

const fusionSchema = z.object({
  /** Hybrid mode's RRF weights (rank/fusion-weights.ts). */
  weights: z.object({ vector: z.number().nonnegative(), lexical: z.number().nonnegative(), name: z.number().nonnegative(), k: z.number().nonnegative() }),
  /** Whether calibration chose the weights (else they are the uncalibrated default). */
  calibrated: z.boolean(),
  /** One human line: what calibration measured, or why it could not run. */
  note: z.string(),
  /** Rows changed by index runs since the weights were chosen (per run the larger of rows written and deleted; see rank/fusion-calibration.ts). */
  rowsChangedSince: z.number().int().nonnegative(),
  /** The measurement behind calibrated weights; null when uncalibrated. */
  calibration: z
    .object({
      /** Version of the calibration method (CALIBRATION_METHOD). */
      method: z.number().int(),
      /** ISO-8601 time. */
      calibratedAt: z.string(),
      /** Docstring queries, and other stored entities the answers were ranked among. */
      queries: z.number().int().nonnegative(),
      distractors: z.number().int().nonnegative(),
      /** Texts the model embedded (queries + answers without docstrings). */
      modelCalls: z.number().int().nonnegative(),
      durationMs: z.number().nonnegative(),
      rowsAtCalibration: z.number().int().nonnegative(),
      /**
       * MRR@10 of each vector weight compared, lexical side 1, and the standard error of its paired
       * difference to the best weight (absent in method 1 calibrations).
       */
      scores: z.array(z.object({ vectorWeight: z.number(), mrrAt10: z.number(), standardErrorToBest: z.number().optional() })),
      /** MRR@10 of vector search alone on the same queries. */
      vectorOnlyMrrAt10: z.number(),
      bestVectorWeight: z.number(),
      standardErrorMargin: z.number(),
    })
    .nullable(),
});

/** Hybrid mode's fusion as the manifest records it. */
export type ManifestFusion = z.infer<typeof fusionSchema>;

const manifestSchema = z.object({
  format: z.literal("codesearch-index"),
  schemaVersion: z.number().int(),
  /** Hub id or absolute local directory of the model that produced every vector. */
  modelId: z.string().min(1),
  /** Vector length. */
  dimension: z.number().int().positive(),
  /** Token limit texts were truncated to. */
  maxTokens: z.number().int().positive(),
  /** Absolute repository root the paths are relative to. */
  repoRoot: z.string(),
  lastRun: lastRunSchema,
  /**
   * The entity table's version this run committed (LanceDB `table.version()`): searches read this
   * version, never a later half-written one. Absent in manifests written before it was recorded.
   */
  tableVersion: z.number().int().positive().optional(),
  /**
   * A random id of the commit that wrote this manifest (a UUID, new at every commit, also recorded in
   * the catalog): a rebuild may commit a table version number again (a dropped table starts again at
   * 1), a generation never repeats, so readers follow it. Absent in manifests written before it was recorded.
   */
  generation: z.string().min(1).optional(),
  /**
   * Earlier commits that readers may still be reading (superseded less than a grace ago, see
   * version-retention.ts), so a writer's cleanup keeps their versions. Absent in manifests written
   * before it was recorded.
   */
  supersededCommits: z.array(supersededCommitSchema).optional(),
  /** A remote model's endpoint, so search embeds queries the same way; absent for local models. Never holds a key. */
  embedder: z.object({ provider: z.literal("openai"), baseUrl: z.string(), model: z.string(), apiKeyEnv: z.string() }).optional(),
  /** Hybrid mode's fusion weights and how they were chosen; absent in indexes written before calibration existed. */
  fusion: fusionSchema.optional(),
});

/** Contents of `manifest.json`: what built the index, written after the table (temp file + rename). */
export type IndexManifest = z.infer<typeof manifestSchema>;

/** How to recover from a damaged manifest, without losing the embedding cache. */
const REBUILD_ADVICE =
  "run `codesearch index --rebuild` to rebuild the index from the embedding cache (the model is the one the catalog records, or pass --model)";

const startedManifestSchema = z.object({
  format: z.literal("codesearch-index"),
  schemaVersion: z.number().int(),
  /** Marks a manifest written when the first run started, before the entity table existed. */
  state: z.literal("started"),
  modelId: z.string().min(1),
  maxTokens: z.number().int().positive(),
  repoRoot: z.string(),
  embedder: manifestSchema.shape.embedder,
  /** ISO-8601 time the first run started. */
  startedAt: z.string(),
  /** How the latest run that stored nothing ended; absent while the first run is still going (or was killed). */
  lastRun: lastRunSchema.optional(),
});

/**
 * The manifest of an index whose first run started but stored nothing yet: the model, token limit
 * and embedder chosen then, so a resumed run, `status` and `search` use them. No table exists.
 */
export type StartedManifest = z.infer<typeof startedManifestSchema>;

/** What `manifest.json` holds: a complete index's manifest, or one written when the first run started. */
export type ManifestRecord = { state: "complete"; manifest: IndexManifest } | { state: "started"; manifest: StartedManifest };

/**
 * Reads the manifest of the index in `indexDir` (`manifest.json`, or the `manifest` table of a
 * remote index), or null when there is none or only a {@link StartedManifest} (no table yet).
 * @throws IndexMismatchError when it is from another schema version; IndexDamagedError when it is
 *   not valid JSON or not a manifest (the message says how to rebuild); StoreError when it cannot be read.
 */
export async function readManifest(indexDir: string): Promise<IndexManifest | null> {
  const record = await readManifestRecord(indexDir);
  return record?.state === "complete" ? record.manifest : null;
}

/**
 * Reads `manifest.json` (or the remote `manifest` table) as either kind of manifest, or null when
 * there is none.
 * @throws as {@link readManifest}.
 */
export async function readManifestRecord(indexDir: string): Promise<ManifestRecord | null> {
  const file = isRemoteLocation(indexDir) ? `${indexDir} (table ${MANIFEST_TABLE})` : path.join(indexDir, MANIFEST_FILE);
  let raw: string;
  try {
    if (isRemoteLocation(indexDir)) {
      const text = await readRemoteManifestText(indexDir);
      if (text === null) return null;
      raw = text;
    } else raw = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StoreError(`cannot read ${file}: ${describeError(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new IndexDamagedError(`${file} is damaged (not valid JSON); ${REBUILD_ADVICE}`, { cause: error });
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version !== SCHEMA_VERSION) {
    throw new IndexMismatchError(
      `the index in ${indexDir} has schema version ${version}, this codesearch reads version ${SCHEMA_VERSION}; run \`codesearch index\` with --rebuild`,
    );
  }
  if ((json as { state?: unknown } | null)?.state === "started") {
    const started = startedManifestSchema.safeParse(json);
    if (started.success) return { state: "started", manifest: started.data };
    throw new IndexDamagedError(`${file} is damaged: not a codesearch manifest (${started.error.issues[0]?.message ?? "invalid"}); ${REBUILD_ADVICE}`, { cause: started.error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new IndexDamagedError(`${file} is damaged: not a codesearch manifest (${parsed.error.issues[0]?.message ?? "invalid"}); ${REBUILD_ADVICE}`, { cause: parsed.error });
  }
  return { state: "complete", manifest: parsed.data };
}

/**
 * The model id a manifest records, read leniently (any schema version), or null when there is no
 * readable manifest. Lets `--rebuild` re-index an old index with the model it was built with.
 */
export async function readRecordedModelId(indexDir: string): Promise<string | null> {
  try {
    const json = JSON.parse(await readFile(path.join(indexDir, MANIFEST_FILE), "utf8")) as { modelId?: unknown };
    return typeof json.modelId === "string" && json.modelId !== "" ? json.modelId : null;
  } catch {
    return null;
  }
}

/**
 * Reads the manifest and fails unless it is a complete index's.
 * @throws IndexNotFoundError when `indexDir` holds no manifest, or only one of a first run that
 *   stored nothing yet (the message says so and how to finish it); see {@link readManifest}.
 */
export async function requireManifest(indexDir: string): Promise<IndexManifest> {
  const record = await readManifestRecord(indexDir);
  if (record?.state === "complete") return record.manifest;
  if (record?.state === "started") {
    throw new IndexNotFoundError(
      `the index in ${indexDir} holds nothing yet: its first run (started ${record.manifest.startedAt}) stopped before storing anything; ` +
        `run \`codesearch index ${record.manifest.repoRoot}\` to finish it`,
    );
  }
  throw new IndexNotFoundError(`no codesearch index in ${indexDir}; run \`codesearch index\` first`);
}

/**
 * Writes the manifest atomically (temp file + rename; one LanceDB overwrite for a remote index).
 * @throws StoreError when it cannot be written.
 */
export async function writeManifest(indexDir: string, manifest: IndexManifest | StartedManifest): Promise<void> {
  try {
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    if (isRemoteLocation(indexDir)) await writeRemoteManifestText(indexDir, text);
    else await writeFileAtomic(path.join(indexDir, MANIFEST_FILE), text);
  } catch (error) {
    throw new StoreError(`cannot write the manifest in ${indexDir}: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Fails when an existing index was built with a different model or dimension than `modelId`/`dimension`.
 * @throws IndexMismatchError naming both models and how to proceed.
 */
export function assertSameModel(manifest: IndexManifest, modelId: string, dimension?: number): void {
  if (manifest.modelId !== modelId) {
    throw new IndexMismatchError(
      `the index was built with model ${manifest.modelId}, not ${modelId}; vectors of two models cannot be mixed. ` +
        `Omit --model to reuse the index's model, or pass --rebuild to re-index with ${modelId}`,
    );
  }
  if (dimension !== undefined && manifest.dimension !== dimension) {
    throw new IndexMismatchError(`the index holds ${manifest.dimension}-d vectors but model ${modelId} produces ${dimension}-d vectors`);
  }
}

/** One commit of the entity table as the manifest and the catalog name it: its version and, when recorded, its generation. */
export interface CommitId {
  version: number | undefined;
  generation?: string | undefined;
}

/** The commit a manifest names (its `tableVersion` and `generation`). */
export function commitOfManifest(manifest: IndexManifest): CommitId {
  return { version: manifest.tableVersion, generation: manifest.generation };
}

/**
 * True when `a` and `b` name the same commit: the same table version and the same generation
 * (both absent for indexes written before generations were recorded). Pure.
 */
export function sameCommit(a: CommitId, b: CommitId): boolean {
  return a.version === b.version && a.generation === b.generation;
}
